using System.Runtime.InteropServices;

namespace Ipvs.Netlink.Interop;

/// <summary>
/// io_uring (linux/io_uring.h), through syscall(2): glibc has no wrappers. Used to chain many
/// netlink dumps (send, receive, receive) into one system call; see <see cref="NetlinkDumpRing"/>.
/// </summary>
internal static partial class LibC
{
    // The same numbers on x86-64 and arm64 (io_uring came after the syscall tables were unified).
    internal const long SYS_io_uring_setup = 425;
    internal const long SYS_io_uring_enter = 426;

    internal const long IORING_OFF_SQ_RING = 0;
    internal const long IORING_OFF_CQ_RING = 0x8000000;
    internal const long IORING_OFF_SQES = 0x10000000;

    internal const byte IORING_OP_SENDMSG = 9;
    internal const byte IORING_OP_RECVMSG = 10;
    internal const byte IOSQE_IO_LINK = 1 << 2;
    internal const byte IOSQE_IO_HARDLINK = 1 << 3;
    internal const uint IORING_ENTER_GETEVENTS = 1;

    internal const int PROT_READ = 0x1;
    internal const int PROT_WRITE = 0x2;
    internal const int MAP_SHARED = 0x01;
    internal const int MAP_POPULATE = 0x8000;

    [StructLayout(LayoutKind.Sequential)]
    internal struct IoSqRingOffsets
    {
        public uint Head;
        public uint Tail;
        public uint RingMask;
        public uint RingEntries;
        public uint Flags;
        public uint Dropped;
        public uint Array;
        public uint Reserved1;
        public ulong UserAddress;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct IoCqRingOffsets
    {
        public uint Head;
        public uint Tail;
        public uint RingMask;
        public uint RingEntries;
        public uint Overflow;
        public uint Cqes;
        public uint Flags;
        public uint Reserved1;
        public ulong UserAddress;
    }

    /// <summary>struct io_uring_params (120 bytes).</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct IoUringParams
    {
        public uint SqEntries;
        public uint CqEntries;
        public uint Flags;
        public uint SqThreadCpu;
        public uint SqThreadIdle;
        public uint Features;
        public uint WqFd;
        public uint Reserved0;
        public uint Reserved1;
        public uint Reserved2;
        public IoSqRingOffsets SqOffsets;
        public IoCqRingOffsets CqOffsets;
    }

    /// <summary>struct io_uring_sqe (64 bytes), with the fields a send or receive uses.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 64)]
    internal struct IoUringSqe
    {
        [FieldOffset(0)]
        public byte Opcode;
        [FieldOffset(1)]
        public byte Flags;
        [FieldOffset(4)]
        public int Fd;
        [FieldOffset(16)]
        public ulong Address;
        [FieldOffset(24)]
        public uint Length;
        [FieldOffset(28)]
        public uint MessageFlags;
        [FieldOffset(32)]
        public ulong UserData;
    }

    /// <summary>struct io_uring_cqe (16 bytes).</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct IoUringCqe
    {
        public ulong UserData;
        public int Result;
        public uint Flags;
    }

    [LibraryImport(Library, EntryPoint = "syscall", SetLastError = true)]
    private static partial long Syscall(long number, long a1, long a2, long a3, long a4, long a5, long a6);

    internal static unsafe int IoUringSetup(uint entries, IoUringParams* parameters) =>
        (int)Syscall(SYS_io_uring_setup, entries, (long)parameters, 0, 0, 0, 0);

    internal static int IoUringEnter(int fd, uint submit, uint minComplete, uint flags) =>
        (int)Syscall(SYS_io_uring_enter, fd, submit, minComplete, flags, 0, 0);

    [LibraryImport(Library, EntryPoint = "mmap", SetLastError = true)]
    internal static unsafe partial void* MMap(void* address, nuint length, int protection, int flags, int fd, long offset);

    [LibraryImport(Library, EntryPoint = "munmap", SetLastError = true)]
    internal static unsafe partial int MUnmap(void* address, nuint length);
}
