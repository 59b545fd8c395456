namespace Ipvs.Model;

/// <summary>How IPVS forwards packets to a real server (the kernel's IP_VS_CONN_F_* forwarding values).</summary>
public enum ForwardingMethod
{
    /// <summary>NAT: the destination address is rewritten (ipvsadm <c>-m</c>, shown as <c>Masq</c>).</summary>
    Masquerade = 0,

    /// <summary>The real server is this host (the kernel picks it for local addresses; shown as <c>Local</c>).</summary>
    Local = 1,

    /// <summary>IP-in-IP, GUE or GRE encapsulation (ipvsadm <c>-i</c>, shown as <c>Tunnel</c>).</summary>
    Tunnel = 2,

    /// <summary>Direct routing, also called gatewaying (ipvsadm <c>-g</c>, its default; shown as <c>Route</c>).</summary>
    DirectRoute = 3,

    /// <summary>Bypass (the kernel's IP_VS_CONN_F_BYPASS; not settable through ipvsadm).</summary>
    Bypass = 4,

    /// <summary>
    /// Full NAT: source and destination rewritten, from the service's local addresses. Only
    /// kernels with the FULLNAT extension (Alibaba's LVS) have it; <see cref="IpvsClient"/>
    /// refuses it on others (see <see cref="IpvsClient.SupportsLocalAddresses"/>).
    /// </summary>
    FullNat = 5,
}
