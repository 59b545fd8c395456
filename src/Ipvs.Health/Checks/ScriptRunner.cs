using System.Runtime.InteropServices;
using System.Text;
using Ipvs.Netlink.Interop;

namespace Ipvs.Health.Checks;

/// <summary>How a script ended.</summary>
/// <param name="ExitStatus">Its exit status (128 + signal when killed by one), or -1 when it could not run.</param>
/// <param name="TimedOut">True when it was killed at its timeout.</param>
/// <param name="Error">Why it could not run; null otherwise.</param>
public readonly record struct ScriptResult(int ExitStatus, bool TimedOut, string? Error);

/// <summary>Runs the scripts of a checked service (notify_up/down, quorum_up/down).</summary>
public interface IScriptRunner
{
    /// <summary>Runs <paramref name="script"/> to its end or its timeout.</summary>
    Task<ScriptResult> RunAsync(ScriptCommand script, CancellationToken cancellationToken);
}

/// <summary>The script runner that starts programs.</summary>
public static class ScriptRunners
{
    /// <summary>
    /// Starts each script with posix_spawn and its argument array (never a shell), in its own
    /// process group, standard streams on /dev/null; as another user through
    /// <c>setpriv</c> (<see cref="RunAs"/>); the group is killed at the timeout (measured on
    /// <paramref name="timeProvider"/>).
    /// </summary>
    public static IScriptRunner Create(TimeProvider? timeProvider = null) => new SpawningScriptRunner(timeProvider ?? TimeProvider.System);
}

internal sealed class SpawningScriptRunner(TimeProvider timeProvider) : IScriptRunner
{
    public async Task<ScriptResult> RunAsync(ScriptCommand script, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(script);
        if (script.Arguments.Count == 0)
        {
            return new ScriptResult(-1, false, "no program to run");
        }

        var argv = Command(script, out var error);
        if (argv is null)
        {
            return new ScriptResult(-1, false, error);
        }

        var pid = Spawn(argv, out error);
        if (pid < 0)
        {
            return new ScriptResult(-1, false, error);
        }

        // waitpid blocks: a thread of its own per running script (scripts are events, not a stream).
        var exited = Task.Factory.StartNew(() => Wait(pid), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var timeout = Task.Delay(script.Timeout, timeProvider, stop.Token);
        var first = await Task.WhenAny(exited, timeout).ConfigureAwait(false);
        if (first == exited)
        {
            await stop.CancelAsync().ConfigureAwait(false);
            return new ScriptResult(await exited.ConfigureAwait(false), false, null);
        }

        // The timeout, or the daemon stopping: the whole process group goes.
        LibC.Kill(-pid, LibC.SIGKILL);
        var status = await exited.ConfigureAwait(false);
        return new ScriptResult(status, !cancellationToken.IsCancellationRequested, null);
    }

    internal static string[]? Command(ScriptCommand script, out string? error) => RunAs.Wrap(script.User, script.Arguments, out error);

    private static unsafe int Spawn(string[] arguments, out string? error)
    {
        error = null;
        var strings = new List<nint>();
        var actions = NativeMemory.AllocZeroed(256);
        var attributes = NativeMemory.AllocZeroed(512);
        try
        {
            var argv = (byte**)NativeMemory.AllocZeroed((nuint)(arguments.Length + 1), (nuint)sizeof(nint));
            strings.Add((nint)argv);
            for (var i = 0; i < arguments.Length; i++)
            {
                argv[i] = CString(arguments[i], strings);
            }

            LibC.PosixSpawnFileActionsInit(actions);
            var devNull = CString("/dev/null", strings);
            LibC.PosixSpawnFileActionsAddOpen(actions, 0, devNull, LibC.O_RDWR, 0);
            LibC.PosixSpawnFileActionsAddDup2(actions, 0, 1);
            LibC.PosixSpawnFileActionsAddDup2(actions, 0, 2);
            LibC.PosixSpawnAttrInit(attributes);
            LibC.PosixSpawnAttrSetFlags(attributes, LibC.POSIX_SPAWN_SETPGROUP);
            LibC.PosixSpawnAttrSetPGroup(attributes, 0);
            var environ = LibC.DlSym(0, CString("environ", strings));
            var envp = environ is null ? null : *(byte***)environ;
            int pid;
            var spawned = LibC.PosixSpawn(&pid, argv[0], actions, attributes, argv, envp);
            if (spawned != 0)
            {
                error = arguments[0] + ": " + Errno.StrError(spawned);
                return -1;
            }

            return pid;
        }
        finally
        {
            LibC.PosixSpawnFileActionsDestroy(actions);
            LibC.PosixSpawnAttrDestroy(attributes);
            NativeMemory.Free(actions);
            NativeMemory.Free(attributes);
            foreach (var s in strings)
            {
                NativeMemory.Free((void*)s);
            }
        }
    }

    private static unsafe int Wait(int pid)
    {
        int status;
        while (LibC.WaitPid(pid, &status, 0) < 0)
        {
            if (Marshal.GetLastPInvokeError() != Errno.EINTR)
            {
                return -1;
            }
        }

        return (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F);
    }

    private static unsafe byte* CString(string text, List<nint> strings)
    {
        var length = Encoding.UTF8.GetByteCount(text);
        var bytes = (byte*)NativeMemory.Alloc((nuint)length + 1);
        strings.Add((nint)bytes);
        Encoding.UTF8.GetBytes(text, new Span<byte>(bytes, length));
        bytes[length] = 0;
        return bytes;
    }
}
