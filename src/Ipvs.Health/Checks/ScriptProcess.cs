using System.Runtime.InteropServices;
using System.Text;

namespace Ipvs.Health.Checks;

/// <summary>How a program run by a check ended.</summary>
/// <param name="ExitStatus">The exit status, or null when a signal ended it.</param>
/// <param name="Signal">The signal that ended it, or null.</param>
/// <param name="Output">The first bytes it wrote on standard output and error (at most <see cref="ScriptProcess.MaxOutputBytes"/>).</param>
internal readonly record struct ScriptExit(int? ExitStatus, int? Signal, byte[] Output);

/// <summary>
/// Runs a program with an argument array (posix_spawnp, no shell) in a process group of its
/// own, as keepalived runs a MISC_CHECK script, so that a timeout can end the program and
/// whatever it started: SIGTERM to the group, SIGKILL two seconds later (keepalived's sequence).
/// Standard output and error go to one pipe of which the first <see cref="MaxOutputBytes"/> are
/// kept and the rest is read and dropped (keepalived sends them to /dev/null).
/// </summary>
/// <remarks>
/// posix_spawn rather than System.Diagnostics.Process, as <c>Ipvs.Kernel.ChildProcess</c> does
/// (Process costs every start of the native binary), and because Process can neither start a
/// process group nor tell an exit status of 137 from a SIGKILL, which MISC_CHECK's misc_dynamic
/// needs to tell apart. A supervising thread polls the pipe and waitpid(WNOHANG) every 50 ms, so
/// neither a silent program nor a grandchild that keeps the pipe open can block it.
/// </remarks>
internal static partial class ScriptProcess
{
    /// <summary>The most output kept.</summary>
    public const int MaxOutputBytes = 1024;

    /// <summary>The pause between SIGTERM and SIGKILL (keepalived's).</summary>
    public static readonly TimeSpan TerminationGrace = TimeSpan.FromSeconds(2);

    private const int SIGKILL = 9;
    private const int SIGTERM = 15;
    private const int SIGPIPE = 13;
    private const short POSIX_SPAWN_SETPGROUP = 0x02;
    private const short POSIX_SPAWN_SETSIGDEF = 0x04;
    private const short POSIX_SPAWN_SETSIGMASK = 0x08;
    private const int O_CLOEXEC = 0x80000;
    private const int O_NONBLOCK = 0x800;
    private const int O_RDONLY = 0;
    private const int WNOHANG = 1;
    private const short POLLIN = 1;
    private const int EINTR = 4;
    private const int EAGAIN = 11;

