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

        var result = client.Execute(operations, TestContext.Current.CancellationToken);
        result.ThrowIfAnyFailed();

        var servers = client.GetRealServers(keys, TestContext.Current.CancellationToken);
        Assert.Equal(keys.Count, servers.Count);
        for (var i = 0; i < keys.Count; i++)
        {
            Assert.Equal(i % 4, servers[i].Count);
        }

        var table = client.GetTable(TestContext.Current.CancellationToken);
        Assert.Equal(300, table.Count);
        Assert.Equal(Enumerable.Range(0, 300).Sum(i => i % 4), table.Sum(e => e.RealServers.Count));
    }

    /// <summary>
    /// Reading many services' real servers goes through io_uring (the lab kernel has it): the
    /// same lists as one dump at a time, including a service whose 700 real servers take more
    /// than the ring's two receives (the ring stops there and the ordinary path finishes).
    /// </summary>
    [Fact]
    public async Task GetRealServers_ThroughIoUring_SameAsOneDumpAtATime()
    {
        KernelLab.Require();
        using var ns = new TestNamespace();
        using var client = ns.OpenClient();
        var keys = new List<VirtualServiceKey>();
        var operations = new List<IpvsOperation>();
        for (var i = 0; i < 400; i++)
        {
            var key = VirtualServiceKey.Tcp(IPAddress.Parse($"198.18.{i / 200}.{(i % 200) + 1}"), 80);
            keys.Add(key);
            operations.Add(IpvsOperation.AddService(new VirtualService(key) { Scheduler = "wrr" }));
            var servers = i == 300 ? 700 : i % 5;
            for (var k = 0; k < servers; k++)
            {
                operations.Add(IpvsOperation.AddRealServer(key, new RealServer(IPAddress.Parse($"2001:db8:{i:x}::{k + 1:x}"), 80)
                {
                    ForwardingMethod = ForwardingMethod.Tunnel,
                    Weight = k + 1,
                    UpperThreshold = (uint)k,
                }));
            }
        }

        (client.Execute(operations, TestContext.Current.CancellationToken)).ThrowIfAnyFailed();

        client.Socket.UseDumpRing = false;
        var plain = client.GetRealServers(keys, TestContext.Current.CancellationToken);
        Assert.Equal(0, client.Socket.RingDumps);
        client.Socket.UseDumpRing = true;
        var ring = client.GetRealServers(keys, TestContext.Current.CancellationToken);

        // The first two batches (256 dumps) end cleanly; the third holds the large service.
        Assert.True(client.Socket.RingDumps >= 256, $"only {client.Socket.RingDumps} dumps went through io_uring");
        Assert.True(client.Socket.RingDumps < keys.Count, "the 700-server dump cannot end in two receives");
        Assert.Equal(700, ring[300].Count);
        for (var i = 0; i < keys.Count; i++)
        {
            Assert.Equal(plain[i], ring[i]);
        }
    }
}
