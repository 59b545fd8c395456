using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Ipvs.Model;
using Ipvs.Netlink;

namespace Ipvs.Kernel;

/// <summary>Encodes IPVS requests and decodes the kernel's replies (the attribute layouts of ip_vs.h).</summary>
internal static class IpvsCodec
{
    private static readonly string[] s_knownNames =
        ["rr", "wrr", "lc", "wlc", "lblc", "lblcr", "dh", "sh", "sed", "nq", "fo", "ovf", "mh", "twos", "none", "sip"];

    /// <summary>Begins a request message for the IPVS family.</summary>
    public static void BeginRequest(NetlinkMessageWriter writer, ushort familyId, byte command, bool dump = false)
    {
        writer.BeginMessage(familyId, (ushort)(NetlinkConstants.FlagRequest | (dump ? NetlinkConstants.FlagDump : NetlinkConstants.FlagAck)), 0);
        writer.WriteGenericHeader(command, IpvsGenl.Version);
    }

    /// <summary>Writes one operation as a complete request message.</summary>
    public static void WriteOperation(NetlinkMessageWriter writer, ushort familyId, IpvsOperation operation)
    {
        switch (operation)
        {
            case AddServiceOperation add:
                BeginRequest(writer, familyId, IpvsGenl.CmdNewService);
                WriteService(writer, add.Service);
                break;
            case UpdateServiceOperation update:
                BeginRequest(writer, familyId, IpvsGenl.CmdSetService);
                WriteService(writer, update.Service);
                break;
            case DeleteServiceOperation delete:
                BeginRequest(writer, familyId, IpvsGenl.CmdDelService);
                WriteServiceKey(writer, delete.Service);
                break;
            case AddRealServerOperation add:
                BeginRequest(writer, familyId, IpvsGenl.CmdNewDest);
                WriteServiceKey(writer, add.Service);
                WriteRealServer(writer, add.Server);
                break;
            case UpdateRealServerOperation update:
                BeginRequest(writer, familyId, IpvsGenl.CmdSetDest);
                WriteServiceKey(writer, update.Service);
                WriteRealServer(writer, update.Server);
                break;
            case DeleteRealServerOperation delete:
                BeginRequest(writer, familyId, IpvsGenl.CmdDelDest);
                WriteServiceKey(writer, delete.Service);
                var nest = writer.BeginNested(IpvsGenl.AttrDest);
                writer.WriteU16(IpvsGenl.DestAddrFamily, AddressFamilyCode(delete.Address.AddressFamily));
                writer.WriteAddress(IpvsGenl.DestAddr, delete.Address, IpvsGenl.AddressLength);
                writer.WriteBigEndianU16(IpvsGenl.DestPort, delete.Port);
                writer.EndNested(nest);
                break;
            case ZeroCountersOperation zero:
                BeginRequest(writer, familyId, IpvsGenl.CmdZero);
                if (zero.Service is not null)
                {
                    WriteServiceKey(writer, zero.Service);
                }

                break;
            case FlushOperation:
                BeginRequest(writer, familyId, IpvsGenl.CmdFlush);
                break;
            case SetTimeoutsOperation timeouts:
                BeginRequest(writer, familyId, IpvsGenl.CmdSetConfig);
                writer.WriteU32(IpvsGenl.AttrTimeoutTcp, Seconds(timeouts.Timeouts.Tcp));
                writer.WriteU32(IpvsGenl.AttrTimeoutTcpFin, Seconds(timeouts.Timeouts.TcpFin));
                writer.WriteU32(IpvsGenl.AttrTimeoutUdp, Seconds(timeouts.Timeouts.Udp));
                break;
            case StartSyncDaemonOperation start:
                BeginRequest(writer, familyId, IpvsGenl.CmdNewDaemon);
                WriteDaemon(writer, start.Daemon);
                break;
            case StopSyncDaemonOperation stop:
                BeginRequest(writer, familyId, IpvsGenl.CmdDelDaemon);
                var daemon = writer.BeginNested(IpvsGenl.AttrDaemon);
                writer.WriteU32(IpvsGenl.DaemonState, (uint)stop.State);
                writer.EndNested(daemon);
                break;
            case AddLocalAddressOperation add:
                BeginRequest(writer, familyId, IpvsGenl.CmdNewLocalAddress);
                WriteServiceKey(writer, add.Service);
                WriteLocalAddress(writer, add.Address);
                break;
            case DeleteLocalAddressOperation delete:
                BeginRequest(writer, familyId, IpvsGenl.CmdDelLocalAddress);
                WriteServiceKey(writer, delete.Service);
                WriteLocalAddress(writer, delete.Address);
                break;
            default:
                throw new ArgumentException($"Unknown operation {operation.GetType().Name}.", nameof(operation));
        }

        writer.EndMessage();
    }

