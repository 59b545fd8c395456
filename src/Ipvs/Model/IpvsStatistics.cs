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

    /// <summary>The ten counters in the kernel's order, with the names every output uses for them.</summary>
    public static IReadOnlyList<IpvsCounterName> Counters { get; } =
    [
        new(IpvsCounter.Connections, "connections", "CONNS", 32, "connections", null),
        new(IpvsCounter.IncomingPackets, "incoming_packets", "INPKTS", 32, "packets", "in"),
        new(IpvsCounter.OutgoingPackets, "outgoing_packets", "OUTPKTS", 32, "packets", "out"),
        new(IpvsCounter.IncomingBytes, "incoming_bytes", "INBYTES", 64, "bytes", "in"),
        new(IpvsCounter.OutgoingBytes, "outgoing_bytes", "OUTBYTES", 64, "bytes", "out"),
        new(IpvsCounter.ConnectionsPerSecond, "connections_per_second", "CPS", 32, null, null),
        new(IpvsCounter.IncomingPacketsPerSecond, "incoming_packets_per_second", "INPPS", 32, null, null),
        new(IpvsCounter.OutgoingPacketsPerSecond, "outgoing_packets_per_second", "OUTPPS", 32, null, null),
        new(IpvsCounter.IncomingBytesPerSecond, "incoming_bytes_per_second", "INBPS", 32, null, null),
        new(IpvsCounter.OutgoingBytesPerSecond, "outgoing_bytes_per_second", "OUTBPS", 32, null, null),
    ];

    /// <summary>One counter's value.</summary>
    public ulong this[IpvsCounter counter] => counter switch
    {
        IpvsCounter.Connections => Connections,
        IpvsCounter.IncomingPackets => IncomingPackets,
        IpvsCounter.OutgoingPackets => OutgoingPackets,
        IpvsCounter.IncomingBytes => IncomingBytes,
        IpvsCounter.OutgoingBytes => OutgoingBytes,
        IpvsCounter.ConnectionsPerSecond => ConnectionsPerSecond,
        IpvsCounter.IncomingPacketsPerSecond => IncomingPacketsPerSecond,
        IpvsCounter.OutgoingPacketsPerSecond => OutgoingPacketsPerSecond,
        IpvsCounter.IncomingBytesPerSecond => IncomingBytesPerSecond,
        IpvsCounter.OutgoingBytesPerSecond => OutgoingBytesPerSecond,
        _ => throw new ArgumentOutOfRangeException(nameof(counter), counter, "not an IPVS counter"),
    };

    /// <summary>Statistics from the ten values in <see cref="Counters"/> order.</summary>
    public static IpvsStatistics FromValues(ReadOnlySpan<ulong> values, bool is64Bit)
    {
        if (values.Length != 10)
        {
            throw new ArgumentException("IPVS has ten counters", nameof(values));
        }

        return new IpvsStatistics
        {
            Connections = values[0],
            IncomingPackets = values[1],
            OutgoingPackets = values[2],
            IncomingBytes = values[3],
            OutgoingBytes = values[4],
            ConnectionsPerSecond = values[5],
            IncomingPacketsPerSecond = values[6],
            OutgoingPacketsPerSecond = values[7],
            IncomingBytesPerSecond = values[8],
            OutgoingBytesPerSecond = values[9],
            Is64Bit = is64Bit,
        };
    }

    /// <summary>
    /// The values as the kernel's legacy 32-bit set (struct ip_vs_stats_user) holds them: every
    /// counter but the byte totals keeps only its low 32 bits.
    /// </summary>
    public IpvsStatistics ToLegacyWidth()
    {
        Span<ulong> values = stackalloc ulong[10];
        for (var i = 0; i < Counters.Count; i++)
        {
            var counter = Counters[i];
            values[i] = counter.LegacyBits == 32 ? this[counter.Counter] & uint.MaxValue : this[counter.Counter];
        }

        return FromValues(values, Is64Bit);
    }
}

/// <summary>The IPVS counters; each value is its netlink attribute (IPVS_STATS_ATTR_*).</summary>
public enum IpvsCounter : ushort
{
    /// <summary>Connections scheduled (IPVS_STATS_ATTR_CONNS).</summary>
    Connections = 1,

    /// <summary>Incoming packets (IPVS_STATS_ATTR_INPKTS).</summary>
    IncomingPackets = 2,

    /// <summary>Outgoing packets (IPVS_STATS_ATTR_OUTPKTS).</summary>
    OutgoingPackets = 3,

    /// <summary>Incoming bytes (IPVS_STATS_ATTR_INBYTES).</summary>
    IncomingBytes = 4,

    /// <summary>Outgoing bytes (IPVS_STATS_ATTR_OUTBYTES).</summary>
    OutgoingBytes = 5,

    /// <summary>Connections per second (IPVS_STATS_ATTR_CPS).</summary>
    ConnectionsPerSecond = 6,

    /// <summary>Incoming packets per second (IPVS_STATS_ATTR_INPPS).</summary>
    IncomingPacketsPerSecond = 7,

    /// <summary>Outgoing packets per second (IPVS_STATS_ATTR_OUTPPS).</summary>
    OutgoingPacketsPerSecond = 8,

    /// <summary>Incoming bytes per second (IPVS_STATS_ATTR_INBPS).</summary>
    IncomingBytesPerSecond = 9,

    /// <summary>Outgoing bytes per second (IPVS_STATS_ATTR_OUTBPS).</summary>
    OutgoingBytesPerSecond = 10,
}

/// <summary>A counter's names.</summary>
/// <param name="Counter">The counter.</param>
/// <param name="Name">Its key in JSON and YAML output (<c>incoming_packets</c>).</param>
/// <param name="Column">Its column heading in tables (<c>INPKTS</c>).</param>
/// <param name="LegacyBits">Its width in the kernel's legacy set (struct ip_vs_stats_user): 64 for the byte totals, 32 otherwise.</param>
/// <param name="Metric">The metric family of a total (<c>packets</c> for <c>ipvs_service_packets_total</c>), or null for a rate (metrics leave rates to the scraper).</param>
/// <param name="Direction">The <c>direction</c> label of a total that has one (<c>in</c>, <c>out</c>), or null.</param>
public sealed record IpvsCounterName(IpvsCounter Counter, string Name, string Column, int LegacyBits, string? Metric, string? Direction);
