using System.Runtime.InteropServices;
using Ipvs.Netlink.Interop;

namespace Ipvs.Netlink;

/// <summary>
/// Runs many netlink dumps in one system call with io_uring. The kernel runs one dump at a time
/// per socket, and a dump that returned data ends (sends DONE) only at the next receive, so each
/// dump otherwise costs a send and a receive: 10,001 dumps to read a 10,000-service table were
/// 20,000 system calls. Here each dump is a send linked to two receives (the data, then DONE),
/// and <see cref="BatchSize"/> such chains, one after the other, are submitted at once.
/// </summary>
/// <remarks>
/// The receives do not wait (MSG_DONTWAIT), so nothing can hang: an empty dump ends in its first
/// receive and its second finds nothing, which is why the second receive is hard-linked to the
/// next send (the chain goes on after it fails). A dump that needs more than two receives (a
/// service with more real servers than one 32 KiB datagram holds) makes the next dumps refused
/// as busy; <see cref="NetlinkSocket"/> sees which requests did not end, and finishes those and
/// the rest its ordinary way. Where io_uring is missing or forbidden (old kernels, seccomp,
/// IPVS_IO_URING=0), the ring is never created.
/// </remarks>
internal sealed unsafe class NetlinkDumpRing : IDisposable
{
    /// <summary>Dumps per submission: 128 chains of three operations.</summary>
    public const int BatchSize = 128;

    /// <summary>One receive buffer: dump datagrams are at most 32 KiB.</summary>
    public const int SlotSize = 32768;

    private const int OperationsPerDump = 3;
    private const int ReceivesPerDump = 2;

    // Set once io_uring turned out to be unavailable in this process: no point asking again.
    private static int s_unavailable = Environment.GetEnvironmentVariable("IPVS_IO_URING") == "0" ? 1 : 0;

    private readonly int _ringFd;
    private readonly byte* _submissionRing;
    private readonly nuint _submissionRingSize;
    private readonly byte* _completionRing;
    private readonly nuint _completionRingSize;
    private readonly LibC.IoUringSqe* _entries;
    private readonly nuint _entriesSize;
    private readonly uint* _submissionTail;
    private readonly uint _submissionMask;
    private readonly uint* _submissionArray;
    private readonly uint* _completionHead;
    private readonly uint* _completionTail;
    private readonly uint _completionMask;
    private readonly LibC.IoUringCqe* _completions;
    private byte* _slots;
    private LibC.MsgHdr* _headers;
    private LibC.IoVec* _vectors;
    private bool _disposed;
    // Set when a run failed with operations possibly still in flight: their buffers are then
    // never freed, since the kernel may yet write into them.
    private bool _abandoned;

    private NetlinkDumpRing(int ringFd, in LibC.IoUringParams parameters, byte* submissionRing, nuint submissionRingSize, byte* completionRing, nuint completionRingSize, LibC.IoUringSqe* entries, nuint entriesSize)
    {
        _ringFd = ringFd;
        _submissionRing = submissionRing;
        _submissionRingSize = submissionRingSize;
        _completionRing = completionRing;
        _completionRingSize = completionRingSize;
        _entries = entries;
        _entriesSize = entriesSize;
        _submissionTail = (uint*)(submissionRing + parameters.SqOffsets.Tail);
        _submissionMask = *(uint*)(submissionRing + parameters.SqOffsets.RingMask);
        _submissionArray = (uint*)(submissionRing + parameters.SqOffsets.Array);
        _completionHead = (uint*)(completionRing + parameters.CqOffsets.Head);
        _completionTail = (uint*)(completionRing + parameters.CqOffsets.Tail);
        _completionMask = *(uint*)(completionRing + parameters.CqOffsets.RingMask);
        _completions = (LibC.IoUringCqe*)(completionRing + parameters.CqOffsets.Cqes);
    }