    /// <summary>The SERVICE nest with only what identifies the service (for deletes, dumps and destination requests).</summary>
    public static void WriteServiceKey(NetlinkMessageWriter writer, VirtualServiceKey key)
    {
        var nest = writer.BeginNested(IpvsGenl.AttrService);
        WriteKeyAttributes(writer, key);
        writer.EndNested(nest);
    }

    /// <summary>The full SERVICE nest, as NEW_SERVICE and SET_SERVICE require it.</summary>
    public static void WriteService(NetlinkMessageWriter writer, VirtualService service)
    {
        var nest = writer.BeginNested(IpvsGenl.AttrService);
        WriteKeyAttributes(writer, service.Key);
        writer.WriteString(IpvsGenl.SvcSchedName, service.Scheduler);
        if (!string.IsNullOrEmpty(service.PersistenceEngine))
        {
            writer.WriteString(IpvsGenl.SvcPeName, service.PersistenceEngine);
        }

        // struct ip_vs_flags { flags, mask }: a full mask replaces every flag, as ipvsadm does.
        Span<byte> flags = stackalloc byte[8];
        HostOrder.WriteU32(flags, (uint)(service.Flags & ~ServiceFlags.Hashed));
        HostOrder.WriteU32(flags[4..], uint.MaxValue);
        writer.WriteBytes(IpvsGenl.SvcFlags, flags);
        writer.WriteU32(IpvsGenl.SvcTimeout, PersistenceSeconds(service.Timeout));
        WriteNetmask(writer, service.Key.Family, CheckNetmask(service));
        writer.EndNested(nest);
    }

    /// <summary>The DEST nest with every attribute NEW_DEST and SET_DEST require.</summary>
    public static void WriteRealServer(NetlinkMessageWriter writer, RealServer server)
    {
        var nest = writer.BeginNested(IpvsGenl.AttrDest);
        writer.WriteU16(IpvsGenl.DestAddrFamily, AddressFamilyCode(server.Family));
        writer.WriteAddress(IpvsGenl.DestAddr, server.Address, IpvsGenl.AddressLength);
        writer.WriteBigEndianU16(IpvsGenl.DestPort, server.Port);
        writer.WriteU32(IpvsGenl.DestFwdMethod, (uint)server.ForwardingMethod & IpvsGenl.ForwardMask);
        writer.WriteU32(IpvsGenl.DestWeight, unchecked((uint)server.Weight));
        writer.WriteU8(IpvsGenl.DestTunType, (byte)server.TunnelType);
        writer.WriteBigEndianU16(IpvsGenl.DestTunPort, server.TunnelPort);
        writer.WriteU16(IpvsGenl.DestTunFlags, (ushort)server.TunnelFlags);
        writer.WriteU32(IpvsGenl.DestUThresh, server.UpperThreshold);
        writer.WriteU32(IpvsGenl.DestLThresh, server.LowerThreshold);
        writer.EndNested(nest);
    }

