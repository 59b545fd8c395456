using System.Net.Sockets;

namespace Ipvs.Model;

/// <summary>A virtual service: the address clients connect to, and how IPVS schedules them.</summary>
/// <param name="Key">What identifies the service.</param>
public sealed record VirtualService(VirtualServiceKey Key)
{
    /// <summary>The default scheduler, as in ipvsadm.</summary>
    public const string DefaultScheduler = "wlc";

    /// <summary>The default persistence timeout in seconds, as in ipvsadm (6 minutes).</summary>
    public const uint DefaultPersistenceTimeout = 360;

    /// <summary>The scheduler: rr wrr lc wlc lblc lblcr dh sh sed nq fo ovf mh twos, or any the kernel has.</summary>
    public string Scheduler { get; init; } = DefaultScheduler;

    /// <summary>Persistence, one-packet scheduling and scheduler flags. <see cref="ServiceFlags.Hashed"/> is never set.</summary>
    public ServiceFlags Flags { get; init; }

    /// <summary>Persistence timeout in seconds (meaningful with <see cref="ServiceFlags.Persistent"/>).</summary>
    public uint Timeout { get; init; }

    /// <summary>
    /// Persistence granularity, in the kernel's form: for IPv4 the mask as a number
    /// (0xFFFFFF00 for 255.255.255.0); for IPv6 the prefix length. Defaults to a single client
    /// address (0xFFFFFFFF, or 128). See <see cref="PersistenceNetmask"/> to convert.
    /// </summary>
    public uint Netmask { get; init; } = PersistenceNetmask.Full(Key.Family);

    /// <summary>The persistence engine (<c>sip</c>), or null.</summary>
    public string? PersistenceEngine { get; init; }

    /// <summary>Counters and rates, when read from the kernel; null in a service to create.</summary>
    public IpvsStatistics? Statistics { get; init; }

    /// <summary>True when the service is persistent.</summary>
    public bool IsPersistent => (Flags & ServiceFlags.Persistent) != 0;

    /// <summary>The address family of the service.</summary>
    public AddressFamily Family => Key.Family;

    /// <summary>
    /// True when the settings that an update can change (scheduler, flags, timeout, netmask,
    /// engine) are the same; statistics are ignored, and so is the timeout when neither is
    /// persistent (it means nothing then: ipvsadm sends 0, other tools may not).
    /// </summary>
    public bool HasSameSettings(VirtualService other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Key == other.Key
            && string.Equals(Scheduler, other.Scheduler, StringComparison.Ordinal)
            && (Flags & ~ServiceFlags.Hashed) == (other.Flags & ~ServiceFlags.Hashed)
            && (Timeout == other.Timeout || (!IsPersistent && !other.IsPersistent))
            && Netmask == other.Netmask
            && string.Equals(PersistenceEngine ?? string.Empty, other.PersistenceEngine ?? string.Empty, StringComparison.Ordinal);
    }
}
