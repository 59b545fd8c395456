using System.Net;
using Ipvs.Model;
using Ipvs.Testing;

namespace Ipvs.KernelTests.Kernel;

/// <summary>Pipelined batches and pipelined dumps against the real kernel.</summary>
public sealed class IpvsClientBatchTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Batches_OfEverySizeAroundTheReceiveSlotBoundaries_GetOneResultEach()
    {
        KernelLab.Require();
        using var ns = new TestNamespace();
        using var client = ns.OpenClient();
        var next = 0;
        foreach (var size in new[] { 1, 2, 7, 8, 9, 31, 32, 33, 128, 255, 256, 257, 1100 })
        {
            var operations = Enumerable.Range(next, size)
                .Select(i => IpvsOperation.AddService(new VirtualService(VirtualServiceKey.Tcp(IPAddress.Parse("198.18.0.1"), (ushort)(1000 + i))) { Scheduler = "rr" }))
                .ToArray();
            next += size;

            var result = client.Execute(operations, Token);

            Assert.Equal(size, result.Count);
            Assert.True(result.AllSucceeded, $"batch of {size}: {result.Failures.FirstOrDefault()?.Error?.Message}");
        }

        Assert.Equal(next, (client.GetServices(Token)).Count);
    }

    [Fact]
    public async Task Batch_WithRefusedOperations_ReportsEachInOrder_AndAppliesTheRest()
    {
        KernelLab.Require();
        using var ns = new TestNamespace();
        using var client = ns.OpenClient();
        var a = VirtualServiceKey.Parse("tcp/198.18.0.1:80");
        var b = VirtualServiceKey.Parse("tcp/198.18.0.2:80");

        var result = client.Execute(
        [
            IpvsOperation.AddService(new VirtualService(a) { Scheduler = "rr" }),
            IpvsOperation.AddService(new VirtualService(a) { Scheduler = "rr" }),        // exists
            IpvsOperation.AddRealServer(b, new RealServer(IPAddress.Parse("198.18.1.1"), 80)), // no such service
            IpvsOperation.AddRealServer(a, new RealServer(IPAddress.Parse("198.18.1.1"), 80)),
            IpvsOperation.AddService(new VirtualService(b) { Scheduler = "nosuch" }),     // no such scheduler
            IpvsOperation.DeleteRealServer(a, IPAddress.Parse("198.18.1.2"), 80),         // no such destination
        ], Token);

        Assert.Equal([true, false, false, true, false, false], result.Select(r => r.Succeeded));
        Assert.IsType<ServiceExistsException>(result[1].Error);
        Assert.IsType<ServiceNotFoundException>(result[2].Error);
        Assert.IsType<SchedulerNotFoundException>(result[4].Error);
        Assert.IsType<RealServerNotFoundException>(result[5].Error);
        Assert.Equal("-A -t 198.18.0.1:80 -s rr\n-a -t 198.18.0.1:80 -r 198.18.1.1:80 -m -w 1\n", ns.Ipvsadm("-Sn"));
    }

    [Fact]
    public async Task Table_OfThousandsOfServices_WithSomeLargerThanOneDumpDatagram_IsReadWhole()
    {
        KernelLab.Require();
        using var ns = new TestNamespace();
        using var client = ns.OpenClient();
        var operations = new List<IpvsOperation>();
        var expected = new Dictionary<VirtualServiceKey, int>();
        for (var i = 0; i < 2000; i++)
        {
            var key = VirtualServiceKey.Tcp(new IPAddress([198, 18, (byte)(i / 250), (byte)(i % 250 + 1)]), 80);
            // A few services get 300 servers: their dumps span several datagrams, so the dumps
            // pipelined behind them are refused as busy and must be sent again.
            var servers = i % 500 == 7 ? 300 : 4;
            expected[key] = servers;
            operations.Add(IpvsOperation.AddService(new VirtualService(key) { Scheduler = "wrr" }));
            for (var s = 0; s < servers; s++)
            {
                operations.Add(IpvsOperation.AddRealServer(key, new RealServer(new IPAddress([198, 19, (byte)(s / 250), (byte)(s % 250 + 1)]), 8080) { Weight = s }));
            }
        }

        (client.Execute(operations, Token)).ThrowIfAnyFailed();
        var table = client.GetTable(Token);

        Assert.Equal(expected.Count, table.Count);
        foreach (var entry in table)
        {
            Assert.Equal(expected[entry.Service.Key], entry.RealServers.Count);
            Assert.Equal(Enumerable.Range(0, entry.RealServers.Count), entry.RealServers.Select(s => s.Weight).Order());
        }

        var ipvsadmLines = ns.Ipvsadm("-Sn").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(operations.Count, ipvsadmLines.Length);
    }
}
