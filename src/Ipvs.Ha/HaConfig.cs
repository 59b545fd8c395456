using System.Net;
using Ipvs.State;

namespace Ipvs.Ha;

/// <summary>
/// The <c>ha</c> section of a declarative file: one VRRP instance (run by keepalived), the
/// directors of the pair, the virtual addresses it moves, the kernel's connection sync daemons and
/// how health lowers this director's priority. See <c>docs/ha.md</c>.
/// </summary>
public sealed record HaConfig
{
    /// <summary>The default name of keepalived's <c>vrrp_instance</c>.</summary>
    public const string DefaultInstance = "VI_IPVS";

    /// <summary>keepalived's <c>vrrp_instance</c> name; also names the run files (role, track, status).</summary>
    public string Instance { get; init; } = DefaultInstance;

    /// <summary>The interface VRRP advertises on and the virtual addresses are added to.</summary>
    public required string Interface { get; init; }

    /// <summary>Where <see cref="Interface"/> is written, for messages.</summary>
    public SourceLocation InterfaceLocation { get; init; }

    /// <summary>VRRP's <c>virtual_router_id</c>, 1 to 255.</summary>
    public required byte RouterId { get; init; }

    /// <summary>VRRP's advertisement interval (keepalived's <c>advert_int</c>).</summary>
    public TimeSpan AdvertInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Whether a director of higher priority takes the addresses back (keepalived's default; false writes <c>nopreempt</c>).</summary>
    public bool Preempt { get; init; } = true;

    /// <summary>
    /// keepalived's <c>preempt_delay</c> (default 0). It delays every preemption, also the one that
    /// moves the addresses away from a director whose services are down, so <c>ipvs</c> does not
    /// rely on it: see <see cref="RejoinDelay"/>.
    /// </summary>
    public TimeSpan PreemptDelay { get; init; } = TimeSpan.Zero;

    /// <summary>
    /// How long a director that rejoins (its interface was down, or its sync daemons were just
    /// started) keeps its priority at the floor, so that it takes the addresses back only once the
    /// peer's sync daemon has refreshed the connections it missed (default 10s).
    /// </summary>
    public TimeSpan RejoinDelay { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The priority keepalived advertises for <paramref name="node"/> when the track file holds <paramref name="trackValue"/> (bounded to 1..254, as keepalived does).</summary>
    public int EffectivePriority(HaNode node, int trackValue)
    {
        ArgumentNullException.ThrowIfNull(node);
        return Math.Clamp(node.Priority - (Math.Max(trackValue, 0) * Health.Penalty), 1, 254);
    }

    /// <summary>
    /// The track file's number that puts this node's priority at keepalived's floor (1): held
    /// while rejoining, and what keepalived writes when it starts (<c>init_file … overwrite</c>),
    /// so that a director never takes the addresses before its <c>ipvs</c> says it is ready.
    /// </summary>
    public int HoldValue(HaNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        return Math.Max(1, (node.Priority - 1 + Health.Penalty - 1) / Health.Penalty);
    }

    /// <summary>VRRP by unicast to the other nodes' addresses instead of multicast to 224.0.0.18.</summary>
    public bool Unicast { get; init; }

    /// <summary>The directors of the pair (two or more), in file order.</summary>
    public required IReadOnlyList<HaNode> Nodes { get; init; }

    /// <summary>The addresses VRRP moves; by default every service's address.</summary>
    public required IReadOnlyList<HaVirtualAddress> VirtualAddresses { get; init; }

    /// <summary>True when <see cref="VirtualAddresses"/> were listed in the file rather than taken from the services.</summary>
    public bool VirtualAddressesListed { get; init; }

    /// <summary>The connection sync daemons and their tunables.</summary>
    public HaSyncConfig Sync { get; init; } = new();

    /// <summary>How health lowers this director's VRRP priority.</summary>
    public HaHealthConfig Health { get; init; } = new();

    /// <summary>The TCP port the daemon serves its status on (<c>GET /ha</c>), on its node's address; 0 turns it off.</summary>
    public ushort StatusPort { get; init; } = DefaultStatusPort;

    /// <summary>The default <see cref="StatusPort"/>.</summary>
    public const ushort DefaultStatusPort = 9107;

    /// <summary>Where the section starts, for messages.</summary>
    public SourceLocation Location { get; init; }

    /// <summary>The node named <paramref name="name"/>, or null.</summary>
    public HaNode? FindNode(string name) => Nodes.FirstOrDefault(n => string.Equals(n.Name, name, StringComparison.Ordinal));

    /// <summary>Every node but <paramref name="node"/>.</summary>
    public IEnumerable<HaNode> PeersOf(HaNode node) => Nodes.Where(n => !ReferenceEquals(n, node) && n.Name != node.Name);
}

/// <summary>One director of the pair.</summary>
/// <param name="Name">Its name (<c>--ha-node</c>; by default the node whose address is local, else the host name).</param>
/// <param name="Address">Its address on the VRRP interface: unicast peer, status endpoint, and how a node recognises itself.</param>
/// <param name="Priority">Its VRRP priority, 1 to 254.</param>
public sealed record HaNode(string Name, IPAddress Address, byte Priority)
{
    /// <summary>Where the node is written, for messages.</summary>
    public SourceLocation Location { get; init; }
}

/// <summary>A virtual address that VRRP moves, with its prefix length.</summary>
/// <param name="Address">The address.</param>
/// <param name="PrefixLength">Its prefix length (32 or 128 unless written otherwise).</param>
public sealed record HaVirtualAddress(IPAddress Address, int PrefixLength)
{
    /// <summary>Where it is written (the service's key when taken from the services), for messages.</summary>
    public SourceLocation Location { get; init; }

    /// <summary><c>ADDRESS/PREFIX</c>.</summary>
    public override string ToString() => Address + "/" + PrefixLength.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>
/// The kernel's connection sync daemons. Both the master and the backup daemon run on every
/// director at all times, so each director always holds the connections of the other (see
/// <c>docs/ha.md</c>, "Why both daemons on both directors").
/// </summary>
public sealed record HaSyncConfig
{
    /// <summary>False runs no sync daemon (established connections then break at a failover).</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>The interface of the sync traffic; null: the VRRP interface.</summary>
    public string? Interface { get; init; }

    /// <summary>Where <see cref="Interface"/> is written, for messages.</summary>
    public SourceLocation? InterfaceLocation { get; init; }

    /// <summary>The sync id, 0 to 255; null: the router id.</summary>
    public byte? SyncId { get; init; }

    /// <summary>The UDP port; 0: the kernel's 8848.</summary>
    public ushort Port { get; init; }

    /// <summary>The multicast TTL; 0: the kernel's 1.</summary>
    public byte Ttl { get; init; }

    /// <summary>The multicast group; null: the kernel's (224.0.0.81, ff02::81).</summary>
    public IPAddress? Group { get; init; }

    /// <summary>The largest sync message; 0: the kernel's choice from the interface's MTU.</summary>
    public ushort MaxLength { get; init; }

    /// <summary><c>net.ipv4.vs.sync_threshold</c>'s first value: a connection is synced at its Nth packet.</summary>
    public int Threshold { get; init; } = 3;

    /// <summary><c>net.ipv4.vs.sync_threshold</c>'s second value: then every Nth packet; 0 leaves it to <see cref="RefreshPeriod"/>.</summary>
    public int Period { get; init; }

    /// <summary><c>net.ipv4.vs.sync_refresh_period</c>: a connection with traffic is synced again at most this often (whole seconds).</summary>
    public TimeSpan RefreshPeriod { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The sync id in use: <see cref="SyncId"/> or the router id.</summary>
    public byte EffectiveSyncId(HaConfig ha) => SyncId ?? ha.RouterId;

    /// <summary>The interface in use: <see cref="Interface"/> or the VRRP interface.</summary>
    public string EffectiveInterface(HaConfig ha) => Interface ?? ha.Interface;
}

/// <summary>How health moves the addresses: each down service lowers this director's priority by <see cref="Penalty"/>.</summary>
public sealed record HaHealthConfig
{
    /// <summary>A service is down when fewer of its real servers than this are healthy (default 1: none healthy).</summary>
    public int MinHealthyCount { get; init; } = 1;

    /// <summary>Or, when set, when fewer than this fraction (0 to 1) of its real servers are healthy.</summary>
    public double? MinHealthyFraction { get; init; }

    /// <summary>The priority subtracted per down service (keepalived's <c>track_file</c> weight, negated).</summary>
    public int Penalty { get; init; } = 60;

    /// <summary>Where <see cref="Penalty"/> is written, for messages.</summary>
    public SourceLocation? PenaltyLocation { get; init; }

    /// <summary>Whether a service with <paramref name="healthy"/> of <paramref name="total"/> real servers healthy counts as down.</summary>
    public bool IsDown(int healthy, int total)
    {
        if (total == 0)
        {
            return false;
        }

        return MinHealthyFraction is { } fraction ? healthy < fraction * total : healthy < Math.Min(MinHealthyCount, total);
    }

    /// <summary>How the threshold reads in messages.</summary>
    public string Describe() => MinHealthyFraction is { } fraction
        ? (fraction * 100).ToString("0.##", System.Globalization.CultureInfo.InvariantCulture) + "% of its real servers healthy"
        : MinHealthyCount + (MinHealthyCount == 1 ? " healthy real server" : " healthy real servers");
}
