using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Ipvs.Health.Checks;

/// <summary>
/// PING_CHECK as keepalived 2.2.7 runs it: one ICMP (ICMPv6) echo request; up when the echo
/// reply comes back before the timeout, down otherwise. keepalived uses an ICMP datagram socket
/// (and widens net.ipv4.ping_group_range to let itself); this checker tries that socket first and
/// falls back to a raw socket, which needs CAP_NET_RAW (root has it), without changing the
/// sysctl. On a raw socket every ICMP message of the host arrives: only an echo reply from the
/// target with this checker's identifier and sequence counts.
/// </summary>
internal sealed class PingChecker : IChecker
{
    private const int PayloadLength = 56;
    private static int s_sequence;

    private readonly PingCheck _check;
    private readonly TimeProvider _timeProvider;
    private readonly ushort _identifier = (ushort)Random.Shared.Next(1, 65536);

    public PingChecker(PingCheck check, TimeProvider timeProvider)
    {
        _check = check;
        _timeProvider = timeProvider;
    }

    public CheckDefinition Definition => _check;

    public async ValueTask<CheckResult> CheckAsync(CheckTarget target, CancellationToken cancellationToken)
    {
        var started = _timeProvider.GetTimestamp();
        using var timeout = new CancellationTokenSource(_check.Timeout, _timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        var v6 = target.Address.AddressFamily == AddressFamily.InterNetworkV6;
        var sequence = (ushort)Interlocked.Increment(ref s_sequence);
        try
        {
            var (socket, raw) = OpenSocket(target, v6);
            using (socket)
            {
                var request = BuildEchoRequest(v6, _identifier, sequence);
                await socket.SendToAsync(request, SocketFlags.None, new IPEndPoint(target.Address, 0), linked.Token).ConfigureAwait(false);
                var buffer = new byte[2048];
                EndPoint any = new IPEndPoint(v6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
                while (true)
                {
                    var received = await socket.ReceiveFromAsync(buffer, SocketFlags.None, any, linked.Token).ConfigureAwait(false);
                    if (received.RemoteEndPoint is IPEndPoint from && from.Address.Equals(target.Address)
                        && IsEchoReply(buffer.AsSpan(0, received.ReceivedBytes), v6, raw, _identifier, sequence))
                    {
                        return CheckResult.Up(_timeProvider.GetElapsedTime(started));
                    }
                }
            }
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return CheckResult.Down(_timeProvider.GetElapsedTime(started), "no echo reply within " + HealthCheckOptions.Format(_check.Timeout));
        }
        catch (SocketException e) when (!cancellationToken.IsCancellationRequested)
        {
            return CheckResult.Down(_timeProvider.GetElapsedTime(started), ProbeErrors.Describe(e));
        }
    }

    public void Dispose()
    {
    }

    /// <summary>An echo request: type 8 (ICMPv6 128), code 0, checksum, identifier, sequence, payload.</summary>
    internal static byte[] BuildEchoRequest(bool v6, ushort identifier, ushort sequence)
    {
        var packet = new byte[8 + PayloadLength];
        packet[0] = v6 ? (byte)128 : (byte)8;
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(4), identifier);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(6), sequence);
        for (var i = 8; i < packet.Length; i++)
        {
            packet[i] = (byte)i;
        }

        if (!v6)
        {
            // ICMPv6's checksum covers a pseudo-header: the kernel fills it in.
            BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), Checksum(packet));
        }

        return packet;
    }

    /// <summary>True when <paramref name="packet"/> is the reply to this echo request.</summary>
    internal static bool IsEchoReply(ReadOnlySpan<byte> packet, bool v6, bool raw, ushort identifier, ushort sequence)
    {
        if (raw && !v6)
        {
            // An IPv4 raw socket delivers the IP header too.
            if (packet.Length < 20)
            {
                return false;
            }

            packet = packet[((packet[0] & 0xF) * 4)..];
        }

        if (packet.Length < 8 || packet[0] != (v6 ? 129 : 0) || packet[1] != 0)
        {
            return false;
        }

        // On an ICMP datagram socket the kernel chooses the identifier (and filters by it).
        return (!raw || BinaryPrimitives.ReadUInt16BigEndian(packet[4..]) == identifier)
            && BinaryPrimitives.ReadUInt16BigEndian(packet[6..]) == sequence;
    }

    private static ushort Checksum(ReadOnlySpan<byte> data)
    {
        uint sum = 0;
        for (var i = 0; i + 1 < data.Length; i += 2)
        {
            sum += BinaryPrimitives.ReadUInt16BigEndian(data[i..]);
        }

        if ((data.Length & 1) != 0)
        {
            sum += (uint)(data[^1] << 8);
        }

        while (sum >> 16 != 0)
        {
            sum = (sum & 0xFFFF) + (sum >> 16);
        }

        return (ushort)~sum;
    }

    private (Socket Socket, bool Raw) OpenSocket(CheckTarget target, bool v6)
    {
        var protocol = v6 ? ProtocolType.IcmpV6 : ProtocolType.Icmp;
        try
        {
            return (CheckSockets.Open(_check, target, SocketType.Dgram, protocol), false);
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.AccessDenied or SocketError.ProtocolNotSupported or SocketError.SocketNotSupported or SocketError.AddressFamilyNotSupported)
        {
            // ping_group_range does not include this process's group: a raw socket (CAP_NET_RAW).
            return (CheckSockets.Open(_check, target, SocketType.Raw, protocol), true);
        }
    }
}
