using Ipvs.Model;

namespace Ipvs.Health;

/// <summary>What the health checks have concluded about a real server.</summary>
public enum RealServerHealthState
{
    /// <summary>Not probed yet; served (lvscare adds every server before the first probe).</summary>
    Unknown,

    /// <summary>Passing its checks; served with its weight.</summary>
    Healthy,

    /// <summary>Failed <see cref="HealthCheckOptions.Fall"/> checks in a row: drained, then removed (unless the whole service is in panic).</summary>
    Unhealthy,
}

/// <summary>One real server's health: its state, its streaks, its last probe. Updated by <see cref="ServiceHealth"/>.</summary>
public sealed class RealServerHealth
{
    internal RealServerHealth(RealServer server)
    {
        Server = server;
    }

    /// <summary>The server as configured (address, port, weight, forwarding).</summary>
    public RealServer Server { get; }

    /// <summary>ADDRESS:PORT.</summary>
    public string Endpoint => Server.Endpoint;

    /// <summary>The current state.</summary>
    public RealServerHealthState State { get; private set; }

    /// <summary>Successful probes in a row.</summary>
    public int ConsecutiveSuccesses { get; private set; }

    /// <summary>Failed probes in a row.</summary>
    public int ConsecutiveFailures { get; private set; }

    /// <summary>The last probe's outcome, or null before the first.</summary>
    public ProbeResult? LastProbe { get; private set; }

    /// <summary>Probes so far that succeeded.</summary>
    public long SuccessCount { get; private set; }

    /// <summary>Probes so far that failed.</summary>
    public long FailureCount { get; private set; }

    /// <summary>When (on the service's monotonic clock) the server started draining; null while it is served.</summary>
    internal TimeSpan? DrainStartedAt { get; set; }

    /// <summary>Counts a probe and moves the state by the rise and fall thresholds.</summary>
    /// <returns>True when the state changed.</returns>
    internal bool Record(ProbeResult result, int rise, int fall)
    {
        LastProbe = result;
        var previous = State;
        if (result.IsHealthy)
        {
            SuccessCount++;
            ConsecutiveFailures = 0;
            ConsecutiveSuccesses = ConsecutiveSuccesses == int.MaxValue ? int.MaxValue : ConsecutiveSuccesses + 1;
            // An unknown server is already served: its first success confirms it. An unhealthy one must rise.
            if (State == RealServerHealthState.Unknown || (State == RealServerHealthState.Unhealthy && ConsecutiveSuccesses >= rise))
            {
                State = RealServerHealthState.Healthy;
            }
        }
        else
        {
            FailureCount++;
            ConsecutiveSuccesses = 0;
            ConsecutiveFailures = ConsecutiveFailures == int.MaxValue ? int.MaxValue : ConsecutiveFailures + 1;
            if (State != RealServerHealthState.Unhealthy && ConsecutiveFailures >= fall)
            {
                State = RealServerHealthState.Unhealthy;
            }
        }

        return State != previous;
    }
}
