using System.Runtime.InteropServices;
using Ipvs.Netlink;

namespace Ipvs.Tests.Netlink;

/// <summary>One request as the fake kernel received it.</summary>
internal sealed record FakeRequest(ushort Type, ushort Flags, uint Sequence, byte[] Payload)
{
    public bool IsDump => (Flags & NetlinkConstants.FlagDump) == NetlinkConstants.FlagDump;

    public byte Command => Payload.Length > 0 ? Payload[0] : (byte)0;
}

/// <summary>
/// A scripted peer on the other end of a SOCK_SEQPACKET socketpair: it reads the datagrams a
/// <see cref="NetlinkSocket"/> sends, and answers each request with what the test's responder
/// returns. This drives the pipelining logic (windows, sequence matching, retries) without a kernel.
/// </summary>
internal sealed partial class FakeKernel : IDisposable
{
    private const int AfUnix = 1;
    private const int SockSeqPacket = 5;
    private readonly int _peer;
    private readonly Thread _thread;
    private readonly Func<FakeRequest, int, IEnumerable<byte[]>> _responder;
    private readonly Lock _lock = new();
    private readonly List<FakeRequest> _requests = [];
    private readonly List<int> _datagramSizes = [];

    /// <param name="responder">Given a request and how many times a request with this payload was seen before, the reply datagrams.</param>
    public FakeKernel(Func<FakeRequest, int, IEnumerable<byte[]>> responder, int sendBufferSize = 1 << 20, int receiveBufferSize = 8 << 20, TimeSpan? timeout = null)
    {
        _responder = responder;
        var fds = new int[2];
        if (SocketPair(AfUnix, SockSeqPacket, 0, fds) != 0)
        {
            throw new InvalidOperationException("socketpair failed: " + Marshal.GetLastPInvokeError());
        }

        _peer = fds[1];
        Socket = NetlinkSocket.FromDescriptor(fds[0], PortId, receiveBufferSize, sendBufferSize, timeout ?? TimeSpan.FromSeconds(5));
        _thread = new Thread(Serve) { IsBackground = true, Name = "fake-kernel" };
        _thread.Start();
    }

    public const uint PortId = 4242;

    public NetlinkSocket Socket { get; }

    public IReadOnlyList<FakeRequest> Requests
    {
        get
        {
            lock (_lock)
            {
                return [.. _requests];
            }
        }
    }

    public IReadOnlyList<int> DatagramSizes
    {
        get
        {
            lock (_lock)
            {
                return [.. _datagramSizes];
            }
        }
    }

    public void Dispose()
    {
        Socket.Dispose();
        _thread.Join(TimeSpan.FromSeconds(5));
        Close(_peer);
    }

    /// <summary>An ACK (errno 0) or an error, optionally with an extended-ACK message.</summary>
    public static byte[] Ack(uint sequence, int errno = 0, string? message = null)
    {
        using var writer = new NetlinkMessageWriter();
        writer.BeginMessage(NetlinkConstants.TypeError, (ushort)(NetlinkConstants.FlagCapped | (message is null ? 0 : NetlinkConstants.FlagAckTlvs)), sequence, PortId);
        var body = writer.WriteFixedHeader(4 + NetlinkConstants.HeaderLength);
        BitConverter.TryWriteBytes(body, -errno);
        BitConverter.TryWriteBytes(body[4..], (uint)NetlinkConstants.HeaderLength);
        BitConverter.TryWriteBytes(body[12..], sequence);
        if (message is not null)
        {
            writer.WriteString(NetlinkConstants.ErrorAttributeMessage, message);
        }

        writer.EndMessage();
        return writer.WrittenSpan.ToArray();
    }

    /// <summary>NLMSG_DONE ending a dump.</summary>
    public static byte[] Done(uint sequence, int errno = 0)
    {
        using var writer = new NetlinkMessageWriter();
        writer.BeginMessage(NetlinkConstants.TypeDone, NetlinkConstants.FlagMulti, sequence, PortId);
        BitConverter.TryWriteBytes(writer.WriteFixedHeader(4), -errno);
        writer.EndMessage();
        return writer.WrittenSpan.ToArray();
    }

    /// <summary>One data message carrying a single u32 attribute (type 1) with <paramref name="value"/>.</summary>
    public static byte[] Data(uint sequence, uint value, ushort flags = NetlinkConstants.FlagMulti, uint portId = PortId)
    {
        using var writer = new NetlinkMessageWriter();
        writer.BeginMessage(0x20, flags, sequence, portId);
        writer.WriteGenericHeader(1, 1);
        writer.WriteU32(1, value);
        writer.EndMessage();
        return writer.WrittenSpan.ToArray();
    }

    /// <summary>Several messages in one datagram.</summary>
    public static byte[] Concat(params byte[][] messages) => messages.SelectMany(m => m).ToArray();

    private void Serve()
    {
        var buffer = new byte[4 << 20];
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        while (true)
        {
            var length = Recv(_peer, buffer, buffer.Length, 0);
            if (length <= 0)
            {
                return;
            }

            lock (_lock)
            {
                _datagramSizes.Add((int)length);
            }

            var reader = new NetlinkMessageReader(buffer.AsSpan(0, (int)length));
            var replies = new List<byte[]>();
            while (reader.TryRead(out var message))
            {
                var request = new FakeRequest(message.Type, message.Flags, message.Sequence, message.Payload.ToArray());
                lock (_lock)
                {
                    _requests.Add(request);
                }

                var key = Convert.ToHexString(request.Payload);
                seen.TryGetValue(key, out var count);
                seen[key] = count + 1;
                replies.AddRange(_responder(request, count));
            }

            foreach (var reply in replies)
            {
                if (Send(_peer, reply, reply.Length, 0) < 0)
                {
                    return;
                }
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "socketpair", SetLastError = true)]
    private static partial int SocketPair(int domain, int type, int protocol, [Out] int[] fds);

    [LibraryImport("libc", EntryPoint = "recv", SetLastError = true)]
    private static partial nint Recv(int fd, [Out] byte[] buffer, nint length, int flags);

    [LibraryImport("libc", EntryPoint = "send", SetLastError = true)]
    private static partial nint Send(int fd, byte[] buffer, nint length, int flags);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);
}
