using System.Runtime.InteropServices;

namespace Ipvs.Netlink.Interop;

internal static partial class LibC
{
    internal const int O_WRONLY = 1;

    [LibraryImport(Library, EntryPoint = "posix_spawn_file_actions_init")]
    internal static unsafe partial int PosixSpawnFileActionsInit(void* actions);

    [LibraryImport(Library, EntryPoint = "posix_spawn_file_actions_destroy")]
    internal static unsafe partial int PosixSpawnFileActionsDestroy(void* actions);

    [LibraryImport(Library, EntryPoint = "posix_spawn_file_actions_adddup2")]
    internal static unsafe partial int PosixSpawnFileActionsAddDup2(void* actions, int fd, int newFd);

    [LibraryImport(Library, EntryPoint = "posix_spawn_file_actions_addopen")]
    internal static unsafe partial int PosixSpawnFileActionsAddOpen(void* actions, int fd, byte* path, int flags, uint mode);

    [LibraryImport(Library, EntryPoint = "posix_spawn")]
    internal static unsafe partial int PosixSpawn(int* pid, byte* path, void* actions, void* attributes, byte** argv, byte** envp);

    [LibraryImport(Library, EntryPoint = "waitpid", SetLastError = true)]
    internal static unsafe partial int WaitPid(int pid, int* status, int options);

    [LibraryImport(Library, EntryPoint = "write", SetLastError = true)]
    internal static unsafe partial nint Write(int fd, byte* buffer, nuint count);

    [LibraryImport(Library, EntryPoint = "pipe2", SetLastError = true)]
    internal static unsafe partial int Pipe2(int* fds, int flags);

    [LibraryImport(Library, EntryPoint = "read", SetLastError = true)]
    internal static unsafe partial nint Read(int fd, byte* buffer, nuint count);

    /// <summary>The process's environment (the C library's <c>environ</c>), for a child to inherit.</summary>
    [LibraryImport(Library, EntryPoint = "dlsym")]
    internal static unsafe partial void* DlSym(nint handle, byte* symbol);
}
