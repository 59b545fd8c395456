using System.Net;
using System.Net.Sockets;
using FsCheck;
using FsCheck.Fluent;
using Ipvs.Model;

namespace Ipvs.Tests.Kernel;

/// <summary>FsCheck generators of valid model values, for round-trip properties.</summary>
internal static class ModelGenerators
{
    private static readonly string[] s_schedulers = ["rr", "wrr", "lc", "wlc", "lblc", "lblcr", "dh", "sh", "sed", "nq", "fo", "ovf", "mh", "twos", "custom_sched"];

    public static Gen<IPAddress> IPv4 =>
        from bytes in Gen.ArrayOf(Gen.Choose(0, 255), 4)
        select new IPAddress(bytes.Select(b => (byte)b).ToArray());

    public static Gen<IPAddress> IPv6 =>
        from bytes in Gen.ArrayOf(Gen.Choose(0, 255), 16)
        select new IPAddress(bytes.Select(b => (byte)b).ToArray());

    public static Gen<IPAddress> Address => Gen.OneOf(IPv4, IPv6);

    public static Gen<ushort> Port => Gen.Choose(0, 65535).Select(p => (ushort)p);

    public static Gen<VirtualServiceKey> Key => Gen.OneOf(
        from protocol in Gen.Elements(IpvsProtocol.Tcp, IpvsProtocol.Udp, IpvsProtocol.Sctp)
        from address in Address
        from port in Port
        select VirtualServiceKey.Create(protocol, address, port),
        from mark in Gen.Choose(1, int.MaxValue)
        from family in Gen.Elements(AddressFamily.InterNetwork, AddressFamily.InterNetworkV6)
        select VirtualServiceKey.ForFirewallMark((uint)mark * 2u - 1u, family));

    public static Gen<VirtualService> Service =>
        from key in Key
        from scheduler in Gen.Elements(s_schedulers)
        from flags in Gen.Choose(0, 63).Select(f => (ServiceFlags)f & ~ServiceFlags.Hashed)
        from timeout in Gen.Choose(0, int.MaxValue).Select(t => TimeSpan.FromSeconds(t))
        from netmask in key.Family == AddressFamily.InterNetworkV6
            ? Gen.Choose(1, 128).Select(p => PersistenceNetmask.FromPrefixLength(AddressFamily.InterNetworkV6, p))
            : Gen.Choose(0, 32).Select(p => PersistenceNetmask.FromPrefixLength(AddressFamily.InterNetwork, p))
        from engine in Gen.Elements<string?>(null, "sip")
        select new VirtualService(key) { Scheduler = scheduler, Flags = flags, Timeout = timeout, Netmask = netmask, PersistenceEngine = engine };

    public static Gen<RealServer> Server =>
        from address in Address
        from port in Port
        from forwarding in Gen.Elements(ForwardingMethod.Masquerade, ForwardingMethod.Local, ForwardingMethod.Tunnel, ForwardingMethod.DirectRoute, ForwardingMethod.Bypass)
        from weight in Gen.Choose(0, int.MaxValue)
        from upper in Gen.Choose(0, int.MaxValue)
        from lower in Gen.Choose(0, int.MaxValue)
        from tunnel in Gen.Elements(TunnelType.Ipip, TunnelType.Gue, TunnelType.Gre)
        from tunnelPort in Port
        from tunnelFlags in Gen.Elements(TunnelFlags.NoChecksum, TunnelFlags.Checksum, TunnelFlags.RemoteChecksum)
        select new RealServer(address, port)
        {
            ForwardingMethod = forwarding,
            Weight = weight,
            UpperThreshold = (uint)upper,
            LowerThreshold = (uint)lower,
            TunnelType = tunnel,
            TunnelPort = tunnelPort,
            TunnelFlags = tunnelFlags,
        };

    public static Gen<SyncDaemon> Daemon =>
        from state in Gen.Elements(SyncDaemonState.Master, SyncDaemonState.Backup)
        from name in Gen.Elements("eth0", "veth0", "bond0.100", "x")
        from syncId in Gen.Choose(0, 255)
        from maxLength in Gen.Choose(0, 65535)
        from multicast in Gen.OneOf(Gen.Constant<IPAddress?>(null), IPv4.Where(a => !a.Equals(IPAddress.Any)).Select(a => (IPAddress?)a), IPv6.Where(a => !a.Equals(IPAddress.IPv6Any)).Select(a => (IPAddress?)a))
        from port in Port
        from ttl in Gen.Choose(0, 255)
        select new SyncDaemon(state, name, (uint)syncId) { MaxLength = (ushort)maxLength, MulticastGroup = multicast, Port = port, Ttl = (byte)ttl };
}
