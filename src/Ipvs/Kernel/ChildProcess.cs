using System.Runtime.InteropServices;
using System.Text;
using Ipvs.Netlink.Interop;

namespace Ipvs.Kernel;

/// <summary>
/// Runs a program and waits for it, with posix_spawn. System.Diagnostics.Process would do, but
/// merely being in a Native AOT binary it costs every start of that binary several dozen page
/// faults (its types' statics are set up at start), and every command pays them. The programs
/// run are modprobe, and nft / iptables for <c>ipvs care</c>'s link mode. Always an argument
/// array, never a shell.
/// </summary>
public static unsafe class ChildProcess
{
    /// <summary>The exit status (or 128 + signal), or -1 with <paramref name="error"/> when it could not run.</summary>
    /// <param name="path">The program.</param>
    /// <param name="arguments">argv[1] onwards.</param>
    /// <param name="captureError">Read the program's standard error into <paramref name="standardError"/>, and drop its standard output; otherwise both are inherited.</param>
    /// <param name="standardError">What the program wrote on standard error, when captured.</param>
    /// <param name="error">Why it could not run.</param>
    public static int Run(string path, string[] arguments, bool captureError, out string standardError, out string? error) =>
        Run(path, arguments, null, captureError, out standardError, out error);

    /// <summary>
    /// As <see cref="Run(string, string[], bool, out string, out string?)"/>, with
    /// <paramref name="standardInput"/> (when not null) written to the program's standard input,
    /// which is then closed.
    /// </summary>
    /// <param name="path">The program.</param>
    /// <param name="arguments">argv[1] onwards.</param>
    /// <param name="standardInput">What the program reads on standard input; null to inherit it.</param>
    /// <param name="captureError">Read the program's standard error into <paramref name="standardError"/>, and drop its standard output; otherwise both are inherited.</param>
    /// <param name="standardError">What the program wrote on standard error, when captured.</param>
    /// <param name="error">Why it could not run.</param>
    public static int Run(string path, string[] arguments, string? standardInput, bool captureError, out string standardError, out string? error)
    {
        standardError = string.Empty;
        error = null;
        var strings = new List<nint>();
        var actions = NativeMemory.AllocZeroed(256);
        int* pipe = stackalloc int[2];
        int* input = stackalloc int[2];
        pipe[0] = pipe[1] = input[0] = input[1] = -1;
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
                    error = "pipe: " + Errno.StrError(Marshal.GetLastPInvokeError());
                    return -1;
                }

                LibC.PosixSpawnFileActionsAddDup2(actions, pipe[1], 2);
                LibC.PosixSpawnFileActionsAddOpen(actions, 1, CString("/dev/null", strings), LibC.O_WRONLY, 0);
            }

            if (standardInput is not null)
            {
                if (LibC.Pipe2(input, LibC.O_CLOEXEC) != 0)
                {
                    error = "pipe: " + Errno.StrError(Marshal.GetLastPInvokeError());
                    return -1;
                }

                LibC.PosixSpawnFileActionsAddDup2(actions, input[0], 0);
            }

            var environ = LibC.DlSym(0, CString("environ", strings));
            var envp = environ is null ? null : *(byte***)environ;
            int pid;
            var spawned = LibC.PosixSpawn(&pid, argv[0], actions, null, argv, envp);
            if (spawned != 0)
            {
                error = Errno.StrError(spawned);
                return -1;
            }

            if (standardInput is not null)
            {
                // Written whole before standard error is read: the programs run read all their
                // input before they report (nft -f -), and rule sets are far below a pipe's buffer.
                LibC.Close(input[0]);
                input[0] = -1;
                WriteAll(input[1], standardInput);
                LibC.Close(input[1]);
                input[1] = -1;
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
                if (errno != Errno.EINTR)
                {
                    error = "waitpid: " + Errno.StrError(errno);
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

                if (input[i] >= 0)
                {
                    LibC.Close(input[i]);
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

    // A program that exits without reading everything makes the write fail (EPIPE; the runtime
    // ignores SIGPIPE): the rest is dropped and its exit status tells what happened.
    private static void WriteAll(int fd, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        fixed (byte* start = bytes)
        {
            var written = 0;
            while (written < bytes.Length)
            {
                var count = LibC.Write(fd, start + written, (nuint)(bytes.Length - written));
                if (count > 0)
                {
                    written += (int)count;
                }
                else if (count < 0 && Marshal.GetLastPInvokeError() == Errno.EINTR)
                {
                    continue;
                }
                else
                {
                    return;
                }
            }
        }
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

            if (count < 0 && Marshal.GetLastPInvokeError() == Errno.EINTR)
            {
                continue;
            }

            return Encoding.UTF8.GetString([.. output]);
        }
    }
}