    /// <summary>A ring, or null when io_uring is unavailable here (then it is not asked again).</summary>
    public static NetlinkDumpRing? TryCreate()
    {
        if (Volatile.Read(ref s_unavailable) != 0)
        {
            return null;
        }

        var ring = Create();
        if (ring is null)
        {
            Disable();
        }

        return ring;
    }

    /// <summary>No more rings in this process: io_uring turned out unusable for netlink here.</summary>
    public static void Disable() => Volatile.Write(ref s_unavailable, 1);

    private static NetlinkDumpRing? Create()
    {
        var parameters = default(LibC.IoUringParams);
        var fd = LibC.IoUringSetup(BatchSize * OperationsPerDump, &parameters);
        if (fd < 0)
        {
            return null;
        }

        var submissionRingSize = (nuint)(parameters.SqOffsets.Array + (parameters.SqEntries * sizeof(uint)));
        var completionRingSize = (nuint)(parameters.CqOffsets.Cqes + (parameters.CqEntries * (uint)sizeof(LibC.IoUringCqe)));
        var entriesSize = (nuint)(parameters.SqEntries * (uint)sizeof(LibC.IoUringSqe));
        var submissionRing = Map(fd, submissionRingSize, LibC.IORING_OFF_SQ_RING);
        var completionRing = Map(fd, completionRingSize, LibC.IORING_OFF_CQ_RING);
        var entries = (LibC.IoUringSqe*)Map(fd, entriesSize, LibC.IORING_OFF_SQES);
        if (submissionRing is null || completionRing is null || entries is null || parameters.SqEntries < BatchSize * OperationsPerDump)
        {
            Unmap(submissionRing, submissionRingSize);
            Unmap(completionRing, completionRingSize);
            Unmap(entries, entriesSize);
            LibC.Close(fd);
            return null;
        }

        return new NetlinkDumpRing(fd, parameters, submissionRing, submissionRingSize, completionRing, completionRingSize, entries, entriesSize);
    }

    private static byte* Map(int fd, nuint size, long offset)
    {
        var address = LibC.MMap(null, size, LibC.PROT_READ | LibC.PROT_WRITE, LibC.MAP_SHARED | LibC.MAP_POPULATE, fd, offset);
        return address == (void*)-1 ? null : (byte*)address;
    }

    private static void Unmap(void* address, nuint size)
    {
        if (address is not null)
        {
            LibC.MUnmap(address, size);
        }
    }

    /// <summary>The bytes receive <paramref name="receive"/> (0 to 2 × count − 1) got.</summary>
    public ReadOnlySpan<byte> Received(int receive, int length) => new(_slots + ((nint)receive * SlotSize), length);

