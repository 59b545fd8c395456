namespace Ipvs.Model;

/// <summary>
/// Traffic counters and rate estimates of a service or real server. Values come from the
/// kernel's 64-bit set (kernel 4.1 and later) and from the legacy 32-bit set otherwise.
/// </summary>
public sealed record IpvsStatistics
{
    /// <summary>Connections scheduled.</summary>
    public ulong Connections { get; init; }

    /// <summary>Incoming packets.</summary>
    public ulong IncomingPackets { get; init; }

    /// <summary>Outgoing packets.</summary>
    public ulong OutgoingPackets { get; init; }

    /// <summary>Incoming bytes.</summary>
    public ulong IncomingBytes { get; init; }

    /// <summary>Outgoing bytes.</summary>
    public ulong OutgoingBytes { get; init; }

    /// <summary>Connections per second (the kernel's rate estimate).</summary>
    public ulong ConnectionsPerSecond { get; init; }

    /// <summary>Incoming packets per second.</summary>
    public ulong IncomingPacketsPerSecond { get; init; }

    /// <summary>Outgoing packets per second.</summary>
    public ulong OutgoingPacketsPerSecond { get; init; }

    /// <summary>Incoming bytes per second.</summary>
    public ulong IncomingBytesPerSecond { get; init; }

    /// <summary>Outgoing bytes per second.</summary>
    public ulong OutgoingBytesPerSecond { get; init; }

    /// <summary>True when the values came from the 64-bit set; false when only the legacy 32-bit set was available.</summary>
    public bool Is64Bit { get; init; }
}
