namespace Ipvs.Model;

/// <summary>Flags of a virtual service (IP_VS_SVC_F_*).</summary>
/// <remarks>
/// The kernel reports <see cref="Hashed"/> on every listed service; this library removes it when
/// reading, so a service read back compares equal to the one that was added.
/// </remarks>
[Flags]
public enum ServiceFlags : uint
{
    /// <summary>No flag.</summary>
    None = 0,

    /// <summary>Persistent service: a client keeps going to the same real server for the persistence timeout.</summary>
    Persistent = 0x1,

    /// <summary>The kernel's internal "hashed" mark (never sent; removed when reading).</summary>
    Hashed = 0x2,

    /// <summary>One-packet scheduling (UDP and firewall-mark services).</summary>
    OnePacket = 0x4,

    /// <summary>Scheduler flag 1: <c>sh-fallback</c> for sh, <c>mh-fallback</c> for mh.</summary>
    Scheduler1 = 0x8,

    /// <summary>Scheduler flag 2: <c>sh-port</c> for sh, <c>mh-port</c> for mh.</summary>
    Scheduler2 = 0x10,

    /// <summary>Scheduler flag 3 (no scheduler uses it today).</summary>
    Scheduler3 = 0x20,

    /// <summary>Source hashing: fall back to another server when the chosen one is unavailable.</summary>
    ShFallback = Scheduler1,

    /// <summary>Source hashing: include the source port in the hash.</summary>
    ShPort = Scheduler2,

    /// <summary>Maglev hashing: fall back to another server when the chosen one is unavailable.</summary>
    MhFallback = Scheduler1,

    /// <summary>Maglev hashing: include the source port in the hash.</summary>
    MhPort = Scheduler2,
}