    /// <summary>
    /// The LADDR nest of the FULLNAT extension: the address as the 16-byte union (its kernels'
    /// policy asks for at least that much; mainline has no such attribute).
    /// </summary>
    public static void WriteLocalAddress(NetlinkMessageWriter writer, IPAddress address)
    {
        var nest = writer.BeginNested(IpvsGenl.AttrLocalAddress);
        writer.WriteAddress(IpvsGenl.LocalAddressAddr, address, IpvsGenl.AddressLength);
        writer.EndNested(nest);
    }

    /// <summary>Decodes the LADDR nest of a GET_LADDR dump message; its address has the service's family.</summary>
    public static LocalAddress DecodeLocalAddress(NetlinkMessage message, AddressFamily serviceFamily)
    {
        var attributes = message.Attributes(GenericNetlink.HeaderLength);
        while (attributes.TryRead(out var type, out var value))
        {
            if (type == IpvsGenl.AttrLocalAddress)
            {
                return DecodeLocalAddress(value, serviceFamily);
            }
        }

        throw new NetlinkProtocolException("An IPVS local address reply had no local address.");
    }

    public static LocalAddress DecodeLocalAddress(ReadOnlySpan<byte> nest, AddressFamily serviceFamily)
    {
        ReadOnlySpan<byte> address = default;
        ulong conflicts = 0;
        uint connections = 0;
        var attributes = new NetlinkAttributeReader(nest);
        while (attributes.TryRead(out var type, out var value))
        {
            switch (type)
            {
                case IpvsGenl.LocalAddressAddr:
                    address = value;
                    break;
                case IpvsGenl.LocalAddressPortConflicts:
                    conflicts = NetlinkAttributeReader.ReadUnsigned(value);
                    break;
                case IpvsGenl.LocalAddressConnections:
                    connections = NetlinkAttributeReader.ReadU32(value);
                    break;
            }
        }

        return new LocalAddress(NetlinkAttributeReader.ReadAddress(address, serviceFamily == AddressFamily.InterNetworkV6))
        {
            PortConflicts = conflicts,
            Connections = connections,
        };
    }

    public static void WriteDaemon(NetlinkMessageWriter writer, SyncDaemon daemon)
    {
        var nest = writer.BeginNested(IpvsGenl.AttrDaemon);
        writer.WriteU32(IpvsGenl.DaemonState, (uint)daemon.State);
        writer.WriteString(IpvsGenl.DaemonMcastIfn, daemon.Interface);
        writer.WriteU32(IpvsGenl.DaemonSyncId, daemon.SyncId);
        // The optional attributes exist since kernel 4.3; omitted, the kernel keeps its defaults.
        if (daemon.MaxLength != 0)
        {
            writer.WriteU16(IpvsGenl.DaemonSyncMaxLen, daemon.MaxLength);
        }

        if (daemon.Port != 0)
        {
            writer.WriteU16(IpvsGenl.DaemonMcastPort, daemon.Port);
        }

        if (daemon.Ttl != 0)
        {
            writer.WriteU8(IpvsGenl.DaemonMcastTtl, daemon.Ttl);
        }

        if (daemon.MulticastGroup is { } group)
        {
            if (group.AddressFamily == AddressFamily.InterNetworkV6)
            {
                writer.WriteAddress(IpvsGenl.DaemonMcastGroup6, group, 16);
            }
            else
            {
                writer.WriteAddress(IpvsGenl.DaemonMcastGroup, group, 4);
            }
        }

        writer.EndNested(nest);
    }

    private static void WriteKeyAttributes(NetlinkMessageWriter writer, VirtualServiceKey key)
    {
        writer.WriteU16(IpvsGenl.SvcAf, AddressFamilyCode(key.Family));
        if (key.IsFirewallMark)
        {
            writer.WriteU32(IpvsGenl.SvcFwmark, key.FirewallMark);
        }
        else
        {
            writer.WriteU16(IpvsGenl.SvcProtocol, (ushort)key.Protocol);
            writer.WriteAddress(IpvsGenl.SvcAddr, key.Address!, IpvsGenl.AddressLength);
            writer.WriteBigEndianU16(IpvsGenl.SvcPort, key.Port);
        }
    }

