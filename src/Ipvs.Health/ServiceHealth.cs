using Ipvs.Model;

namespace Ipvs.Health;

/// <summary>Where a configured real server should be in the kernel's table.</summary>
public enum RealServerPhase
{
    /// <summary>Present with its configured weight.</summary>
    Serving,

    /// <summary>Present with weight 0: no new connections, established ones finish.</summary>
    Draining,

    /// <summary>Absent from the table.</summary>
    Removed,
}

/// <summary>One configured real server and where it should be.</summary>
/// <param name="Health">The server and its health.</param>
/// <param name="Phase">Where it should be.</param>
public readonly record struct DesiredRealServer(RealServerHealth Health, RealServerPhase Phase)
{
    /// <summary>The weight it should have when present.</summary>
    public int Weight => Phase == RealServerPhase.Serving ? Health.Server.Weight : 0;

    /// <summary>The server as it should be written to the kernel.</summary>
    public RealServer ToRealServer() => Health.Server.Weight == Weight ? Health.Server : Health.Server with { Weight = Weight };
}

/// <summary>A real server whose state changed in a round.</summary>
/// <param name="Health">The server.</param>
/// <param name="Previous">Its state before.</param>
public readonly record struct HealthTransition(RealServerHealth Health, RealServerHealthState Previous);

/// <summary>What one round of probes changed.</summary>
/// <param name="Transitions">Servers whose state changed.</param>
/// <param name="PanicChanged">True when the service entered or left panic.</param>
public sealed record HealthRoundOutcome(IReadOnlyList<HealthTransition> Transitions, bool PanicChanged);

/// <summary>
/// The health policy of one virtual service: counts each server's probes against the rise and
/// fall thresholds, drains an unhealthy server (weight 0) and removes it after the drain
/// timeout, brings a recovered one back with its weight, and — when every server is unhealthy —
/// keeps them all in service ("panic": better a slow or failing backend than a black-holed
/// virtual address) unless <see cref="HealthCheckOptions.FailClosed"/> is set.
/// </summary>
/// <remarks>
/// Pure and single-threaded: time is passed in (a monotonic clock of the caller's), so the
/// timings are tested with a fake clock. With the defaults (rise 1, fall 1, drain one interval)
/// it reproduces lvscare: a failed probe sets weight 0, the next failed probe removes the server,
/// one success restores it.
/// </remarks>
public sealed class ServiceHealth
{
    private readonly RealServerHealth[] _servers;

    /// <summary>Creates the policy for <paramref name="servers"/>, every one <see cref="RealServerHealthState.Unknown"/>.</summary>
    public ServiceHealth(IEnumerable<RealServer> servers, HealthCheckOptions options)
    {
        ArgumentNullException.ThrowIfNull(servers);
        ArgumentNullException.ThrowIfNull(options);
        _servers = servers.Select(s => new RealServerHealth(s)).ToArray();
        Options = options;
    }

    /// <summary>The settings.</summary>
    public HealthCheckOptions Options { get; }

    /// <summary>The configured servers, in configuration order.</summary>
    public IReadOnlyList<RealServerHealth> Servers => _servers;

    /// <summary>True while every server is unhealthy and they are all kept in service.</summary>
    public bool InPanic { get; private set; }

    /// <summary>Servers currently healthy or not yet probed.</summary>
    public int AvailableCount => _servers.Count(s => s.State != RealServerHealthState.Unhealthy);

    /// <summary>Counts one round of probes, aligned with <see cref="Servers"/>, taken at <paramref name="now"/>.</summary>
    public HealthRoundOutcome Record(IReadOnlyList<ProbeResult> results, TimeSpan now)
    {
        ArgumentNullException.ThrowIfNull(results);
        if (results.Count != _servers.Length)
        {
            throw new ArgumentException($"expected {_servers.Length} probe results, got {results.Count}", nameof(results));
        }

        List<HealthTransition>? transitions = null;
        for (var i = 0; i < _servers.Length; i++)
        {
            var server = _servers[i];
            var previous = server.State;
            if (server.Record(results[i], Options.Rise, Options.Fall))
            {
                (transitions ??= []).Add(new HealthTransition(server, previous));
            }
        }

        var wasInPanic = InPanic;
        InPanic = !Options.FailClosed && _servers.Length > 0 && Array.TrueForAll(_servers, s => s.State == RealServerHealthState.Unhealthy);

        // The drain clock runs only while a server is unhealthy and not kept by panic: leaving
        // panic starts it afresh for those still unhealthy.
        foreach (var server in _servers)
        {
            if (server.State != RealServerHealthState.Unhealthy || InPanic)
            {
                server.DrainStartedAt = null;
            }
            else
            {
                server.DrainStartedAt ??= now;
            }
        }

        return new HealthRoundOutcome(transitions ?? [], wasInPanic != InPanic);
    }

    /// <summary>Where each configured server should be at <paramref name="now"/>.</summary>
    public IReadOnlyList<DesiredRealServer> Desired(TimeSpan now)
    {
        var desired = new DesiredRealServer[_servers.Length];
        for (var i = 0; i < _servers.Length; i++)
        {
            var server = _servers[i];
            var phase = server.DrainStartedAt is not { } drainStart
                ? RealServerPhase.Serving
                : now - drainStart < Options.EffectiveDrainTimeout ? RealServerPhase.Draining : RealServerPhase.Removed;
            desired[i] = new DesiredRealServer(server, phase);
        }

        return desired;
    }
}
