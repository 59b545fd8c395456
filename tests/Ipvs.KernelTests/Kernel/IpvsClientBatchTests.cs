using System.Net;
using Ipvs.Model;
using Ipvs.Testing;

namespace Ipvs.KernelTests.Kernel;

public sealed class IpvsClientBatchTests
{
    // Regression: when a receive filled every slot, the slot array grew before its datagrams were
    // read, losing them; every batch that reached a growth step (8, 32, 128 replies) then timed out.
    [Fact]
    public async Task Batches_OfEverySize_OnOneClient_AllGetTheirReplies()
    {
        KernelLab.Require();
        using var ns = new TestNamespace();
        using var client = ns.OpenClient(new IpvsClientOptions { Timeout = TimeSpan.FromSeconds(10) });
        var batch = 0;
        foreach (var size in new[] { 1, 2, 8, 30, 60, 100, 200, 1000 })
        {
            batch++;
            var operations = Enumerable.Range(0, size)
                .Select(i => (IpvsOperation)IpvsOperation.AddService(new VirtualService(VirtualServiceKey.Tcp(IPAddress.Parse($"198.18.{batch}.{(i % 250) + 1}"), (ushort)(1 + (i / 250))))))
                .ToList();

            var result = await client.ExecuteAsync(operations, TestContext.Current.CancellationToken);

            Assert.True(result.AllSucceeded, $"batch of {size}: {result.FailedCount} failed");
        }

        Assert.Equal(1401, (await client.GetServicesAsync(TestContext.Current.CancellationToken)).Count);
    }

    // Regression: dumps sent many per send were refused as busy (one dump at a time per socket)
    // and retried until they gave up; reading 300 services' real servers failed.
    [Fact]
    public async Task TableOfManyServices_IsReadWhole()
    {
        KernelLab.Require();
        using var ns = new TestNamespace();
        using var client = ns.OpenClient();
        var operations = new List<IpvsOperation>();
        for (var i = 0; i < 300; i++)
        {
            var key = VirtualServiceKey.Tcp(IPAddress.Parse($"198.18.0.{(i % 250) + 1}"), (ushort)(80 + (i / 250)));
            operations.Add(IpvsOperation.AddService(new VirtualService(key)));
            operations.Add(IpvsOperation.AddRealServer(key, new RealServer(IPAddress.Parse("198.19.0.1"), 80)));
            operations.Add(IpvsOperation.AddRealServer(key, new RealServer(IPAddress.Parse("198.19.0.2"), 80)));
        }

        Assert.True((await client.ExecuteAsync(operations, TestContext.Current.CancellationToken)).AllSucceeded);

        var table = await client.GetTableAsync(TestContext.Current.CancellationToken);
        Assert.Equal(300, table.Count);
        Assert.All(table, e => Assert.Equal(2, e.RealServers.Count));
    }
}
