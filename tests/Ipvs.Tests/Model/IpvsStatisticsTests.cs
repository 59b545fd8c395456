using Ipvs.Model;

namespace Ipvs.Tests.Model;

/// <summary>The one set of counters: every counter once in the table, in the kernel's order, each read and written by it.</summary>
public sealed class IpvsStatisticsTests
{
    [Fact]
    public void Counters_AreEveryCounterOnceInAttributeOrder()
    {
        Assert.Equal(Enum.GetValues<IpvsCounter>(), IpvsStatistics.Counters.Select(c => c.Counter));
        Assert.Equal(Enumerable.Range(1, 10).Select(i => (IpvsCounter)i), IpvsStatistics.Counters.Select(c => c.Counter));
        Assert.Equal(10, IpvsStatistics.Counters.Select(c => c.Name).Distinct().Count());
        Assert.Equal(10, IpvsStatistics.Counters.Select(c => c.Column).Distinct().Count());
        Assert.All(IpvsStatistics.Counters, c => Assert.Matches("^[a-z]+(_[a-z]+)*$", c.Name));
        Assert.Equal(
            ["CONNS", "INPKTS", "OUTPKTS", "INBYTES", "OUTBYTES", "CPS", "INPPS", "OUTPPS", "INBPS", "OUTBPS"],
            IpvsStatistics.Counters.Select(c => c.Column));
    }

    [Fact]
    public void FromValues_AndTheIndexer_RoundTripEveryCounter()
    {
        ulong[] values = [1, 2, 3, 4, 5, 6, 7, 8, 9, ulong.MaxValue];
        var stats = IpvsStatistics.FromValues(values, is64Bit: true);

        Assert.Equal(values, IpvsStatistics.Counters.Select(c => stats[c.Counter]));
        Assert.True(stats.Is64Bit);
        Assert.Equal(
            new IpvsStatistics
            {
                Connections = 1, IncomingPackets = 2, OutgoingPackets = 3, IncomingBytes = 4, OutgoingBytes = 5, ConnectionsPerSecond = 6,
                IncomingPacketsPerSecond = 7, OutgoingPacketsPerSecond = 8, IncomingBytesPerSecond = 9, OutgoingBytesPerSecond = ulong.MaxValue, Is64Bit = true,
            },
            stats);
    }

    [Fact]
    public void ToLegacyWidth_KeepsOnlyTheByteTotalsWide()
    {
        var wide = IpvsStatistics.FromValues([.. Enumerable.Repeat(0x1_0000_0002UL, 10)], is64Bit: true);

        var legacy = wide.ToLegacyWidth();

        Assert.Equal([2, 2, 2, 0x1_0000_0002UL, 0x1_0000_0002UL, 2, 2, 2, 2, 2], IpvsStatistics.Counters.Select(c => legacy[c.Counter]));
    }

    [Fact]
    public void Metrics_ExportTheTotalsWithTheirDirections()
    {
        Assert.Equal(
            ["connections", "packets/in", "packets/out", "bytes/in", "bytes/out"],
            IpvsStatistics.Counters.Where(c => c.Metric is not null).Select(c => c.Direction is null ? c.Metric! : c.Metric + "/" + c.Direction));
    }
}
