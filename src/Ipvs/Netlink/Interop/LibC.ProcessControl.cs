using System.Runtime.InteropServices;

namespace Ipvs.Netlink.Interop;

// Spawning a program in its own process group and ending it (the care daemon's scripts).
internal static partial class LibC
{
    internal const int O_RDWR = 2;
    internal const short POSIX_SPAWN_SETPGROUP = 0x02;
    internal const int SIGKILL = 9;

    [LibraryImport(Library, EntryPoint = "posix_spawnattr_init")]
    internal static unsafe partial int PosixSpawnAttrInit(void* attributes);

    [LibraryImport(Library, EntryPoint = "posix_spawnattr_destroy")]
    internal static unsafe partial int PosixSpawnAttrDestroy(void* attributes);

    [LibraryImport(Library, EntryPoint = "posix_spawnattr_setflags")]
    internal static unsafe partial int PosixSpawnAttrSetFlags(void* attributes, short flags);

    [LibraryImport(Library, EntryPoint = "posix_spawnattr_setpgroup")]
    internal static unsafe partial int PosixSpawnAttrSetPGroup(void* attributes, int pgroup);

    [LibraryImport(Library, EntryPoint = "kill", SetLastError = true)]
    internal static partial int Kill(int pid, int signal);
}
