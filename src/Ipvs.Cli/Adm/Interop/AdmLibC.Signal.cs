using System.Runtime.InteropServices;

namespace Ipvs.Cli.Adm.Interop;

internal static partial class AdmLibC
{
    /// <summary>Puts a signal back to its default action (the runtime handles SIGSEGV and ignores SIGPIPE).</summary>
    [LibraryImport(Library, EntryPoint = "signal")]
    internal static partial nint Signal(int signal, nint handler);

    [LibraryImport(Library, EntryPoint = "raise")]
    internal static partial int Raise(int signal);

    [LibraryImport(Library, EntryPoint = "_exit")]
    internal static partial void Exit(int status);
}
