using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Ipvs.Netlink.Interop;

namespace Ipvs.Netlink;

/// <summary>
/// A netlink socket to the kernel. Sends many requests in one datagram and collects every reply
/// with recvmmsg, matching replies to requests by sequence number. Not thread-safe: callers
/// serialize access.
/// </summary>
internal sealed unsafe class NetlinkSocket : IDisposable
{
    // Dump datagrams are at most 32 KiB (the kernel caps them there), so one slot holds any of them.
    private const int SlotSize = 32768;
    private const int MinSlots = 8;
    private const int MaxSlots = 256;

    // What one reply can occupy in the receive queue, counted generously (skb overhead included),
    // to decide how many requests may be in flight before their replies could overflow it.
    private const int ReplyCost = 8192;
    private const int DumpCost = 40 * 1024;

    private const int PollSliceMilliseconds = 200;

    // From this many dumps in one exchange, chain them through io_uring (NetlinkDumpRing).
    private const int RingMinimumDumps = 8;

    private readonly NetlinkSafeHandle _handle;
    private readonly int _fd;
    private readonly int _maxSendBytes;
    private int _replyBudget;
    private uint _sequence;
    // I/O buffers live in native memory: the kernel writes into them between calls, and pinned
    // managed arrays would make the GC set up its pinned-object heap at the first request (page
    // faults and system calls every short-lived command pays). Pages are touched only as used.
    private byte* _slots;
    private LibC.MMsgHdr* _headers;
    private LibC.IoVec* _vectors;
    private int _slotCount;
    private byte* _sendBuffer;
    private int _sendBufferLength;
    private bool _growSlots;
    private NetlinkDumpRing? _ring;

    private NetlinkSocket(NetlinkSafeHandle handle, int fd, uint portId, int receiveBuffer, int sendBuffer, TimeSpan timeout)
    {
        _handle = handle;
        _fd = fd;
        PortId = portId;
        ReceiveBufferSize = receiveBuffer;
        SendBufferSize = sendBuffer;
        Timeout = timeout;
        // The kernel refuses a send larger than the send buffer; keep well under it.
        _maxSendBytes = Math.Clamp(sendBuffer / 2, 16 * 1024, 1024 * 1024);
        _replyBudget = Math.Max(receiveBuffer / 2, DumpCost);
        _sequence = (uint)Environment.TickCount;
    }

    /// <summary>The port id the kernel assigned to this socket.</summary>
    public uint PortId { get; }

    /// <summary>The effective receive buffer size in bytes, as the kernel reports it.</summary>
    public int ReceiveBufferSize { get; }

    /// <summary>The effective send buffer size in bytes.</summary>
    public int SendBufferSize { get; }

    /// <summary>How long to wait for the kernel's next reply before giving up.</summary>
    public TimeSpan Timeout { get; }

