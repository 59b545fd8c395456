using System.Text.Json.Serialization;
using Ipvs.Model;

namespace Ipvs.Cli.Output;

// The JSON/YAML schema of read commands. Field names are these properties in snake_case; the
// order of the properties is the order of the fields. docs/cli.md documents every field
// (Docs/SchemaDocs.cs), and tests pin the schema: change it only on purpose.

/// <summary>A virtual service with its real servers.</summary>
internal sealed record ServiceView(
    string Service,
    string Family,
    string? Protocol,
    string? Address,
    int? Port,
    uint? Fwmark,
    string Scheduler,
    IReadOnlyList<string> SchedulerFlags,
    bool OnePacket,
    bool Persistent,
    uint Timeout,
    string Netmask,
    int? PrefixLength,
    string? PersistenceEngine,
    StatsView? Stats,
    IReadOnlyList<ServerView> Servers);

/// <summary>A real server of a virtual service.</summary>
internal sealed record ServerView(
    string Service,
    string Server,
    string Address,
    int Port,
    string Family,
    string Forward,
    int Weight,
    uint UpperThreshold,
    uint LowerThreshold,
    TunnelView? Tunnel,
    uint ActiveConnections,
    uint InactiveConnections,
    uint PersistentConnections,
    StatsView? Stats);

/// <summary>The encapsulation of a tunnelled real server.</summary>
internal sealed record TunnelView(string Type, int? Port, string? Checksum);

/// <summary>Counters and the kernel's rate estimates: an object of the counters' names (<see cref="IpvsStatistics.Counters"/>) and values.</summary>
[JsonConverter(typeof(StatsViewConverter))]
internal sealed record StatsView(IpvsStatistics Statistics);

/// <summary><c>service list</c>.</summary>
internal sealed record ServiceListView(IReadOnlyList<ServiceView> Services);

/// <summary><c>server list</c>.</summary>
internal sealed record ServerListView(IReadOnlyList<ServerView> Servers);

/// <summary><c>service check</c>.</summary>
internal sealed record ServiceCheckView(string Service, bool Exists);

/// <summary><c>service string</c>.</summary>
internal sealed record ServiceStringView(string Service);

/// <summary><c>timeout show</c>, in seconds.</summary>
internal sealed record TimeoutsView(uint Tcp, uint TcpFin, uint Udp);

/// <summary>A connection synchronization daemon.</summary>
internal sealed record DaemonView(
    string State,
    string McastInterface,
    uint SyncId,
    int? SyncMaxlen,
    string? McastGroup,
    int? McastPort,
    int? McastTtl);

/// <summary><c>daemon show</c>.</summary>
internal sealed record DaemonListView(IReadOnlyList<DaemonView> Daemons);

/// <summary>An entry of the connection table.</summary>
internal sealed record ConnectionView(
    string Protocol,
    string ClientAddress,
    int ClientPort,
    string VirtualAddress,
    int VirtualPort,
    string? LocalAddress,
    int? LocalPort,
    string DestinationAddress,
    int DestinationPort,
    string State,
    uint Expires,
    string? PersistenceEngine,
    string? PersistenceEngineData);

/// <summary><c>connection show</c>.</summary>
internal sealed record ConnectionListView(IReadOnlyList<ConnectionView> Connections);

/// <summary>A local address of a FULLNAT service.</summary>
internal sealed record LocalAddressView(string Address, ulong PortConflicts, uint Connections);

/// <summary><c>address list</c>.</summary>
internal sealed record LocalAddressListView(string Service, IReadOnlyList<LocalAddressView> LocalAddresses);

/// <summary>The kernel's IPVS as <c>version</c> reports it.</summary>
internal sealed record KernelIpvsView(string Version, uint ConnectionTableSize, bool FullNat);

/// <summary><c>version</c>.</summary>
internal sealed record VersionView(string Version, KernelIpvsView? Ipvs, string? IpvsError);