    /// <summary>The persistence timeout as the kernel's u32 of seconds (<see cref="VirtualService.Timeout"/> only holds values that fit).</summary>
    internal static uint PersistenceSeconds(TimeSpan timeout) => checked((uint)(timeout.Ticks / TimeSpan.TicksPerSecond));

    /// <summary>The netmask's kernel value, once it is known to be of the service's family.</summary>
    /// <exception cref="ArgumentException">The netmask is of the other family, or has none.</exception>
    internal static uint CheckNetmask(VirtualService service)
    {
        if (service.Netmask.Family != service.Key.Family)
        {
            throw new ArgumentException(
                $"The persistence netmask of {service.Key} is {(service.Netmask.Family == AddressFamily.Unspecified ? "unset" : "for " + service.Netmask.Family)}, not for {service.Key.Family}.",
                nameof(service));
        }

        return service.Netmask.KernelValue;
    }

    private static void WriteNetmask(NetlinkMessageWriter writer, AddressFamily family, uint netmask)
    {
        // IPv4: the mask in network byte order (a __be32); IPv6: the prefix length as a plain u32.
        if (family == AddressFamily.InterNetworkV6)
        {
            writer.WriteU32(IpvsGenl.SvcNetmask, netmask);
        }
        else
        {
            writer.WriteBigEndianU32(IpvsGenl.SvcNetmask, netmask);
        }
    }

    private static uint Seconds(TimeSpan value) =>
        value < TimeSpan.Zero ? throw new ArgumentOutOfRangeException(nameof(value), value, "A timeout cannot be negative.") : (uint)Math.Min(value.TotalSeconds, uint.MaxValue);

    internal static ushort AddressFamilyCode(AddressFamily family) => family switch
    {
        AddressFamily.InterNetwork => IpvsGenl.AfInet,
        AddressFamily.InterNetworkV6 => IpvsGenl.AfInet6,
        _ => throw new ArgumentOutOfRangeException(nameof(family), family, "IPVS addresses are IPv4 or IPv6."),
    };

    internal static AddressFamily AddressFamilyOf(ushort code) => code switch
    {
        IpvsGenl.AfInet => AddressFamily.InterNetwork,
        IpvsGenl.AfInet6 => AddressFamily.InterNetworkV6,
        _ => throw new NetlinkProtocolException($"Unknown address family {code} in an IPVS reply."),
    };

    /// <summary>Decodes the SERVICE nest of a NEW_SERVICE reply.</summary>
    public static VirtualService DecodeService(NetlinkMessage message)
    {
        var attributes = message.Attributes(GenericNetlink.HeaderLength);
        while (attributes.TryRead(out var type, out var value))
        {
            if (type == IpvsGenl.AttrService)
            {
                return DecodeService(value);
            }
        }

        throw new NetlinkProtocolException("An IPVS service reply had no service.");
    }

