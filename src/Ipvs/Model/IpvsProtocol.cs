namespace Ipvs.Model;

/// <summary>The transport protocol of a virtual service (IP protocol numbers, as the kernel uses them).</summary>
public enum IpvsProtocol : ushort
{
    /// <summary>No protocol: the service is identified by a firewall mark.</summary>
    None = 0,

    /// <summary>TCP (6).</summary>
    Tcp = 6,

    /// <summary>UDP (17).</summary>
    Udp = 17,

    /// <summary>SCTP (132).</summary>
    Sctp = 132,
}
