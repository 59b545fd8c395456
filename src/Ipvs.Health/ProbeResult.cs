namespace Ipvs.Health;

/// <summary>The outcome of one probe of one real server.</summary>
/// <param name="IsHealthy">True when the server answered as expected.</param>
/// <param name="Duration">How long the probe took (up to the timeout).</param>
/// <param name="Failure">Why it failed (for example "connection refused", "status 503", "timed out after 4.5s"); null when healthy.</param>
public readonly record struct ProbeResult(bool IsHealthy, TimeSpan Duration, string? Failure)
{
    /// <summary>A success that took <paramref name="duration"/>.</summary>
    public static ProbeResult Healthy(TimeSpan duration) => new(true, duration, null);

    /// <summary>A failure that took <paramref name="duration"/>.</summary>
    public static ProbeResult Unhealthy(TimeSpan duration, string failure) => new(false, duration, failure);
}
