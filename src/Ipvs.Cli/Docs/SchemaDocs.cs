using Ipvs.Cli.Output;

namespace Ipvs.Cli.Docs;

/// <summary>
/// The documentation of every field of the JSON/YAML schema. A host test checks that each field
/// the serializer writes is described here and nothing else is, so the schema and its
/// documentation cannot drift apart.
/// </summary>
internal static class SchemaDocs
{
    /// <summary>Which command prints which object.</summary>
    public static IReadOnlyList<(string Command, Type Type)> Commands { get; } =
    [
        ("service list", typeof(ServiceListView)),
        ("service get", typeof(ServiceView)),
        ("service check", typeof(ServiceCheckView)),
        ("service string", typeof(ServiceStringView)),
        ("server list", typeof(ServerListView)),
        ("address list", typeof(LocalAddressListView)),
        ("timeout show", typeof(TimeoutsView)),
        ("daemon show", typeof(DaemonListView)),
        ("connection show", typeof(ConnectionListView)),
        ("version", typeof(VersionView)),
    ];

    /// <summary>Every object of the schema, in the order the reference lists them.</summary>
    public static IReadOnlyList<Type> Types { get; } =
    [
        typeof(ServiceListView), typeof(ServiceView), typeof(ServerListView), typeof(ServerView), typeof(TunnelView), typeof(StatsView),
        typeof(ServiceCheckView), typeof(ServiceStringView), typeof(LocalAddressListView), typeof(LocalAddressView), typeof(TimeoutsView),
        typeof(DaemonListView), typeof(DaemonView), typeof(ConnectionListView), typeof(ConnectionView), typeof(VersionView), typeof(KernelIpvsView),
    ];

    private static readonly Dictionary<Type, string> s_types = new()
    {
        [typeof(ServiceListView)] = "The virtual services, sorted as ipvsadm sorts them (address services by family, protocol, address, port; then firewall marks).",
        [typeof(ServiceView)] = "A virtual service with its real servers.",
        [typeof(ServerListView)] = "Real servers, of one service or of every service.",
        [typeof(ServerView)] = "A real server of a virtual service.",
        [typeof(TunnelView)] = "The encapsulation of a real server with `forward` = `tun`.",
        [typeof(StatsView)] = "Counters since the last zero, and the kernel's rate estimates (per second, averaged over a few seconds).",
        [typeof(ServiceCheckView)] = "Whether a service exists (the exit status says the same: 0 or 1).",
        [typeof(ServiceStringView)] = "The compact form of a service.",
        [typeof(LocalAddressListView)] = "The local addresses of a FULLNAT service.",
        [typeof(LocalAddressView)] = "A local address.",
        [typeof(TimeoutsView)] = "The connection timeouts, in seconds.",
        [typeof(DaemonListView)] = "The running sync daemons (at most a master and a backup).",
        [typeof(DaemonView)] = "A connection synchronization daemon.",
        [typeof(ConnectionListView)] = "Entries of the connection table, in the kernel's order.",
        [typeof(ConnectionView)] = "A connection (or a persistence template, with state `NONE`).",
        [typeof(VersionView)] = "The versions of ipvs and of the kernel's IPVS.",
        [typeof(KernelIpvsView)] = "What the kernel reports about its IPVS.",
    };

