using System.Net;

namespace Ipvs.Health.Checks;

/// <summary>Where one attempt of a check goes: the address and port after connect_ip/connect_port, and the server's configured weight.</summary>
/// <param name="Address">The address to probe.</param>
/// <param name="Port">The port to probe (0 for checks without one).</param>
/// <param name="Weight">The real server's configured weight (a dynamic check may replace it).</param>
public readonly record struct CheckTarget(IPAddress Address, ushort Port, int Weight);

/// <summary>The outcome of one attempt of a check.</summary>
/// <param name="IsUp">True when the server passed.</param>
/// <param name="Duration">How long the attempt took.</param>
/// <param name="Failure">Why it failed, already made safe for a log line (see <see cref="SafeText"/>); null when up.</param>
/// <param name="Weight">A weight the check sets (MISC_CHECK with misc_dynamic, FILE_CHECK); null keeps the configured weight.</param>
public readonly record struct CheckResult(bool IsUp, TimeSpan Duration, string? Failure, int? Weight = null)
{
    /// <summary>A pass.</summary>
    public static CheckResult Up(TimeSpan duration, int? weight = null) => new(true, duration, null, weight);

    /// <summary>A failure; <paramref name="failure"/> must already be safe text.</summary>
    public static CheckResult Down(TimeSpan duration, string failure) => new(false, duration, failure);
}

/// <summary>
/// Runs single attempts of one <see cref="CheckDefinition"/>; retries, timing and sharing are the
/// caller's. Implementations are thread-safe, never throw for a failed attempt (only report it),
/// and put nothing a server sent into <see cref="CheckResult.Failure"/> without
/// <see cref="SafeText"/>.
/// </summary>
public interface IChecker : IDisposable
{
    /// <summary>The check this runs.</summary>
    CheckDefinition Definition { get; }

    /// <summary>One attempt against <paramref name="target"/>, bounded by the definition's timeout.</summary>
    ValueTask<CheckResult> CheckAsync(CheckTarget target, CancellationToken cancellationToken);
}

/// <summary>
/// A checker whose attempts go one step at a time (HTTP_GET/SSL_GET: one URL per step), so the
/// runner can follow keepalived's per-URL timing.
/// </summary>
internal interface IStepwiseChecker : IChecker
{
    /// <summary>The number of steps (URLs).</summary>
    int StepCount { get; }

    /// <summary>Step <paramref name="step"/> alone against <paramref name="target"/>.</summary>
    ValueTask<CheckResult> CheckStepAsync(CheckTarget target, int step, CancellationToken cancellationToken);
}
