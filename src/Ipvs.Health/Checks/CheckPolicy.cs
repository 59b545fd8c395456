using Ipvs.Model;

namespace Ipvs.Health.Checks;

/// <summary>
/// A program run on an event (keepalived's notify_up, notify_down, quorum_up, quorum_down):
/// an argument array, never a shell, optionally as another user, bounded by a timeout.
/// </summary>
public sealed record ScriptCommand
{
    /// <summary>The default time a script may run before it is killed.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    /// <summary>The program (an absolute path) and its arguments.</summary>
    public IReadOnlyList<string> Arguments { get; init; } = [];

    /// <summary>USER or USER:GROUP to run as; null means the daemon's own.</summary>
    public string? User { get; init; }

    /// <summary>How long it may run; it is then killed (with its process group).</summary>
    public TimeSpan Timeout { get; init; } = DefaultTimeout;

    /// <inheritdoc />
    public bool Equals(ScriptCommand? other) =>
        other is not null && Arguments.SequenceEqual(other.Arguments) && User == other.User && Timeout == other.Timeout;

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Arguments.Count, User, Timeout);

    /// <summary>The command line as text, for logs (arguments separated by spaces).</summary>
    public override string ToString() => string.Join(' ', Arguments);
}

/// <summary>A real server of a checked service: its checks (all must pass) and its scripts.</summary>
public sealed record CheckedRealServer
{
    /// <summary>Creates the entry for <paramref name="server"/>.</summary>
    public CheckedRealServer(RealServer server, IReadOnlyList<CheckDefinition> checks)
    {
        Server = server ?? throw new ArgumentNullException(nameof(server));
        Checks = checks ?? throw new ArgumentNullException(nameof(checks));
    }

    /// <summary>The server as configured (its weight is the configured weight).</summary>
    public RealServer Server { get; init; }

    /// <summary>Its checks; a server with none is always up (keepalived: a real server without checkers stays in the pool).</summary>
    public IReadOnlyList<CheckDefinition> Checks { get; init; }

    /// <summary>Starts down until its checks pass (alpha of its real_server block); null means the service's.</summary>
    public bool? Alpha { get; init; }

    /// <summary>Kept with weight 0 when down instead of removed (inhibit_on_failure of its real_server block); null means the service's.</summary>
    public bool? InhibitOnFailure { get; init; }

    /// <summary>Run when the server comes up (notify_up).</summary>
    public ScriptCommand? OnUp { get; init; }

    /// <summary>Run when the server goes down (notify_down).</summary>
    public ScriptCommand? OnDown { get; init; }

    /// <inheritdoc />
    public bool Equals(CheckedRealServer? other) =>
        other is not null && Server.HasSameSettings(other.Server) && Checks.SequenceEqual(other.Checks) && Equals(OnUp, other.OnUp) && Equals(OnDown, other.OnDown)
        && Alpha == other.Alpha && InhibitOnFailure == other.InhibitOnFailure;

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Server.Address, Server.Port, Checks.Count);
}

/// <summary>
/// The policy of one checked virtual service, as keepalived's virtual_server block sets it:
/// alpha, inhibit_on_failure, quorum and hysteresis with their scripts, the sorry server,
/// ha_suspend.
/// </summary>
public sealed record CheckPolicy
{
    /// <summary>Servers start down and are added only once their checks pass (alpha).</summary>
    public bool Alpha { get; init; }

    /// <summary>A failed server is kept with weight 0 instead of being removed (inhibit_on_failure).</summary>
    public bool InhibitOnFailure { get; init; }

    /// <summary>The minimum total weight of live servers (quorum; keepalived's default 1).</summary>
    public long Quorum { get; init; } = 1;

    /// <summary>Quorum is gained at quorum + hysteresis and lost below quorum − hysteresis (hysteresis).</summary>
    public long Hysteresis { get; init; }

    /// <summary>Run when quorum is gained (quorum_up).</summary>
    public ScriptCommand? OnQuorumUp { get; init; }

    /// <summary>Run when quorum is lost (quorum_down).</summary>
    public ScriptCommand? OnQuorumDown { get; init; }

    /// <summary>Replaces the real servers while quorum is lost (sorry_server); null for none.</summary>
    public RealServer? SorryServer { get; init; }

    /// <summary>The sorry server is kept with weight 0 while not in use instead of being absent (sorry_server_inhibit).</summary>
    public bool SorryServerInhibit { get; init; }

    /// <summary>No checks while the virtual address is not a local address (ha_suspend).</summary>
    public bool HaSuspend { get; init; }

    /// <summary>How often the table is compared with what it should be and put back (ours: keepalived does not repair).</summary>
    public TimeSpan RepairInterval { get; init; } = HealthCheckOptions.DefaultInterval;

    /// <inheritdoc />
    public bool Equals(CheckPolicy? other) =>
        other is not null && Alpha == other.Alpha && InhibitOnFailure == other.InhibitOnFailure && Quorum == other.Quorum && Hysteresis == other.Hysteresis
        && Equals(OnQuorumUp, other.OnQuorumUp) && Equals(OnQuorumDown, other.OnQuorumDown)
        && (SorryServer is null ? other.SorryServer is null : other.SorryServer is not null && SorryServer.HasSameSettings(other.SorryServer))
        && SorryServerInhibit == other.SorryServerInhibit && HaSuspend == other.HaSuspend && RepairInterval == other.RepairInterval;

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Alpha, InhibitOnFailure, Quorum, Hysteresis, SorryServerInhibit, HaSuspend, RepairInterval);
}
