using System.Net;
using Ipvs.Health;
using Ipvs.Model;

namespace Ipvs.Cli.Care;

/// <summary>How the virtual address is made reachable from the node itself.</summary>
internal enum CareMode
{
    /// <summary>Nothing: neither a route nor a link (lvscare's empty --mode).</summary>
    None,

    /// <summary>A route VIP/32 via the --ip gateway (lvscare's default).</summary>
    Route,

    /// <summary>The VIP bound to a dummy interface, conntrack on, and masquerade rules (lvscare's link mode).</summary>
    Link,
}

/// <summary>What the daemon logs.</summary>
internal enum LogLevel
{
    Debug,
    Info,
    Warn,
    Error,
}

/// <summary>One virtual service to keep, with its real servers and checks.</summary>
/// <param name="Service">The virtual service (TCP, the scheduler).</param>
/// <param name="RealServers">Its real servers (masquerading, weight as configured).</param>
/// <param name="Health">How they are checked.</param>
internal sealed record CaredService(VirtualService Service, IReadOnlyList<RealServer> RealServers, HealthCheckOptions Health)
{
    /// <summary>The checks and policies (keepalived's way), or null for the lvscare-style health check.</summary>
    public CheckedHealth? Checked { get; init; }

    /// <summary>True when both describe the same service, servers and checks (lists compared by content).</summary>
    public bool IsSameAs(CaredService other) =>
        Service.HasSameSettings(other.Service)
        && RealServers.Count == other.RealServers.Count
        && RealServers.Zip(other.RealServers).All(p => p.First.HasSameSettings(p.Second))
        && Health == other.Health
        && Equals(Checked, other.Checked);
}

/// <summary>Everything <c>ipvs care</c> was told, validated.</summary>
internal sealed record CareOptions
{
    /// <summary>The virtual services to keep (one from --vs/--rs, or those of the file).</summary>
    public IReadOnlyList<CaredService> Services { get; init; } = [];

    /// <summary>The --vs given (null with -f, or with --clean alone).</summary>
    public VirtualServiceKey? VirtualServer { get; init; }

    public bool Clean { get; init; }

    public bool RunOnce { get; init; }

    public bool CleanOnExit { get; init; }

    public CareMode Mode { get; init; } = CareMode.Route;

    /// <summary>The dummy interface of link mode.</summary>
    public string Interface { get; init; } = "lvscare";

    /// <summary>The route gateway (--ip), when given.</summary>
    public IPAddress? Gateway { get; init; }

    public int MasqueradeBit { get; init; }

    public LogLevel LogLevel { get; init; } = LogLevel.Info;

    public bool JsonLogs { get; init; }

    public bool ShowPath { get; init; }

    /// <summary>Where to serve metrics, or null.</summary>
    public IPEndPoint? MetricsAddress { get; init; }

    /// <summary>The file's ha section (docs/ha.md), or null.</summary>
    public Ipvs.Ha.HaConfig? Ha { get; init; }

    /// <summary>--ha-node, or null.</summary>
    public string? HaNode { get; init; }

    /// <summary>The configuration file (-f), or null.</summary>
    public string? File { get; init; }

    public bool PrintStaticPod { get; init; }

    public string Image { get; init; } = CareFlags.DefaultImage;

    /// <summary>Every flag and its value, for the debug log (sealos prints them as FLAG: --name="value").</summary>
    public IReadOnlyList<KeyValuePair<string, string>> FlagValues { get; init; } = [];

    /// <summary>The arguments to write into the static pod's command line.</summary>
    public IReadOnlyList<string> StaticPodArguments { get; init; } = [];

    /// <summary>The interval of the shortest-interval service: how often routes, links and rules are checked.</summary>
    public TimeSpan BaseInterval => Services.Count == 0 ? HealthCheckOptions.DefaultInterval : Services.Min(s => s.Health.Interval);

    /// <summary>The masquerade mark: 1 &lt;&lt; <see cref="MasqueradeBit"/>.</summary>
    public uint MasqueradeMark => 1u << MasqueradeBit;
}