    /// <summary>Opens a socket of the given netlink protocol and asks for large buffers (forced when permitted).</summary>
    public static NetlinkSocket Open(int protocol, int receiveBufferSize = 8 << 20, int sendBufferSize = 2 << 20, TimeSpan? timeout = null)
    {
        var fd = LibC.Socket(LibC.AF_NETLINK, LibC.SOCK_RAW | LibC.SOCK_CLOEXEC, protocol);
        if (fd < 0)
        {
            throw new NetlinkException(Marshal.GetLastPInvokeError(), context: "opening a netlink socket");
        }

        var handle = new NetlinkSafeHandle(fd);
        try
        {
            var address = new LibC.SockAddrNetlink { Family = LibC.AF_NETLINK };
            if (LibC.Bind(fd, &address, sizeof(LibC.SockAddrNetlink)) != 0)
            {
                throw new NetlinkException(Marshal.GetLastPInvokeError(), context: "binding a netlink socket");
            }

            var length = sizeof(LibC.SockAddrNetlink);
            if (LibC.GetSockName(fd, &address, &length) != 0)
            {
                throw new NetlinkException(Marshal.GetLastPInvokeError(), context: "reading a netlink socket's address");
            }

            // Shorter ACKs (no copy of the request) and the kernel's explanatory text on errors.
            // Both are optional: older kernels lack them.
            SetOption(fd, LibC.SOL_NETLINK, LibC.NETLINK_CAP_ACK, 1);
            SetOption(fd, LibC.SOL_NETLINK, LibC.NETLINK_EXT_ACK, 1);
            SetBuffer(fd, LibC.SO_RCVBUFFORCE, LibC.SO_RCVBUF, receiveBufferSize);
            SetBuffer(fd, LibC.SO_SNDBUFFORCE, LibC.SO_SNDBUF, sendBufferSize);
            var effectiveReceive = GetOption(fd, LibC.SOL_SOCKET, LibC.SO_RCVBUF);
            var effectiveSend = GetOption(fd, LibC.SOL_SOCKET, LibC.SO_SNDBUF);
            return new NetlinkSocket(handle, fd, address.PortId, effectiveReceive, effectiveSend, timeout ?? TimeSpan.FromSeconds(30));
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Wraps an already connected datagram descriptor (tests drive the pipelining logic with a
    /// scripted peer over a socketpair). Takes ownership of <paramref name="fd"/>.
    /// </summary>
    internal static NetlinkSocket FromDescriptor(int fd, uint portId, int receiveBufferSize, int sendBufferSize, TimeSpan timeout) =>
        new(new NetlinkSafeHandle(fd), fd, portId, receiveBufferSize, sendBufferSize, timeout);

    /// <summary>Whether an exchange of many dumps may go through io_uring (on by default where available).</summary>
    internal bool UseDumpRing { get; set; } = true;

    /// <summary>Dumps completed through io_uring on this socket so far (0 when it was never used).</summary>
    internal long RingDumps { get; private set; }

    public void Dispose()
    {
        _ring?.Dispose();
        _ring = null;
        _handle.Dispose();
        FreeSlots();
        NativeMemory.Free(_sendBuffer);
        _sendBuffer = null;
        _sendBufferLength = 0;
    }

    /// <summary>
    /// Sends the requests laid out back to back in <paramref name="requests"/> and waits for every
    /// reply. Requests go out in windows sized so that their replies fit the receive buffer; each
    /// gets a fresh sequence number, and non-dump requests always ask for an ACK, so every request
    /// ends with exactly one ACK, error or DONE. A dump ends its window (the kernel runs one at a
    /// time per socket), so many dumps cost one send and one receive each. A dump that the
    /// kernel still refuses as busy, reports as interrupted, or whose replies overflowed the
    /// receive buffer is sent again.
    /// </summary>
    /// <returns>One outcome per request, in order.</returns>
    public NetlinkOutcome[] Execute(ReadOnlySpan<byte> requests, INetlinkReplyHandler? handler, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        var offsets = SplitMessages(requests);
        var count = offsets.Count - 1;
        var exchange = new Exchange(count, handler);
        var dumps = 0;
        for (var i = 0; i < count; i++)
        {
            exchange.IsDump[i] = IsDump(requests[offsets[i]..]);
            dumps += exchange.IsDump[i] ? 1 : 0;
        }

        // Only when every request is a dump: they read, so their order does not matter, and
        // nothing else has to be interleaved with them.
        var first = dumps == count && count >= RingMinimumDumps && Ring() is { } ring
            ? RunThroughRing(ring, requests, offsets, exchange, cancellationToken)
            : 0;
        for (var i = first; i < count; i++)
        {
            exchange.Pending.Enqueue(i);
        }

        var window = new List<int>();
        while (exchange.Pending.Count > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            window.Clear();
            var bytes = 0;
            var cost = 0;
            while (exchange.Pending.Count > 0)
            {
                var next = exchange.Pending.Peek();
                var length = offsets[next + 1] - offsets[next];
                var requestCost = exchange.IsDump[next] ? DumpCost : ReplyCost;
                if (window.Count > 0 && (bytes + length > _maxSendBytes || cost + requestCost > _replyBudget))
                {
                    break;
                }

                window.Add(exchange.Pending.Dequeue());
                bytes += length;
                cost += requestCost;
                if (exchange.IsDump[next])
                {
                    // A dump ends a window. IPVS's dump callbacks always report data, so the kernel
                    // sends DONE only on the next receive: the dump is still running when the send
                    // returns, and any later dump in the same send would be refused as busy.
                    break;
                }
            }

            var firstSequence = SendWindow(requests, offsets, window, exchange.IsDump, bytes);
            ReceiveWindow(window, firstSequence, exchange, cancellationToken);
        }

        return exchange.Outcomes;
    }

    // TryCreate answers null at once, without a system call, once io_uring proved unusable.
    private NetlinkDumpRing? Ring() => UseDumpRing ? _ring ??= NetlinkDumpRing.TryCreate() : null;

    /// <summary>Stops using io_uring for netlink in this process (what failed is the kernel's, not this socket's).</summary>
    private void GiveUpRing()
    {
        _ring?.Dispose();
        _ring = null;
        NetlinkDumpRing.Disable();
    }

    /// <summary>
    /// Runs the dumps through io_uring, a batch at a time, until done or until a batch does not
    /// end cleanly (a dump that needs more than two receives, an error): the dumps left open are
    /// queued again, the socket is drained of what the kernel still sends for them, and the rest
    /// is left to the ordinary path.
    /// </summary>
    /// <returns>The first request the ring did not attempt.</returns>
    private int RunThroughRing(NetlinkDumpRing ring, ReadOnlySpan<byte> requests, List<int> offsets, Exchange exchange, CancellationToken cancellationToken)
    {
        var count = offsets.Count - 1;
        var window = new List<int>(NetlinkDumpRing.BatchSize);
        var positions = new int[NetlinkDumpRing.BatchSize + 1];
        var received = new int[NetlinkDumpRing.BatchSize * 2];
        var start = 0;
        while (start < count)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var batch = Math.Min(NetlinkDumpRing.BatchSize, count - start);
            window.Clear();
            for (var j = 0; j < batch; j++)
            {
                window.Add(start + j);
                positions[j] = offsets[start + j] - offsets[start];
                exchange.State[start + j] = RequestState.Open;
            }

            positions[batch] = offsets[start + batch] - offsets[start];
            var firstSequence = LayOut(requests, offsets, window, exchange.IsDump, positions[batch]);
            bool supported;
            try
            {
                supported = ring.Run(_fd, _sendBuffer, positions.AsSpan(0, batch + 1), received);
            }
            catch (NetlinkException)
            {
                // The ring's state is unknown: never use it again.
                GiveUpRing();
                throw;
            }

            for (var r = 0; r < batch * 2; r++)
            {
                if (received[r] > 0)
                {
                    DispatchAll(ring.Received(r, received[r]), window, firstSequence, exchange);
                }
            }

            var whole = true;
            for (var j = 0; j < batch; j++)
            {
                var index = start + j;
                if (exchange.State[index] == RequestState.Done)
                {
                    RingDumps++;
                    continue;
                }

                whole = false;
                if (exchange.State[index] is RequestState.Open or RequestState.Interrupted)
                {
                    exchange.Retry(index);
                }
            }

            start += batch;
            if (!supported)
            {
                // This kernel's io_uring cannot send or receive on sockets: stop asking.
                GiveUpRing();
            }

            if (!whole)
            {
                // A dump may still be running in the kernel (one too large for two receives):
                // read it to its end, so that what is retried is not refused as busy over and over.
                Drain();
                break;
            }
        }

        return start;
    }

    /// <summary>Reads and drops whatever is queued, letting a running dump finish.</summary>
    private void Drain()
    {
        while (Receive(wait: false, CancellationToken.None) > 0)
        {
        }
    }

    /// <summary>Hands each message of a datagram to its request, if it is one of <paramref name="window"/> and still open.</summary>
    /// <returns>How many requests these messages ended.</returns>
    private int DispatchAll(ReadOnlySpan<byte> datagram, List<int> window, uint firstSequence, Exchange exchange)
    {
        var ended = 0;
        var reader = new NetlinkMessageReader(datagram);
        while (reader.TryRead(out var message))
        {
            var offset = message.Sequence - firstSequence;
            if (message.PortId != PortId || offset >= (uint)window.Count)
            {
                continue; // a late reply to an earlier, abandoned exchange
            }

            var index = window[(int)offset];
            if (exchange.State[index] is not (RequestState.Open or RequestState.Interrupted))
            {
                continue;
            }

            if (Dispatch(index, message, exchange))
            {
                ended++;
            }
        }

        return ended;
    }

    private static List<int> SplitMessages(ReadOnlySpan<byte> requests)
    {
        var offsets = new List<int> { 0 };
        var position = 0;
        while (position < requests.Length)
        {
            if (requests.Length - position < NetlinkConstants.HeaderLength)
            {
                throw new ArgumentException("Truncated netlink request.", nameof(requests));
            }

            var length = (int)HostOrder.ReadU32(requests[position..]);
            if (length < NetlinkConstants.HeaderLength || position + length > requests.Length)
            {
                throw new ArgumentException("Malformed netlink request length.", nameof(requests));
            }

            position = Math.Min(position + NetlinkConstants.Align(length), requests.Length);
            offsets.Add(position);
        }

        return offsets;
    }

    private static bool IsDump(ReadOnlySpan<byte> request) =>
        (HostOrder.ReadU16(request[6..]) & NetlinkConstants.FlagDump) == NetlinkConstants.FlagDump;

    private uint SendWindow(ReadOnlySpan<byte> requests, List<int> offsets, List<int> window, bool[] isDump, int bytes)
    {
        var firstSequence = LayOut(requests, offsets, window, isDump, bytes);
        while (true)
        {
            var sent = LibC.Send(_fd, _sendBuffer, (nuint)bytes, 0);
            if (sent >= 0)
            {
                Debug.Assert(sent == bytes, "netlink sends are all or nothing");
                break;
            }

            var errno = Marshal.GetLastPInvokeError();
            if (errno != Errno.EINTR)
            {
                throw new NetlinkException(errno, context: "sending to the kernel");
            }
        }

        return firstSequence;
    }

    /// <summary>Copies the window's requests back to back into the send buffer, with their flags and sequence numbers.</summary>
    /// <returns>The first request's sequence number; the others follow it.</returns>
    private uint LayOut(ReadOnlySpan<byte> requests, List<int> offsets, List<int> window, bool[] isDump, int bytes)
    {
        if (_sendBufferLength < bytes)
        {
            NativeMemory.Free(_sendBuffer);
            _sendBufferLength = Math.Max(bytes, 4096);
            _sendBuffer = (byte*)NativeMemory.Alloc((nuint)_sendBufferLength);
        }

        var firstSequence = _sequence;
        var position = 0;
        foreach (var index in window)
        {
            var request = requests[offsets[index]..offsets[index + 1]];
            var target = new Span<byte>(_sendBuffer + position, request.Length);
            request.CopyTo(target);
            var flags = (ushort)(HostOrder.ReadU16(target[6..]) | NetlinkConstants.FlagRequest);
            if (!isDump[index])
            {
                flags |= NetlinkConstants.FlagAck;
            }

            HostOrder.WriteU16(target[6..], flags);
            HostOrder.WriteU32(target[8..], _sequence++);
            HostOrder.WriteU32(target[12..], 0);
            position += request.Length;
        }

        Debug.Assert(position == bytes, "the window's requests fill the laid-out bytes");
        return firstSequence;
    }

    private void ReceiveWindow(List<int> window, uint firstSequence, Exchange exchange, CancellationToken cancellationToken)
    {
        var open = window.Count;
        foreach (var index in window)
        {
            exchange.State[index] = RequestState.Open;
        }

        var overflowed = false;
        while (open > 0)
        {
            int received;
            try
            {
                // After an overflow, take only what is already queued: the lost replies never come.
                received = Receive(wait: !overflowed, cancellationToken);
            }
            catch (NetlinkException e) when (e.Errno == Errno.ENOBUFS)
            {
                overflowed = true;
                _replyBudget = Math.Max(_replyBudget / 2, DumpCost);
                continue;
            }

            if (received == 0)
            {
                break;
            }

            for (var slot = 0; slot < received; slot++)
            {
                open -= DispatchAll(Datagram(slot), window, firstSequence, exchange);
            }
        }

        if (open > 0)
        {
            foreach (var index in window)
            {
                if (exchange.State[index] is RequestState.Open or RequestState.Interrupted)
                {
                    // A dump is read-only and is simply asked again; for a change, nobody can tell
                    // whether the kernel applied it.
                    if (exchange.IsDump[index])
                    {
                        exchange.Retry(index);
                    }
                    else
                    {
                        exchange.Complete(index, new NetlinkOutcome(Errno.ENOBUFS, "the kernel's reply was lost (receive buffer overflow); the change may or may not have been applied"));
                    }
                }
            }
        }
    }

    /// <returns>True when the message ended its request.</returns>
    private static bool Dispatch(int index, NetlinkMessage message, Exchange exchange)
    {
        switch (message.Type)
        {
            case NetlinkConstants.TypeNoop:
            case NetlinkConstants.TypeOverrun:
                return false;
            case NetlinkConstants.TypeError:
            case NetlinkConstants.TypeDone:
                var (errno, text) = ParseTerminator(message);
                var retry = exchange.IsDump[index]
                    && (exchange.State[index] == RequestState.Interrupted
                        || (message.Type == NetlinkConstants.TypeError && errno is Errno.EBUSY or Errno.ENOBUFS));
                if (retry)
                {
                    exchange.Retry(index);
                }
                else
                {
                    exchange.Complete(index, new NetlinkOutcome(errno, text));
                }

                return true;
            default:
                if ((message.Flags & NetlinkConstants.FlagDumpInterrupted) != 0)
                {
                    exchange.State[index] = RequestState.Interrupted;
                }

                exchange.Handler?.OnMessage(index, message);
                return false;
        }
    }

    /// <summary>Reads the errno and extended-ACK text of an NLMSG_ERROR or NLMSG_DONE.</summary>
    internal static (int Errno, string? Text) ParseTerminator(NetlinkMessage message)
    {
        var payload = message.Payload;
        if (payload.Length < 4)
        {
            return (0, null);
        }

        var errno = -(int)HostOrder.ReadU32(payload);
        if ((message.Flags & NetlinkConstants.FlagAckTlvs) == 0)
        {
            return (errno, null);
        }

        // NLMSG_ERROR carries the request's header (capped) or the whole request before the TLVs.
        var tlvStart = 4;
        if (message.Type == NetlinkConstants.TypeError && payload.Length >= 4 + NetlinkConstants.HeaderLength)
        {
            var requestLength = (message.Flags & NetlinkConstants.FlagCapped) != 0
                ? NetlinkConstants.HeaderLength
                : (int)HostOrder.ReadU32(payload[4..]);
            tlvStart = Math.Min(4 + NetlinkConstants.Align(requestLength), payload.Length);
        }

        var attributes = new NetlinkAttributeReader(payload[tlvStart..]);
        while (attributes.TryRead(out var type, out var value))
        {
            if (type == NetlinkConstants.ErrorAttributeMessage)
            {
                return (errno, NetlinkAttributeReader.ReadString(value));
            }
        }

        return (errno, null);
    }

    /// <summary>
    /// Receives what is queued, up to the slot count, in one recvmmsg. With <paramref name="wait"/>,
    /// blocks (in short polls, so cancellation is honoured) until at least one datagram arrives.
    /// </summary>
    /// <returns>The number of datagrams received, 0 only when not waiting and nothing is queued.</returns>
    private int Receive(bool wait, CancellationToken cancellationToken)
    {
        EnsureSlots();
        // Read the clock only when a reply is not there yet: usually it is (the kernel answers
        // while the request is sent), and in some sandboxes reading the clock is a system call.
        long deadline = 0;
        while (true)
        {
            for (var i = 0; i < _slotCount; i++)
            {
                _headers[i].Header.Flags = 0;
                _headers[i].Length = 0;
            }

            var received = LibC.RecvMMsg(_fd, _headers, (uint)_slotCount, LibC.MSG_DONTWAIT, null);
            if (received > 0)
            {
                for (var i = 0; i < received; i++)
                {
                    if ((_headers[i].Header.Flags & LibC.MSG_TRUNC) != 0)
                    {
                        throw new NetlinkProtocolException("A netlink reply was larger than the receive slot.");
                    }
                }

                // More may be queued: take more at once next time. Not now: the datagrams just
                // received live in the current slots until the caller has read them.
                _growSlots = received == _slotCount && _slotCount < MaxSlots;
                return received;
            }

            var errno = Marshal.GetLastPInvokeError();
            if (received == 0 || errno == Errno.EINTR)
            {
                continue;
            }

            if (errno != Errno.EAGAIN)
            {
                throw new NetlinkException(errno, context: "receiving from the kernel");
            }

            if (!wait)
            {
                return 0;
            }

            cancellationToken.ThrowIfCancellationRequested();
            if (deadline == 0)
            {
                deadline = Environment.TickCount64 + (long)Timeout.TotalMilliseconds;
            }

            var remaining = deadline - Environment.TickCount64;
            if (remaining <= 0)
            {
                throw new TimeoutException($"The kernel did not answer within {Timeout.TotalSeconds:0} s.");
            }

            var poll = new LibC.PollFd { Fd = _fd, Events = LibC.POLLIN };
            _ = LibC.Poll(&poll, 1, (int)Math.Min(remaining, PollSliceMilliseconds));
        }
    }

    private ReadOnlySpan<byte> Datagram(int slot) => new(_slots + ((nint)slot * SlotSize), (int)_headers[slot].Length);

    private void EnsureSlots()
    {
        if (_slotCount == 0)
        {
            AllocateSlots(MinSlots);
        }
        else if (_growSlots)
        {
            _growSlots = false;
            GrowSlots();
        }
    }

    private void GrowSlots() => AllocateSlots(Math.Min(_slotCount * 4, MaxSlots));

    private void AllocateSlots(int count)
    {
        FreeSlots();
        _slots = (byte*)NativeMemory.Alloc((nuint)count * SlotSize);
        _vectors = (LibC.IoVec*)NativeMemory.Alloc((nuint)count, (nuint)sizeof(LibC.IoVec));
        _headers = (LibC.MMsgHdr*)NativeMemory.AllocZeroed((nuint)count, (nuint)sizeof(LibC.MMsgHdr));
        _slotCount = count;
        for (var i = 0; i < count; i++)
        {
            _vectors[i].Base = _slots + ((nint)i * SlotSize);
            _vectors[i].Length = SlotSize;
            _headers[i].Header.Iov = _vectors + i;
            _headers[i].Header.IovLength = 1;
        }
    }

    private void FreeSlots()
    {
        NativeMemory.Free(_slots);
        NativeMemory.Free(_vectors);
        NativeMemory.Free(_headers);
        _slots = null;
        _vectors = null;
        _headers = null;
        _slotCount = 0;
    }

    private static void SetOption(int fd, int level, int name, int value) => LibC.SetSockOpt(fd, level, name, &value, sizeof(int));

    private static int GetOption(int fd, int level, int name)
    {
        var value = 0;
        var length = sizeof(int);
        return LibC.GetSockOpt(fd, level, name, &value, &length) == 0 ? value : 0;
    }

    private static void SetBuffer(int fd, int forced, int plain, int size)
    {
        // The forced variant ignores the system maximum but needs CAP_NET_ADMIN, which IPVS needs anyway.
        if (LibC.SetSockOpt(fd, LibC.SOL_SOCKET, forced, &size, sizeof(int)) != 0)
        {
            LibC.SetSockOpt(fd, LibC.SOL_SOCKET, plain, &size, sizeof(int));
        }
    }

    private enum RequestState : byte
    {
        Pending,
        Open,
        Interrupted,
        Done,
    }

    /// <summary>The bookkeeping of one <see cref="Execute"/> call.</summary>
    private sealed class Exchange
    {
        private const int MaxRetries = 64;
        private int[]? _retries;

        public Exchange(int count, INetlinkReplyHandler? handler)
        {
            Outcomes = new NetlinkOutcome[count];
            State = new RequestState[count];
            IsDump = new bool[count];
            Pending = new Queue<int>(count);
            Handler = handler;
        }

        public NetlinkOutcome[] Outcomes { get; }

        public RequestState[] State { get; }

        public bool[] IsDump { get; }

        public Queue<int> Pending { get; }

        public INetlinkReplyHandler? Handler { get; }

        public void Complete(int index, NetlinkOutcome outcome)
        {
            Outcomes[index] = outcome;
            State[index] = RequestState.Done;
        }

        public void Retry(int index)
        {
            Handler?.OnRestart(index);
            _retries ??= new int[Outcomes.Length];
            if (++_retries[index] > MaxRetries)
            {
                Complete(index, new NetlinkOutcome(Errno.EBUSY, "the dump kept being interrupted"));
                return;
            }

            State[index] = RequestState.Pending;
            Pending.Enqueue(index);
        }
    }
}
