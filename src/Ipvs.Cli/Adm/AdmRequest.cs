namespace Ipvs.Cli.Adm;

/// <summary>
/// One parsed ipvsadm command line: ipvsadm's struct ipvs_command_entry with its option bits and
/// format. The fields are filled the way ipvsadm fills its structure while options are read,
/// order effects included (a later <c>-t</c> with an IPv6 address resets the netmask, a
/// <c>-r</c> copies the service's protocol and port as they are at that point).
/// </summary>
internal sealed class AdmRequest
{
    public const uint FlagPersistent = 0x1;
    public const uint FlagOnePacket = 0x4;
    public const uint FlagSched1 = 0x8;
    public const uint FlagSched2 = 0x10;
    public const uint FlagSched3 = 0x20;
    public const uint FlagsSched = FlagSched1 | FlagSched2 | FlagSched3;

    public const uint ForwardMasquerade = 0;
    public const uint ForwardLocal = 1;
    public const uint ForwardTunnel = 2;
    public const uint ForwardDirectRoute = 3;

    public const ushort ProtocolTcp = 6;
    public const ushort ProtocolUdp = 17;
    public const ushort ProtocolSctp = 132;

    public const int DaemonMaster = 1;
    public const int DaemonBackup = 2;

    public AdmCommand Command { get; set; }

    /// <summary>The OPTC_* bits given.</summary>
    public ulong Options { get; set; }

    public AdmFormat Format { get; set; }

    public AddressTarget Service { get; } = new() { Netmask = 0xFFFFFFFF };

    public uint FirewallMark { get; set; }

    /// <summary>The scheduler, at most 15 characters as ipvsadm copies it.</summary>
    public string Scheduler { get; set; } = string.Empty;

    public uint Flags { get; set; }

    public uint Timeout { get; set; }

    /// <summary>The persistence engine, at most 16 characters.</summary>
    public string PersistenceEngine { get; set; } = string.Empty;

    public AddressTarget Destination { get; } = new();

    public uint ConnFlags { get; set; } = ForwardDirectRoute;

    public int Weight { get; set; } = 1;

    public uint UpperThreshold { get; set; }

    public uint LowerThreshold { get; set; }

    public ushort TunnelType { get; set; }

    public ushort TunnelPort { get; set; }

    public ushort TunnelFlags { get; set; }

    public int TcpTimeout { get; set; }

    public int TcpFinTimeout { get; set; }

    public int UdpTimeout { get; set; }

    public int DaemonState { get; set; }

    /// <summary>The multicast interface, at most 15 characters.</summary>
    public string McastInterface { get; set; } = string.Empty;

    public int SyncId { get; set; }

    public int SyncMaxLength { get; set; }

    public ushort McastPort { get; set; }

    public ushort McastTtl { get; set; }

    public int McastFamily { get; set; }

    public byte[] McastGroup { get; } = new byte[16];

    public bool Has(int option) => (Options & (1UL << option)) != 0;
}

/// <summary>An address part of a service or real server: family, the 16-byte address union, port, and (for services) netmask and protocol.</summary>
internal sealed class AddressTarget
{
    /// <summary>AF_INET, AF_INET6, or 0 before an address was given.</summary>
    public int Family { get; set; }

    /// <summary>union nf_inet_addr: an IPv4 address in the first four bytes.</summary>
    public byte[] Address { get; } = new byte[16];

    /// <summary>The port, in host order.</summary>
    public ushort Port { get; set; }

    /// <summary>The persistence netmask: for IPv4 the mask as a number (big-endian bytes are the mask), for IPv6 the prefix length.</summary>
    public uint Netmask { get; set; }

    public ushort Protocol { get; set; }

    public void CopyFrom(AddressTarget other)
    {
        Family = other.Family;
        other.Address.CopyTo(Address, 0);
        Port = other.Port;
        Netmask = other.Netmask;
        Protocol = other.Protocol;
    }
}
