namespace Ipvs;

/// <summary>Settings of an <see cref="IpvsClient"/>.</summary>
public sealed record IpvsClientOptions
{
    /// <summary>
    /// Load <c>ip_vs</c> when the kernel lacks it, and a scheduler's or persistence engine's
    /// module before first use, with the system's modprobe (as ipvsadm does). Default true.
    /// </summary>
    public bool LoadKernelModules { get; init; } = true;

    /// <summary>
    /// The netlink receive buffer to ask for, in bytes (forced past the system limit when the
    /// process has CAP_NET_ADMIN). Bigger buffers let more requests share one send. Default 8 MiB.
    /// </summary>
    public int ReceiveBufferSize { get; init; } = 8 << 20;

    /// <summary>
    /// The network namespace to manage, as a path (<c>/run/netns/NAME</c>, <c>/proc/PID/ns/net</c>);
    /// null for the caller's own. IPVS tables are per namespace: the client's socket is created
    /// inside this one and keeps working on it.
    /// </summary>
    public string? NetworkNamespace { get; init; }

    /// <summary>How long to wait for the kernel's answer before giving up. Default 30 seconds.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);
}