    /// <summary>
    /// Runs <paramref name="argv"/> (argv[0] is looked up in PATH) until it exits, or until
    /// <paramref name="timeout"/>, when its group is terminated. Returns how it ended, and whether
    /// the timeout ended it.
    /// </summary>
    /// <exception cref="IOException">The program could not be started (the message says why).</exception>
    public static async Task<(ScriptExit Exit, bool TimedOut)> RunAsync(IReadOnlyList<string> argv, TimeSpan timeout, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        var (pid, output) = Native.Spawn(argv);
        var supervision = Task.Factory.StartNew(() => Native.Supervise(pid, output), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        var timedOut = false;
        try
        {
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var deadline = Task.Delay(timeout, timeProvider, stop.Token);
            if (await Task.WhenAny(supervision, deadline).ConfigureAwait(false) != supervision)
            {
                timedOut = true;
                _ = Native.Kill(-pid, SIGTERM);
                var grace = Task.Delay(TerminationGrace, timeProvider, stop.Token);
                if (await Task.WhenAny(supervision, grace).ConfigureAwait(false) != supervision)
                {
                    _ = Native.Kill(-pid, SIGKILL);
                }
            }

            await stop.CancelAsync().ConfigureAwait(false);
            var exit = await supervision.ConfigureAwait(false);
            // Stopped by the caller rather than by the timeout: the program is gone, say so.
            cancellationToken.ThrowIfCancellationRequested();
            if (exit.Signal == SIGTERM && timedOut)
            {
                // keepalived: once the script is gone, anything it left in its group is killed.
                _ = Native.Kill(-pid, SIGKILL);
            }

            return (exit, timedOut);
        }
        catch (OperationCanceledException)
        {
            _ = Native.Kill(-pid, SIGKILL);
            await supervision.ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The native half: spawning, supervising, signals.</summary>
    private static unsafe partial class Native
    {
        public static (int Pid, int Output) Spawn(IReadOnlyList<string> argv)
        {
            if (argv.Count == 0 || string.IsNullOrEmpty(argv[0]))
            {
                throw new IOException("no program to run");
            }

            var strings = new List<nint>();
            var attributes = NativeMemory.AllocZeroed(1024);
            var actions = NativeMemory.AllocZeroed(256);
            var signals = NativeMemory.AllocZeroed(128);
            int* pipe = stackalloc int[2];
            pipe[0] = pipe[1] = -1;
            try
            {
                var args = (byte**)NativeMemory.AllocZeroed((nuint)(argv.Count + 1), (nuint)sizeof(nint));
                strings.Add((nint)args);
                for (var i = 0; i < argv.Count; i++)
                {
                    args[i] = CString(argv[i], strings);
                }

                if (Pipe2(pipe, O_CLOEXEC) != 0)
                {
                    throw new IOException("pipe: " + Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError()));
                }

                _ = PosixSpawnFileActionsInit(actions);
                _ = PosixSpawnFileActionsAddOpen(actions, 0, CString("/dev/null", strings), O_RDONLY, 0);
                _ = PosixSpawnFileActionsAddDup2(actions, pipe[1], 1);
                _ = PosixSpawnFileActionsAddDup2(actions, pipe[1], 2);

                _ = PosixSpawnAttrInit(attributes);
                _ = PosixSpawnAttrSetFlags(attributes, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
                _ = PosixSpawnAttrSetPGroup(attributes, 0);
                // The runtime ignores SIGPIPE, and an ignored signal stays ignored across exec.
                _ = SigEmptySet(signals);
                _ = SigAddSet(signals, SIGPIPE);
                _ = SigAddSet(signals, SIGTERM);
                _ = PosixSpawnAttrSetSigDefault(attributes, signals);
                _ = SigEmptySet(signals);
                _ = PosixSpawnAttrSetSigMask(attributes, signals);

                var environ = DlSym(0, CString("environ", strings));
                var envp = environ is null ? null : *(byte***)environ;
                int pid;
                var spawned = PosixSpawnp(&pid, args[0], actions, attributes, args, envp);
                if (spawned != 0)
                {
                    throw new IOException(argv[0] + ": " + Marshal.GetPInvokeErrorMessage(spawned));
                }

                _ = Close(pipe[1]);
                pipe[1] = -1;
                _ = Fcntl(pipe[0], 4 /* F_SETFL */, O_NONBLOCK);
                var output = pipe[0];
                pipe[0] = -1;
                return (pid, output);
            }
            finally
            {
                _ = PosixSpawnFileActionsDestroy(actions);
                _ = PosixSpawnAttrDestroy(attributes);
                NativeMemory.Free(actions);
                NativeMemory.Free(attributes);
                NativeMemory.Free(signals);
                foreach (var s in strings)
                {
                    NativeMemory.Free((void*)s);
                }

                for (var i = 0; i < 2; i++)
                {
                    if (pipe[i] >= 0)
                    {
                        _ = Close(pipe[i]);
                    }
                }
            }
        }

        /// <summary>Reads the output (keeping the first bytes) and reaps the process; returns once it has exited.</summary>
        public static ScriptExit Supervise(int pid, int output)
        {
            var kept = new byte[MaxOutputBytes];
            var keptLength = 0;
            var chunk = stackalloc byte[4096];
            var open = true;
            try
            {
                while (true)
                {
                    if (open)
                    {
                        var poll = new PollFd { Fd = output, Events = POLLIN };
                        _ = Poll(&poll, 1, 50);
                        open = Drain(output, chunk, kept, ref keptLength);
                    }
                    else
                    {
                        Thread.Sleep(50);
                    }

                    int status;
                    var reaped = WaitPid(pid, &status, WNOHANG);
                    if (reaped == pid)
                    {
                        if (open)
                        {
                            Drain(output, chunk, kept, ref keptLength);
                        }

                        var signal = status & 0x7F;
                        return signal == 0
                            ? new ScriptExit((status >> 8) & 0xFF, null, kept[..keptLength])
                            : new ScriptExit(null, signal, kept[..keptLength]);
                    }

                    if (reaped < 0 && Marshal.GetLastPInvokeError() != EINTR)
                    {
                        // Reaped elsewhere (ECHILD): nothing more can be known.
                        return new ScriptExit(null, null, kept[..keptLength]);
                    }
                }
            }
            finally
            {
                _ = Close(output);
            }
        }

        /// <summary>Reads what is available; false at the end of the stream.</summary>
        private static bool Drain(int fd, byte* chunk, byte[] kept, ref int keptLength)
        {
            while (true)
            {
                var read = Read(fd, chunk, 4096);
                if (read > 0)
                {
                    var take = (int)Math.Min(read, kept.Length - keptLength);
                    new ReadOnlySpan<byte>(chunk, take).CopyTo(kept.AsSpan(keptLength));
                    keptLength += take;
                    continue;
                }

                if (read == 0)
                {
                    return false;
                }

                var errno = Marshal.GetLastPInvokeError();
                if (errno == EINTR)
                {
                    continue;
                }

                return errno == EAGAIN;
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

        [StructLayout(LayoutKind.Sequential)]
        private struct PollFd
        {
            public int Fd;
            public short Events;
            public short Revents;
        }

        [LibraryImport("libc", EntryPoint = "posix_spawnp")]
        private static partial int PosixSpawnp(int* pid, byte* file, void* actions, void* attributes, byte** argv, byte** envp);

        [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_init")]
        private static partial int PosixSpawnFileActionsInit(void* actions);

        [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_destroy")]
        private static partial int PosixSpawnFileActionsDestroy(void* actions);

        [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_adddup2")]
        private static partial int PosixSpawnFileActionsAddDup2(void* actions, int fd, int newFd);

        [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_addopen")]
        private static partial int PosixSpawnFileActionsAddOpen(void* actions, int fd, byte* path, int flags, uint mode);

        [LibraryImport("libc", EntryPoint = "posix_spawnattr_init")]
        private static partial int PosixSpawnAttrInit(void* attributes);

        [LibraryImport("libc", EntryPoint = "posix_spawnattr_destroy")]
        private static partial int PosixSpawnAttrDestroy(void* attributes);

        [LibraryImport("libc", EntryPoint = "posix_spawnattr_setflags")]
        private static partial int PosixSpawnAttrSetFlags(void* attributes, short flags);

        [LibraryImport("libc", EntryPoint = "posix_spawnattr_setpgroup")]
        private static partial int PosixSpawnAttrSetPGroup(void* attributes, int pgroup);

        [LibraryImport("libc", EntryPoint = "posix_spawnattr_setsigdefault")]
        private static partial int PosixSpawnAttrSetSigDefault(void* attributes, void* signals);

        [LibraryImport("libc", EntryPoint = "posix_spawnattr_setsigmask")]
        private static partial int PosixSpawnAttrSetSigMask(void* attributes, void* signals);

        [LibraryImport("libc", EntryPoint = "sigemptyset")]
        private static partial int SigEmptySet(void* set);

        [LibraryImport("libc", EntryPoint = "sigaddset")]
        private static partial int SigAddSet(void* set, int signal);

        [LibraryImport("libc", EntryPoint = "pipe2", SetLastError = true)]
        private static partial int Pipe2(int* fds, int flags);

        [LibraryImport("libc", EntryPoint = "fcntl")]
        private static partial int Fcntl(int fd, int command, int argument);

        [LibraryImport("libc", EntryPoint = "close")]
        private static partial int Close(int fd);

        [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
        private static partial nint Read(int fd, byte* buffer, nuint count);

        [LibraryImport("libc", EntryPoint = "poll")]
        private static partial int Poll(PollFd* fds, nuint count, int timeout);

        [LibraryImport("libc", EntryPoint = "waitpid", SetLastError = true)]
        private static partial int WaitPid(int pid, int* status, int options);

        [LibraryImport("libc", EntryPoint = "kill")]
        public static partial int Kill(int pid, int signal);

        [LibraryImport("libc", EntryPoint = "dlsym")]
        private static partial void* DlSym(nint handle, byte* symbol);
    }
}
