using System.Net;
using System.Net.Sockets;

namespace Ipvs.Model;

/// <summary>A real server (the kernel's "destination") behind a virtual service.</summary>
/// <param name="Address">The server's address; it may be of another family than the service's only with tunnel forwarding.</param>
/// <param name="Port">The server's port. With direct routing and tunnelling the kernel uses the service's port.</param>
public sealed record RealServer(IPAddress Address, ushort Port)
{
    /// <summary>How packets reach the server. Defaults to masquerading (NAT).</summary>
    public ForwardingMethod ForwardingMethod { get; init; } = ForwardingMethod.Masquerade;

    /// <summary>The scheduling weight; 0 stops new connections (draining). ipvsadm accepts 0 to 65535.</summary>
    public int Weight { get; init; } = 1;

    /// <summary>Upper connection threshold; 0 means none.</summary>
    public uint UpperThreshold { get; init; }

    /// <summary>Lower connection threshold; 0 means none.</summary>
    public uint LowerThreshold { get; init; }

    /// <summary>The tunnel's encapsulation, with <see cref="ForwardingMethod.Tunnel"/>.</summary>
    public TunnelType TunnelType { get; init; }

    /// <summary>The tunnel's UDP port (GUE only; required there).</summary>
    public ushort TunnelPort { get; init; }

    /// <summary>The tunnel's checksum option (GUE and GRE).</summary>
    public TunnelFlags TunnelFlags { get; init; }

    /// <summary>Active connections, when read from the kernel.</summary>
    public uint ActiveConnections { get; init; }

    /// <summary>Inactive connections, when read from the kernel.</summary>
    public uint InactiveConnections { get; init; }

    /// <summary>Persistence templates pointing at this server, when read from the kernel.</summary>
    public uint PersistentConnections { get; init; }

    /// <summary>Counters and rates, when read from the kernel; null in a server to create.</summary>
    public IpvsStatistics? Statistics { get; init; }

    /// <summary>The server's address family.</summary>
    public AddressFamily Family => Address.AddressFamily;

    /// <summary>ADDRESS:PORT, IPv6 bracketed.</summary>
    public string Endpoint => AddressPort.Format(Address, Port);

    /// <summary>True when the settings an update can change (forwarding, weight, thresholds, tunnel) are the same; counters are ignored.</summary>
    public bool HasSameSettings(RealServer other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Address.Equals(other.Address)
            && Port == other.Port
            && ForwardingMethod == other.ForwardingMethod
            && Weight == other.Weight
            && UpperThreshold == other.UpperThreshold
            && LowerThreshold == other.LowerThreshold
            && TunnelType == other.TunnelType
            && TunnelPort == other.TunnelPort
            && TunnelFlags == other.TunnelFlags;
    }
}
