namespace Ipvs.Model;

/// <summary>The encapsulation of a tunnelled real server (IP_VS_CONN_F_TUNNEL_TYPE_*, kernel 5.2 and later).</summary>
public enum TunnelType : byte
{
    /// <summary>IP in IP (the default).</summary>
    Ipip = 0,

    /// <summary>Generic UDP Encapsulation; needs a tunnel port.</summary>
    Gue = 1,

    /// <summary>Generic Routing Encapsulation (kernel 5.3 and later).</summary>
    Gre = 2,
}

/// <summary>Checksum options of GUE and GRE tunnels (IP_VS_TUNNEL_ENCAP_FLAG_*, kernel 5.3 and later).</summary>
[Flags]
public enum TunnelFlags : ushort
{
    /// <summary>No checksum (ipvsadm <c>--tun-nocsum</c>).</summary>
    NoChecksum = 0,

    /// <summary>Checksum (ipvsadm <c>--tun-csum</c>).</summary>
    Checksum = 1,

    /// <summary>Remote checksum offload, GUE only (ipvsadm <c>--tun-remcsum</c>).</summary>
    RemoteChecksum = 2,
}