    /// <summary>
    /// Sends each request (laid out in <paramref name="requests"/> at <paramref name="positions"/>,
    /// one more position marking the end) and receives twice after each, all linked in order.
    /// </summary>
    /// <param name="socket">The netlink socket's descriptor.</param>
    /// <param name="requests">The requests, with their final flags and sequence numbers.</param>
    /// <param name="positions">Where each request starts, and where the last one ends.</param>
    /// <param name="received">For receive 2j and 2j+1 of request j: the bytes received, or 0 when the receive did not happen or failed.</param>
    /// <returns>False when the kernel's io_uring refused the operations themselves (before Linux 5.3 it has no SENDMSG or RECVMSG).</returns>
    public bool Run(int socket, byte* requests, ReadOnlySpan<int> positions, Span<int> received)
    {
        var count = positions.Length - 1;
        if (count is < 1 or > BatchSize || received.Length < count * ReceivesPerDump)
        {
            throw new ArgumentOutOfRangeException(nameof(positions), "between 1 and " + BatchSize + " requests per run");
        }

        EnsureBuffers();
        var operations = (uint)(count * OperationsPerDump);
        var tail = Volatile.Read(ref *_submissionTail);
        for (var j = 0; j < count; j++)
        {
            for (var k = 0; k < OperationsPerDump; k++)
            {
                var operation = (j * OperationsPerDump) + k;
                var vector = _vectors + operation;
                var header = _headers + operation;
                if (k == 0)
                {
                    vector->Base = requests + positions[j];
                    vector->Length = (nuint)(positions[j + 1] - positions[j]);
                }
                else
                {
                    vector->Base = _slots + ((nint)((j * ReceivesPerDump) + k - 1) * SlotSize);
                    vector->Length = SlotSize;
                }

                *header = default;
                header->Iov = vector;
                header->IovLength = 1;

                var slot = tail & _submissionMask;
                var entry = _entries + slot;
                *entry = default;
                entry->Opcode = k == 0 ? LibC.IORING_OP_SENDMSG : LibC.IORING_OP_RECVMSG;
                entry->Fd = socket;
                entry->Address = (ulong)header;
                entry->Length = 1;
                entry->MessageFlags = k == 0 ? 0u : (uint)LibC.MSG_DONTWAIT;
                entry->UserData = (ulong)operation;
                entry->Flags = operation == operations - 1 ? (byte)0 : k == OperationsPerDump - 1 ? LibC.IOSQE_IO_HARDLINK : LibC.IOSQE_IO_LINK;
                _submissionArray[slot] = slot;
                tail++;
            }
        }

        received[..(count * ReceivesPerDump)].Clear();
        Volatile.Write(ref *_submissionTail, tail);

        // Every operation completes, a cancelled one with -ECANCELED: wait for all of them.
        var submitted = 0u;
        var completed = 0u;
        var supported = true;
        while (completed < operations)
        {
            var result = LibC.IoUringEnter(_ringFd, operations - submitted, operations - completed, LibC.IORING_ENTER_GETEVENTS);
            if (result < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                if (errno != Errno.EINTR)
                {
                    _abandoned = true;
                    throw new NetlinkException(errno, context: "waiting for io_uring");
                }
            }
            else
            {
                submitted += (uint)result;
            }

            var head = Volatile.Read(ref *_completionHead);
            var end = Volatile.Read(ref *_completionTail);
            for (; head != end; head++)
            {
                var completion = _completions[head & _completionMask];
                var operation = (int)completion.UserData;
                var k = operation % OperationsPerDump;
                if (operation == 0 && completion.Result is -Errno.EINVAL or -Errno.EOPNOTSUPP)
                {
                    supported = false;
                }

                if (k > 0 && completion.Result > 0 && (_headers[operation].Flags & LibC.MSG_TRUNC) == 0)
                {
                    // A failed, cancelled or truncated receive counts as none: its request will not
                    // have ended, and the socket's ordinary path does it again.
                    received[((operation / OperationsPerDump) * ReceivesPerDump) + k - 1] = completion.Result;
                }

                completed++;
            }

            Volatile.Write(ref *_completionHead, head);
        }

        return supported;
    }

    private void EnsureBuffers()
    {
        if (_slots is not null)
        {
            return;
        }

        // Native memory, touched only as far as the kernel writes: a few KiB per dump usually.
        _slots = (byte*)NativeMemory.Alloc((nuint)BatchSize * ReceivesPerDump * SlotSize);
        _headers = (LibC.MsgHdr*)NativeMemory.Alloc((nuint)BatchSize * OperationsPerDump, (nuint)sizeof(LibC.MsgHdr));
        _vectors = (LibC.IoVec*)NativeMemory.Alloc((nuint)BatchSize * OperationsPerDump, (nuint)sizeof(LibC.IoVec));
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        Unmap(_submissionRing, _submissionRingSize);
        Unmap(_completionRing, _completionRingSize);
        Unmap(_entries, _entriesSize);
        LibC.Close(_ringFd);
        if (_abandoned)
        {
            return;
        }

        NativeMemory.Free(_slots);
        NativeMemory.Free(_headers);
        NativeMemory.Free(_vectors);
        _slots = null;
        _headers = null;
        _vectors = null;
    }
}
