using System.Net.Sockets;

namespace Ipvs.Model;

/// <summary>A virtual service: the address clients connect to, and how IPVS schedules them.</summary>
/// <param name="Key">What identifies the service.</param>
public sealed record VirtualService(VirtualServiceKey Key)
{
    /// <summary>The default scheduler, as in ipvsadm.</summary>
    public const string DefaultScheduler = "wlc";

    /// <summary>The default persistence timeout, as in ipvsadm (6 minutes).</summary>
    public static readonly TimeSpan DefaultPersistenceTimeout = TimeSpan.FromSeconds(360);

    // The kernel holds the persistence timeout as a u32 of seconds.
    private static readonly TimeSpan s_maxTimeout = TimeSpan.FromSeconds(uint.MaxValue);

    private readonly TimeSpan _timeout;

    /// <summary>The scheduler: rr wrr lc wlc lblc lblcr dh sh sed nq fo ovf mh twos, or any the kernel has.</summary>
    public string Scheduler { get; init; } = DefaultScheduler;

    /// <summary>Persistence, one-packet scheduling and scheduler flags. <see cref="ServiceFlags.Hashed"/> is never set.</summary>
    public ServiceFlags Flags { get; init; }

    /// <summary>
    /// Persistence timeout (meaningful with <see cref="ServiceFlags.Persistent"/>). The kernel
    /// keeps whole seconds in a u32, so the value is checked when it is set, not when it is sent:
    /// a service that exists can always be sent, and <see cref="InMemoryIpvs"/> and the kernel
    /// client refuse the same things.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">
    /// The value is negative, not a whole number of seconds, or more than 4294967295 seconds.
    /// </exception>
    public TimeSpan Timeout
    {
        get => _timeout;
        init
        {
            if (value < TimeSpan.Zero || value > s_maxTimeout || value.Ticks % TimeSpan.TicksPerSecond != 0)
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "A persistence timeout is whole seconds from 0 to 4294967295.");
            }

            _timeout = value;
        }
    }

    /// <summary>
    /// Persistence granularity. Defaults to a single client address: the full mask of the key's
    /// family (/32 or /128). Its family must be the key's: the kernel client and
    /// <see cref="InMemoryIpvs"/> refuse a service whose netmask is of the other family (or has
    /// none, as <c>default</c>) with an <see cref="ArgumentException"/>; it is not checked here,
    /// because <c>with { Netmask = …, Key = … }</c> may set them in either order.
    /// </summary>
    public PersistenceNetmask Netmask { get; init; } = PersistenceNetmask.Full(Key.Family);

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