    public static VirtualService DecodeService(ReadOnlySpan<byte> nest)
    {
        ushort af = 0, protocol = 0, port = 0;
        uint fwmark = 0, flags = 0, flagMask = uint.MaxValue, timeout = 0;
        // Every kernel sends the netmask; were it missing, the full mask is what a new service gets.
        uint netmaskHost = 128, netmaskNetwork = uint.MaxValue;
        ReadOnlySpan<byte> address = default, scheduler = default, engine = default, stats = default, stats64 = default;
        var attributes = new NetlinkAttributeReader(nest);
        while (attributes.TryRead(out var type, out var value))
        {
            switch (type)
            {
                case IpvsGenl.SvcAf:
                    af = NetlinkAttributeReader.ReadU16(value);
                    break;
                case IpvsGenl.SvcProtocol:
                    protocol = NetlinkAttributeReader.ReadU16(value);
                    break;
                case IpvsGenl.SvcAddr:
                    address = value;
                    break;
                case IpvsGenl.SvcPort:
                    port = NetlinkAttributeReader.ReadBigEndianU16(value);
                    break;
                case IpvsGenl.SvcFwmark:
                    fwmark = NetlinkAttributeReader.ReadU32(value);
                    break;
                case IpvsGenl.SvcSchedName:
                    scheduler = value;
                    break;
                case IpvsGenl.SvcFlags:
                    flags = NetlinkAttributeReader.ReadU32(value);
                    flagMask = value.Length >= 8 ? HostOrder.ReadU32(value[4..]) : uint.MaxValue;
                    break;
                case IpvsGenl.SvcTimeout:
                    timeout = NetlinkAttributeReader.ReadU32(value);
                    break;
                case IpvsGenl.SvcNetmask:
                    netmaskHost = NetlinkAttributeReader.ReadU32(value);
                    netmaskNetwork = NetlinkAttributeReader.ReadBigEndianU32(value);
                    break;
                case IpvsGenl.SvcPeName:
                    engine = value;
                    break;
                case IpvsGenl.SvcStats:
                    stats = value;
                    break;
                case IpvsGenl.SvcStats64:
                    stats64 = value;
                    break;
            }
        }

        var family = AddressFamilyOf(af);
        VirtualServiceKey key;
        if (fwmark != 0)
        {
            key = VirtualServiceKey.ForFirewallMark(fwmark, family);
        }
        else
        {
            key = VirtualServiceKey.Create((IpvsProtocol)protocol, NetlinkAttributeReader.ReadAddress(address, family == AddressFamily.InterNetworkV6), port);
        }

        var engineName = engine.IsEmpty ? null : Intern(engine);
        return new VirtualService(key)
        {
            Scheduler = Intern(scheduler),
            Flags = (ServiceFlags)(flags & flagMask) & ~ServiceFlags.Hashed,
            Timeout = TimeSpan.FromSeconds(timeout),
            Netmask = DecodeNetmask(family, netmaskHost, netmaskNetwork),
            PersistenceEngine = string.IsNullOrEmpty(engineName) ? null : engineName,
            Statistics = DecodeStatistics(stats, stats64),
        };
    }

    private static PersistenceNetmask DecodeNetmask(AddressFamily family, uint host, uint network)
    {
        if (family != AddressFamily.InterNetworkV6)
        {
            return PersistenceNetmask.FromIPv4Mask(network);
        }

        // The kernel refuses an IPv6 prefix outside 1 to 128, so another value is a broken reply.
        return host is >= 1 and <= 128
            ? PersistenceNetmask.FromPrefixLength(family, (int)host)
            : throw new NetlinkProtocolException($"An IPv6 persistence prefix of {host} in an IPVS reply.");
    }

    /// <summary>Decodes the DEST nest of a NEW_DEST dump message; <paramref name="serviceFamily"/> stands in for kernels that do not report the destination's family (before 3.18).</summary>
    public static RealServer DecodeRealServer(NetlinkMessage message, AddressFamily serviceFamily)
    {
        var attributes = message.Attributes(GenericNetlink.HeaderLength);
        while (attributes.TryRead(out var type, out var value))
        {
            if (type == IpvsGenl.AttrDest)
            {
                return DecodeRealServer(value, serviceFamily);
            }
        }

        throw new NetlinkProtocolException("An IPVS destination reply had no destination.");
    }

