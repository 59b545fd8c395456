using System.Globalization;

namespace Ipvs.Health.Checks;

/// <summary>
/// MISC_CHECK as keepalived 2.2.7 runs it: the program (an argument array, never a shell) in a
/// process group of its own; exit 0 is up; with misc_dynamic, 2–255 is up with weight
/// exit − 2 and 0 is up with the configured weight (keepalived's effective range 0..253); any
/// other exit, a signal or the timeout is down. At the timeout the group gets SIGTERM, then
/// SIGKILL two seconds later (keepalived's sequence, so an attempt may last the timeout plus two
/// seconds). With a user, the program runs through <c>setpriv</c> (<see cref="RunAs"/>)
/// (util-linux; it needs root, as keepalived's setuid does), which sets the user's groups as
/// keepalived's script user does.
/// </summary>
internal sealed class MiscChecker : IChecker
{
    /// <summary>The program that switches user (util-linux).</summary>

    private readonly MiscCheck _check;
    private readonly TimeProvider _timeProvider;
    private readonly string[]? _argv;
    private readonly string? _argvError;

    public MiscChecker(MiscCheck check, TimeProvider timeProvider)
    {
        if (check.Command.Count == 0)
        {
            throw new ArgumentException("a MISC check needs a program to run", nameof(check));
        }

        _check = check;
        _timeProvider = timeProvider;
        _argv = BuildArguments(check, out _argvError);
    }

    public CheckDefinition Definition => _check;

    /// <summary>The argument array run: the command, behind setpriv when another user is set (<see cref="RunAs"/>).</summary>
    internal static string[]? BuildArguments(MiscCheck check, out string? error) => RunAs.Wrap(check.User, check.Command, out error);

    public async ValueTask<CheckResult> CheckAsync(CheckTarget target, CancellationToken cancellationToken)
    {
        var started = _timeProvider.GetTimestamp();
        ScriptExit exit;
        bool timedOut;
        try
        {
            if (_argv is null)
            {
                return CheckResult.Down(TimeSpan.Zero, SafeText.From(_argvError));
            }

            (exit, timedOut) = await ScriptProcess.RunAsync(_argv, _check.Timeout, _timeProvider, cancellationToken).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            return CheckResult.Down(_timeProvider.GetElapsedTime(started), "could not run " + SafeText.From(e.Message));
        }

        var elapsed = _timeProvider.GetElapsedTime(started);
        if (timedOut)
        {
            return CheckResult.Down(elapsed, CheckSockets.TimedOut(_check.Timeout) + Output(exit));
        }

        switch (exit.ExitStatus)
        {
            case 0:
                // misc_dynamic with exit 0 puts the configured weight back (keepalived's cur_weight 0).
                return CheckResult.Up(elapsed, _check.Dynamic ? target.Weight : null);
            case >= 2 and <= 255 when _check.Dynamic:
                return CheckResult.Up(elapsed, exit.ExitStatus.Value - 2);
            case { } status:
                return CheckResult.Down(elapsed, "exited with status " + status.ToString(CultureInfo.InvariantCulture) + Output(exit));
            default:
                return CheckResult.Down(elapsed, exit.Signal is { } signal
                    ? "killed by signal " + signal.ToString(CultureInfo.InvariantCulture) + Output(exit)
                    : "its exit status was lost");
        }
    }

    public void Dispose()
    {
    }

    /// <summary>": " and the start of what the program wrote, escaped; empty when it wrote nothing.</summary>
    private static string Output(ScriptExit exit)
    {
        var text = exit.Output.AsSpan().TrimEnd("\r\n\t "u8);
        return text.IsEmpty ? string.Empty : ": " + SafeText.FromBytes(text, 200);
    }
}
