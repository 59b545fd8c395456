using System.Net;
using System.Net.Sockets;
using Ipvs.Cli.Common;
using Ipvs.Model;

namespace Ipvs.Cli.Output;

/// <summary>Turns the library's records into the output schema.</summary>
internal static class ViewMapper
{
    public static ServiceView Service(VirtualService service, IReadOnlyList<RealServer> servers, bool withStats)
    {
        var key = service.Key;
        var family = service.Family;
        return new ServiceView(
            Service: key.ToString(),
            Family: FamilyWord(family),
            Protocol: key.IsFirewallMark ? null : ProtocolWord(key.Protocol),
            Address: key.Address?.ToString(),
            Port: key.IsFirewallMark ? null : key.Port,
            Fwmark: key.IsFirewallMark ? key.FirewallMark : null,
            Scheduler: service.Scheduler,
            SchedulerFlags: IpvsNames.FormatSchedulerFlags(service.Scheduler, service.Flags),
            OnePacket: (service.Flags & ServiceFlags.OnePacket) != 0,
            Persistent: service.IsPersistent,
            Timeout: (uint)service.Timeout.TotalSeconds,
            Netmask: NetmaskText(service.Netmask),
            PrefixLength: service.Netmask.PrefixLength,
            PersistenceEngine: service.PersistenceEngine,
            Stats: withStats ? Stats(service.Statistics) : null,
            Servers: servers.Select(s => Server(key, s, withStats)).ToArray());
    }

    public static ServerView Server(VirtualServiceKey service, RealServer server, bool withStats) => new(
        Service: service.ToString(),
        Server: server.Endpoint,
        Address: server.Address.ToString(),
        Port: server.Port,
        Family: FamilyWord(server.Family),
        Forward: IpvsNames.CliName(server.ForwardingMethod),
        Weight: server.Weight,
        UpperThreshold: server.UpperThreshold,
        LowerThreshold: server.LowerThreshold,
        Tunnel: server.ForwardingMethod == ForwardingMethod.Tunnel ? Tunnel(server) : null,
        ActiveConnections: server.ActiveConnections,
        InactiveConnections: server.InactiveConnections,
        PersistentConnections: server.PersistentConnections,
        Stats: withStats ? Stats(server.Statistics) : null);

    public static StatsView Stats(IpvsStatistics? stats) => new(stats ?? new IpvsStatistics());

    public static TimeoutsView Timeouts(IpvsTimeouts timeouts) =>
        new((uint)timeouts.Tcp.TotalSeconds, (uint)timeouts.TcpFin.TotalSeconds, (uint)timeouts.Udp.TotalSeconds);

    public static DaemonView Daemon(SyncDaemon daemon) => new(
        State: IpvsNames.Name(daemon.State),
        McastInterface: daemon.Interface,
        SyncId: daemon.SyncId,
        SyncMaxlen: daemon.MaxLength == 0 ? null : daemon.MaxLength,
        McastGroup: daemon.MulticastGroup?.ToString(),
        McastPort: daemon.Port == 0 ? null : daemon.Port,
        McastTtl: daemon.Ttl == 0 ? null : daemon.Ttl);

    public static ConnectionView Connection(IpvsConnection connection) => new(
        Protocol: connection.Protocol.ToLowerInvariant(),
        ClientAddress: connection.ClientAddress.ToString(),
        ClientPort: connection.ClientPort,
        VirtualAddress: connection.VirtualAddress.ToString(),
        VirtualPort: connection.VirtualPort,
        LocalAddress: connection.LocalAddress?.ToString(),
        LocalPort: connection.LocalAddress is null ? null : connection.LocalPort,
        DestinationAddress: connection.DestinationAddress.ToString(),
        DestinationPort: connection.DestinationPort,
        State: connection.State,
        Expires: (uint)connection.Expires.TotalSeconds,
        PersistenceEngine: connection.PersistenceEngine,
        PersistenceEngineData: connection.PersistenceEngineData);

    public static LocalAddressView LocalAddress(LocalAddress address) =>
        new(address.Address.ToString(), address.PortConflicts, address.Connections);

    public static string FamilyWord(AddressFamily family) => IpvsNames.Name(family);

    public static string ProtocolWord(IpvsProtocol protocol) => IpvsNames.Find(protocol)?.Name ?? IpvsNames.Number((ushort)protocol);

    /// <summary>The persistence netmask as an address: 255.255.255.0, or ffff:ffff:ffff:ffff:: for an IPv6 /64.</summary>
    public static string NetmaskText(PersistenceNetmask netmask) => netmask.ToAddress().ToString();

    private static TunnelView Tunnel(RealServer server) => server.TunnelType switch
    {
        TunnelType.Ipip => new TunnelView(IpvsNames.CliName(server.TunnelType), null, null),
        TunnelType.Gue => new TunnelView(IpvsNames.CliName(server.TunnelType), server.TunnelPort, IpvsNames.CliName(server.TunnelFlags)),
        _ => new TunnelView(IpvsNames.CliName(server.TunnelType), null, IpvsNames.CliName(server.TunnelFlags)),
    };
}
