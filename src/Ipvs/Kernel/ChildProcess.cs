using System.Runtime.InteropServices;
using System.Text;
using Ipvs.Netlink.Interop;

namespace Ipvs.Kernel;

/// <summary>
/// Runs a program and waits for it, with posix_spawn. System.Diagnostics.Process would do, but
/// merely being in a Native AOT binary it costs every start of that binary several dozen page
/// faults (its types' statics are set up at start), and every command pays them: modprobe is
/// the only program run.
/// </summary>
internal static unsafe class ChildProcess
{
    /// <summary>The exit status (or 128 + signal), or -1 with <paramref name="error"/> when it could not run.</summary>
    /// <param name="path">The program.</param>
    /// <param name="arguments">argv[1] onwards.</param>
    /// <param name="captureError">Read the program's standard error into <paramref name="standardError"/>, and drop its standard output; otherwise both are inherited.</param>
    /// <param name="standardError">What the program wrote on standard error, when captured.</param>
    /// <param name="error">Why it could not run.</param>
    public static int Run(string path, string[] arguments, bool captureError, out string standardError, out string? error)
    {
        standardError = string.Empty;
        error = null;
        var strings = new List<nint>();
        var actions = NativeMemory.AllocZeroed(256);
        int* pipe = stackalloc int[2];
        pipe[0] = pipe[1] = -1;
        try
        {
            var argv = (byte**)NativeMemory.AllocZeroed((nuint)(arguments.Length + 2), (nuint)sizeof(nint));
            strings.Add((nint)argv);
            argv[0] = CString(path, strings);
            for (var i = 0; i < arguments.Length; i++)
            {
                argv[i + 1] = CString(arguments[i], strings);
            }

            LibC.PosixSpawnFileActionsInit(actions);
            if (captureError)
            {
                if (LibC.Pipe2(pipe, LibC.O_CLOEXEC) != 0)
                {
                    error = "pipe: " + LibC.StrError(Marshal.GetLastPInvokeError());
                    return -1;
                }

                LibC.PosixSpawnFileActionsAddDup2(actions, pipe[1], 2);
                LibC.PosixSpawnFileActionsAddOpen(actions, 1, CString("/dev/null", strings), LibC.O_WRONLY, 0);
            }

            var environ = LibC.DlSym(0, CString("environ", strings));
            var envp = environ is null ? null : *(byte***)environ;
            int pid;
            var spawned = LibC.PosixSpawn(&pid, argv[0], actions, null, argv, envp);
            if (spawned != 0)
            {
                error = LibC.StrError(spawned);
                return -1;
            }

            if (captureError)
            {
                LibC.Close(pipe[1]);
                pipe[1] = -1;
                standardError = ReadAll(pipe[0]);
            }

            int status;
            while (LibC.WaitPid(pid, &status, 0) < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                if (errno != LibC.EINTR)
                {
                    error = "waitpid: " + LibC.StrError(errno);
                    return -1;
                }
            }

            // WIFEXITED: the low 7 bits are 0; then the status is in the next byte.
            return (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F);
        }
        finally
        {
            LibC.PosixSpawnFileActionsDestroy(actions);
            NativeMemory.Free(actions);
            foreach (var s in strings)
            {
                NativeMemory.Free((void*)s);
            }

            for (var i = 0; i < 2; i++)
            {
                if (pipe[i] >= 0)
                {
                    LibC.Close(pipe[i]);
                }
            }
        }
    }

    private static byte* CString(string text, List<nint> strings)
    {
        var length = Encoding.UTF8.GetByteCount(text);
        var bytes = (byte*)NativeMemory.Alloc((nuint)length + 1);
        strings.Add((nint)bytes);
        Encoding.UTF8.GetBytes(text, new Span<byte>(bytes, length));
        bytes[length] = 0;
        return bytes;
    }

    private static string ReadAll(int fd)
    {
        var output = new List<byte>();
        var buffer = stackalloc byte[1024];
        while (true)
        {
            var count = LibC.Read(fd, buffer, 1024);
            if (count > 0)
            {
                output.AddRange(new ReadOnlySpan<byte>(buffer, (int)count));
                continue;
            }

            if (count < 0 && Marshal.GetLastPInvokeError() == LibC.EINTR)
            {
                continue;
            }

            return Encoding.UTF8.GetString([.. output]);
        }
    }
}
