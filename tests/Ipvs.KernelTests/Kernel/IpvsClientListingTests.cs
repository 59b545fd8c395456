using System.Net;
using Ipvs.Model;
using Ipvs.Testing;

namespace Ipvs.KernelTests.Kernel;

public sealed class IpvsClientListingTests
{
    /// <summary>
    /// Many services' real servers on one socket: more replies than the first receive has slots
    /// (they must survive the slots growing), and more dumps than the kernel runs at once on a
    /// socket (one at a time: a second gets EBUSY).
    /// </summary>
    [Fact]
    public async Task GetRealServers_ManyServices_EveryListComplete()
    {
        KernelLab.Require();
        using var ns = new TestNamespace();
        using var client = ns.OpenClient();
        var keys = new List<VirtualServiceKey>();
        var operations = new List<IpvsOperation>();
        for (var i = 0; i < 300; i++)
        {
            var key = VirtualServiceKey.Tcp(IPAddress.Parse($"198.18.{i / 200}.{(i % 200) + 1}"), 80);
            keys.Add(key);
            operations.Add(IpvsOperation.AddService(new VirtualService(key) { Scheduler = "rr" }));
            for (var k = 0; k < i % 4; k++)
            {
                operations.Add(IpvsOperation.AddRealServer(key, new RealServer(IPAddress.Parse($"2001:db8:{i:x}::{k + 1}"), 80) { ForwardingMethod = ForwardingMethod.Tunnel }));
            }
        }

        var result = await client.ExecuteAsync(operations, TestContext.Current.CancellationToken);
        result.ThrowIfAnyFailed();

        var servers = await client.GetRealServersAsync(keys, TestContext.Current.CancellationToken);
        Assert.Equal(keys.Count, servers.Count);
        for (var i = 0; i < keys.Count; i++)
        {
            Assert.Equal(i % 4, servers[i].Count);
        }

        var table = await client.GetTableAsync(TestContext.Current.CancellationToken);
        Assert.Equal(300, table.Count);
        Assert.Equal(Enumerable.Range(0, 300).Sum(i => i % 4), table.Sum(e => e.RealServers.Count));
    }
}
