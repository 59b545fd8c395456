using System.Runtime.InteropServices;

namespace Ipvs.Cli.Adm.Interop;

internal static partial class AdmLibC
{
    private const uint S_IFMT = 0xF000;
    private const uint S_IFCHR = 0x2000;

    [LibraryImport(Library, EntryPoint = "write", SetLastError = true)]
    internal static unsafe partial nint Write(int fd, byte* buffer, nuint count);

    [LibraryImport(Library, EntryPoint = "read", SetLastError = true)]
    internal static unsafe partial nint Read(int fd, byte* buffer, nuint count);

    [LibraryImport(Library, EntryPoint = "isatty")]
    internal static partial int IsATty(int fd);

    [LibraryImport(Library, EntryPoint = "fstat", SetLastError = true)]
    private static unsafe partial int FStat(int fd, byte* stat);

    /// <summary>
    /// What glibc looks at when it first buffers a stream: whether the descriptor is a character
    /// device (then possibly a terminal) and its preferred block size.
    /// </summary>
    internal static unsafe bool TryGetStreamInfo(int fd, out bool isCharacterDevice, out long blockSize)
    {
        // struct stat differs between the two 64-bit layouts Linux uses: x86-64's own, and the
        // generic one of arm64 and the others.
        var stat = stackalloc byte[256];
        isCharacterDevice = false;
        blockSize = 0;
        if (FStat(fd, stat) != 0)
        {
            return false;
        }

        uint mode;
        if (RuntimeInformation.ProcessArchitecture == Architecture.X64)
        {
            mode = *(uint*)(stat + 24);
            blockSize = *(long*)(stat + 56);
        }
        else
        {
            mode = *(uint*)(stat + 16);
            blockSize = *(int*)(stat + 56);
        }

        isCharacterDevice = (mode & S_IFMT) == S_IFCHR;
        return true;
    }
}