    public static RealServer DecodeRealServer(ReadOnlySpan<byte> nest, AddressFamily serviceFamily)
    {
        ReadOnlySpan<byte> address = default, stats = default, stats64 = default;
        ushort port = 0, tunnelPort = 0, tunnelFlags = 0;
        uint forwarding = 0, weight = 0, upper = 0, lower = 0, active = 0, inactive = 0, persistent = 0;
        byte tunnelType = 0;
        var family = serviceFamily;
        var attributes = new NetlinkAttributeReader(nest);
        while (attributes.TryRead(out var type, out var value))
        {
            switch (type)
            {
                case IpvsGenl.DestAddr:
                    address = value;
                    break;
                case IpvsGenl.DestPort:
                    port = NetlinkAttributeReader.ReadBigEndianU16(value);
                    break;
                case IpvsGenl.DestFwdMethod:
                    forwarding = NetlinkAttributeReader.ReadU32(value) & IpvsGenl.ForwardMask;
                    break;
                case IpvsGenl.DestWeight:
                    weight = NetlinkAttributeReader.ReadU32(value);
                    break;
                case IpvsGenl.DestUThresh:
                    upper = NetlinkAttributeReader.ReadU32(value);
                    break;
                case IpvsGenl.DestLThresh:
                    lower = NetlinkAttributeReader.ReadU32(value);
                    break;
                case IpvsGenl.DestActiveConns:
                    active = NetlinkAttributeReader.ReadU32(value);
                    break;
                case IpvsGenl.DestInactConns:
                    inactive = NetlinkAttributeReader.ReadU32(value);
                    break;
                case IpvsGenl.DestPersistConns:
                    persistent = NetlinkAttributeReader.ReadU32(value);
                    break;
                case IpvsGenl.DestAddrFamily:
                    family = AddressFamilyOf(NetlinkAttributeReader.ReadU16(value));
                    break;
                case IpvsGenl.DestStats:
                    stats = value;
                    break;
                case IpvsGenl.DestStats64:
                    stats64 = value;
                    break;
                case IpvsGenl.DestTunType:
                    tunnelType = NetlinkAttributeReader.ReadU8(value);
                    break;
                case IpvsGenl.DestTunPort:
                    tunnelPort = NetlinkAttributeReader.ReadBigEndianU16(value);
                    break;
                case IpvsGenl.DestTunFlags:
                    tunnelFlags = NetlinkAttributeReader.ReadU16(value);
                    break;
            }
        }

        return new RealServer(NetlinkAttributeReader.ReadAddress(address, family == AddressFamily.InterNetworkV6), port)
        {
            ForwardingMethod = (ForwardingMethod)forwarding,
            Weight = unchecked((int)weight),
            UpperThreshold = upper,
            LowerThreshold = lower,
            ActiveConnections = active,
            InactiveConnections = inactive,
            PersistentConnections = persistent,
            TunnelType = (TunnelType)tunnelType,
            TunnelPort = tunnelPort,
            TunnelFlags = (TunnelFlags)tunnelFlags,
            Statistics = DecodeStatistics(stats, stats64),
        };
    }

    /// <summary>Decodes the statistics, preferring the 64-bit set.</summary>
    public static IpvsStatistics? DecodeStatistics(ReadOnlySpan<byte> stats, ReadOnlySpan<byte> stats64)
    {
        var is64 = !stats64.IsEmpty;
        var nest = is64 ? stats64 : stats;
        if (nest.IsEmpty)
        {
            return null;
        }

        // Each counter's attribute number is its IpvsCounter value, 1 to 10.
        Span<ulong> values = stackalloc ulong[IpvsStatistics.Counters.Count];
        var attributes = new NetlinkAttributeReader(nest);
        while (attributes.TryRead(out var type, out var value))
        {
            // Width-agnostic: the legacy set mixes 32- and 64-bit values.
            if (type >= (ushort)IpvsCounter.Connections && type <= (ushort)IpvsCounter.OutgoingBytesPerSecond)
            {
                values[type - 1] = NetlinkAttributeReader.ReadUnsigned(value);
            }
        }

        return IpvsStatistics.FromValues(values, is64);
    }

    public static SyncDaemon DecodeDaemon(NetlinkMessage message)
    {
        var attributes = message.Attributes(GenericNetlink.HeaderLength);
        while (attributes.TryRead(out var type, out var value))
        {
            if (type == IpvsGenl.AttrDaemon)
            {
                return DecodeDaemon(value);
            }
        }

        throw new NetlinkProtocolException("An IPVS daemon reply had no daemon.");
    }