    private static readonly Dictionary<(Type, string), string> s_fields = new()
    {
        [(typeof(ServiceListView), "services")] = "The services.",
        [(typeof(ServiceView), "service")] = "The compact form: `tcp/198.51.100.1:80`, `udp/[2001:db8::1]:53`, `fwmark/42`, `fwmark6/42`.",
        [(typeof(ServiceView), "family")] = "`ipv4` or `ipv6`.",
        [(typeof(ServiceView), "protocol")] = "`tcp`, `udp` or `sctp`; null for a firewall-mark service.",
        [(typeof(ServiceView), "address")] = "The virtual address; null for a firewall-mark service.",
        [(typeof(ServiceView), "port")] = "The virtual port (0 takes every port); null for a firewall-mark service.",
        [(typeof(ServiceView), "fwmark")] = "The firewall mark; null for an address service.",
        [(typeof(ServiceView), "scheduler")] = "The scheduler (`rr`, `wlc`, …).",
        [(typeof(ServiceView), "scheduler_flags")] = "Scheduler flags: `sh-fallback`, `sh-port`, `mh-fallback`, `mh-port`, `flag-1`, `flag-2`, `flag-3`.",
        [(typeof(ServiceView), "one_packet")] = "One-packet scheduling.",
        [(typeof(ServiceView), "persistent")] = "Whether clients stick to a real server.",
        [(typeof(ServiceView), "timeout")] = "The persistence timeout in seconds (meaningful when persistent).",
        [(typeof(ServiceView), "netmask")] = "The persistence granularity as a mask: `255.255.255.255` (one client address) or `ffff:…` for IPv6.",
        [(typeof(ServiceView), "prefix_length")] = "The same as a prefix length (32 or 128 for one address); null for a non-contiguous IPv4 mask.",
        [(typeof(ServiceView), "persistence_engine")] = "The persistence engine (`sip`), or null.",
        [(typeof(ServiceView), "stats")] = "Counters and rates with `--stats`; null without.",
        [(typeof(ServiceView), "servers")] = "The real servers, sorted by address and port.",
        [(typeof(ServerListView), "servers")] = "The real servers.",
        [(typeof(ServerView), "service")] = "The service's compact form.",
        [(typeof(ServerView), "server")] = "ADDRESS:PORT, IPv6 in brackets.",
        [(typeof(ServerView), "address")] = "The real server's address.",
        [(typeof(ServerView), "port")] = "The real server's port.",
        [(typeof(ServerView), "family")] = "`ipv4` or `ipv6` (differs from the service's only with tunnels).",
        [(typeof(ServerView), "forward")] = "`dr`, `masq`, `tun`, `local`, `bypass` or `fnat`.",
        [(typeof(ServerView), "weight")] = "The scheduling weight; 0 takes no new connections.",
        [(typeof(ServerView), "upper_threshold")] = "Upper connection threshold; 0 means none.",
        [(typeof(ServerView), "lower_threshold")] = "Lower connection threshold.",
        [(typeof(ServerView), "tunnel")] = "The tunnel with `forward` = `tun`; null otherwise.",
        [(typeof(ServerView), "active_connections")] = "Active connections.",
        [(typeof(ServerView), "inactive_connections")] = "Inactive connections.",
        [(typeof(ServerView), "persistent_connections")] = "Persistence templates pointing at this server.",
        [(typeof(ServerView), "stats")] = "Counters and rates with `--stats`; null without.",
        [(typeof(TunnelView), "type")] = "`ipip`, `gue` or `gre`.",
        [(typeof(TunnelView), "port")] = "The GUE UDP port; null for ipip and gre.",
        [(typeof(TunnelView), "checksum")] = "`nocsum`, `csum` or `remcsum`; null for ipip.",
        [(typeof(StatsView), "connections")] = "Connections scheduled.",
        [(typeof(StatsView), "incoming_packets")] = "Packets in.",
        [(typeof(StatsView), "outgoing_packets")] = "Packets out.",
        [(typeof(StatsView), "incoming_bytes")] = "Bytes in.",
        [(typeof(StatsView), "outgoing_bytes")] = "Bytes out.",
        [(typeof(StatsView), "connections_per_second")] = "Connection rate.",
        [(typeof(StatsView), "incoming_packets_per_second")] = "Incoming packet rate.",
        [(typeof(StatsView), "outgoing_packets_per_second")] = "Outgoing packet rate.",
        [(typeof(StatsView), "incoming_bytes_per_second")] = "Incoming byte rate.",
        [(typeof(StatsView), "outgoing_bytes_per_second")] = "Outgoing byte rate.",
        [(typeof(ServiceCheckView), "service")] = "The service's compact form.",
        [(typeof(ServiceCheckView), "exists")] = "Whether it exists.",
        [(typeof(ServiceStringView), "service")] = "The service's compact form.",
        [(typeof(LocalAddressListView), "service")] = "The service's compact form.",
        [(typeof(LocalAddressListView), "local_addresses")] = "Its local addresses.",
        [(typeof(LocalAddressView), "address")] = "The address.",
        [(typeof(LocalAddressView), "port_conflicts")] = "How often a source port of this address was found in use.",
        [(typeof(LocalAddressView), "connections")] = "Connections using this address.",
        [(typeof(TimeoutsView), "tcp")] = "Idle timeout of established TCP connections.",
        [(typeof(TimeoutsView), "tcp_fin")] = "Timeout of TCP connections after a FIN.",
        [(typeof(TimeoutsView), "udp")] = "Timeout of UDP flows.",
        [(typeof(DaemonListView), "daemons")] = "The daemons, master first.",
        [(typeof(DaemonView), "state")] = "`master` or `backup`.",
        [(typeof(DaemonView), "mcast_interface")] = "The multicast interface.",
        [(typeof(DaemonView), "sync_id")] = "The synchronization id.",
        [(typeof(DaemonView), "sync_maxlen")] = "The largest sync message payload; null when the kernel does not report it (before 4.3).",
        [(typeof(DaemonView), "mcast_group")] = "The multicast group; null when the kernel does not report it.",
        [(typeof(DaemonView), "mcast_port")] = "The UDP port; null when the kernel does not report it.",
        [(typeof(DaemonView), "mcast_ttl")] = "The multicast TTL; null when the kernel does not report it.",
        [(typeof(ConnectionListView), "connections")] = "The entries.",
        [(typeof(ConnectionView), "protocol")] = "`tcp`, `udp`, `sctp`, or `ip` for a firewall-mark persistence template.",
        [(typeof(ConnectionView), "client_address")] = "The client's address.",
        [(typeof(ConnectionView), "client_port")] = "The client's port.",
        [(typeof(ConnectionView), "virtual_address")] = "The virtual address.",
        [(typeof(ConnectionView), "virtual_port")] = "The virtual port.",
        [(typeof(ConnectionView), "local_address")] = "The FULLNAT local address; null without FULLNAT.",
        [(typeof(ConnectionView), "local_port")] = "The FULLNAT local port; null without FULLNAT.",
        [(typeof(ConnectionView), "destination_address")] = "The real server's address.",
        [(typeof(ConnectionView), "destination_port")] = "The real server's port.",
        [(typeof(ConnectionView), "state")] = "The protocol state as the kernel names it (`ESTABLISHED`, `FIN_WAIT`, `NONE`, …).",
        [(typeof(ConnectionView), "expires")] = "Seconds until the entry expires.",
        [(typeof(ConnectionView), "persistence_engine")] = "The persistence engine of the entry, or null.",
        [(typeof(ConnectionView), "persistence_engine_data")] = "The engine's data (a SIP Call-ID), or null.",
        [(typeof(VersionView), "version")] = "The version of ipvs.",
        [(typeof(VersionView), "ipvs")] = "The kernel's IPVS; null when it is not available.",
        [(typeof(VersionView), "ipvs_error")] = "Why the kernel's IPVS is not available; null when it is.",
        [(typeof(KernelIpvsView), "version")] = "The IPVS version (`1.2.1`).",
        [(typeof(KernelIpvsView), "connection_table_size")] = "The size of the connection hash table.",
        [(typeof(KernelIpvsView), "full_nat")] = "Whether the kernel has the FULLNAT extension (local addresses).",
    };

    public static string TypeDescription(Type type) =>
        s_types.TryGetValue(type, out var description) ? description : throw new InvalidOperationException($"{type.Name} has no description in SchemaDocs.");

    public static string FieldDescription(Type type, string field) =>
        s_fields.TryGetValue((type, field), out var description) ? description : throw new InvalidOperationException($"{type.Name}.{field} has no description in SchemaDocs.");

    /// <summary>The described fields of a type, for the test that compares them with the serializer's.</summary>
    public static IEnumerable<string> DescribedFields(Type type) => s_fields.Keys.Where(k => k.Item1 == type).Select(k => k.Item2);
}