    public static SyncDaemon DecodeDaemon(ReadOnlySpan<byte> nest)
    {
        uint state = 0, syncId = 0;
        ushort maxLength = 0, port = 0;
        byte ttl = 0;
        string name = string.Empty;
        IPAddress? group = null;
        var attributes = new NetlinkAttributeReader(nest);
        while (attributes.TryRead(out var type, out var value))
        {
            switch (type)
            {
                case IpvsGenl.DaemonState:
                    state = NetlinkAttributeReader.ReadU32(value);
                    break;
                case IpvsGenl.DaemonMcastIfn:
                    name = NetlinkAttributeReader.ReadString(value);
                    break;
                case IpvsGenl.DaemonSyncId:
                    syncId = NetlinkAttributeReader.ReadU32(value);
                    break;
                case IpvsGenl.DaemonSyncMaxLen:
                    maxLength = NetlinkAttributeReader.ReadU16(value);
                    break;
                case IpvsGenl.DaemonMcastGroup:
                    // Both group attributes are sent; the one in use is the non-zero one.
                    if (value.Length >= 4 && BinaryPrimitives.ReadUInt32BigEndian(value) != 0)
                    {
                        group = new IPAddress(value[..4]);
                    }

                    break;
                case IpvsGenl.DaemonMcastGroup6:
                    if (value.Length >= 16 && value[..16].ContainsAnyExcept((byte)0))
                    {
                        group = new IPAddress(value[..16]);
                    }

                    break;
                case IpvsGenl.DaemonMcastPort:
                    port = NetlinkAttributeReader.ReadU16(value);
                    break;
                case IpvsGenl.DaemonMcastTtl:
                    ttl = NetlinkAttributeReader.ReadU8(value);
                    break;
            }
        }

        return new SyncDaemon((SyncDaemonState)state, name, syncId)
        {
            MaxLength = maxLength,
            MulticastGroup = group,
            Port = port,
            Ttl = ttl,
        };
    }

    public static IpvsTimeouts DecodeTimeouts(NetlinkMessage message)
    {
        uint tcp = 0, tcpFin = 0, udp = 0;
        var attributes = message.Attributes(GenericNetlink.HeaderLength);
        while (attributes.TryRead(out var type, out var value))
        {
            switch (type)
            {
                case IpvsGenl.AttrTimeoutTcp:
                    tcp = NetlinkAttributeReader.ReadU32(value);
                    break;
                case IpvsGenl.AttrTimeoutTcpFin:
                    tcpFin = NetlinkAttributeReader.ReadU32(value);
                    break;
                case IpvsGenl.AttrTimeoutUdp:
                    udp = NetlinkAttributeReader.ReadU32(value);
                    break;
            }
        }

        return new IpvsTimeouts(TimeSpan.FromSeconds(tcp), TimeSpan.FromSeconds(tcpFin), TimeSpan.FromSeconds(udp));
    }

    public static IpvsInfo DecodeInfo(NetlinkMessage message)
    {
        uint version = 0, size = 0;
        var attributes = message.Attributes(GenericNetlink.HeaderLength);
        while (attributes.TryRead(out var type, out var value))
        {
            switch (type)
            {
                case IpvsGenl.InfoVersion:
                    version = NetlinkAttributeReader.ReadU32(value);
                    break;
                case IpvsGenl.InfoConnTabSize:
                    size = NetlinkAttributeReader.ReadU32(value);
                    break;
            }
        }

        return new IpvsInfo(version, size);
    }

    /// <summary>Scheduler and engine names repeat across thousands of services: share one string each.</summary>
    private static string Intern(ReadOnlySpan<byte> value)
    {
        var end = value.IndexOf((byte)0);
        var name = end >= 0 ? value[..end] : value;
        foreach (var known in s_knownNames)
        {
            if (name.Length == known.Length && EqualsAscii(name, known))
            {
                return known;
            }
        }

        return NetlinkAttributeReader.ReadString(name);
    }

    private static bool EqualsAscii(ReadOnlySpan<byte> bytes, string text)
    {
        for (var i = 0; i < bytes.Length; i++)
        {
            if (bytes[i] != text[i])
            {
                return false;
            }
        }

        return true;
    }
}
