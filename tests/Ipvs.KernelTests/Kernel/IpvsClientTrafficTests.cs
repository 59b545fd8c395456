using System.Net;
using Ipvs.Model;
using Ipvs.ProcFs;
using Ipvs.Testing;

namespace Ipvs.KernelTests.Kernel;

/// <summary>Real traffic through the VIPs: statistics, connection counts, zeroing, the connection table.</summary>
public sealed class IpvsClientTrafficTests
{
    private const int Port = 8080;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Traffic_ShowsInStatisticsConnectionsAndTheConnectionTable_AndZeroingClearsCounters()
    {
        KernelLab.Require();
        using var ns = new TestNamespace();
        using var topology = new LabTopology(ns);
        using var client = ns.OpenClient();
        var vip4 = VirtualServiceKey.Tcp(IPAddress.Parse(LabTopology.Vip4), 80);
        var vip6 = VirtualServiceKey.Tcp(IPAddress.Parse(LabTopology.Vip6), 80);
        (client.Execute(
        [
            IpvsOperation.AddService(new VirtualService(vip4) { Scheduler = "rr" }),
            IpvsOperation.AddRealServer(vip4, new RealServer(IPAddress.Parse(LabTopology.Server4), Port)),
            IpvsOperation.AddService(new VirtualService(vip6) { Scheduler = "rr" }),
            IpvsOperation.AddRealServer(vip6, new RealServer(IPAddress.Parse(LabTopology.Server6), Port)),
        ], Token)).ThrowIfAnyFailed();
        topology.StartHttpServer(Port);

        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(0, topology.Get($"http://{LabTopology.Vip4}/"));
            Assert.Equal(0, topology.Get($"http://[{LabTopology.Vip6}]/"));
        }

        topology.HoldConnection(LabTopology.Vip4, 80);
        var active = await WaitFor(async () => (client.GetRealServers(vip4, Token))[0], s => s.ActiveConnections == 1);
        Assert.True(active.InactiveConnections >= 1, "the finished requests wait in TIME_WAIT as inactive connections");

        // Counters are per CPU in the kernel and summed by the rate estimator every 2 s.
        var stats = await WaitFor(async () => (client.GetService(vip4, Token))!.Statistics!, s => s.Connections >= 6);
        Assert.True(stats.Is64Bit);
        Assert.True(stats.Connections >= 6, $"connections {stats.Connections}");
        Assert.True(stats.IncomingPackets > 0 && stats.OutgoingPackets > 0 && stats.IncomingBytes > 0 && stats.OutgoingBytes > 0, stats.ToString());
        Assert.Equal(stats.Connections, (client.GetRealServers(vip4, Token))[0].Statistics!.Connections);
        // The rate estimator runs every 2 s.
        var rated = await WaitFor(async () => (client.GetService(vip4, Token))!.Statistics!, s => s.IncomingBytesPerSecond > 0);
        Assert.True(rated.IncomingPacketsPerSecond > 0);

        // Two reads of a table whose entries expire: taken back to back, and again while an entry
        // expired between them, so a slow machine cannot make them differ (the count still must).
        IReadOnlyList<IpvsConnection> table = [];
        var listed = -1;
        for (var attempt = 0; attempt < 5 && listed != table.Count; attempt++)
        {
            table = ConnectionTable.Parse(ns.Exec("cat", ConnectionTable.DefaultPath).EnsureSuccess().StandardOutput);
            listed = ns.Ipvsadm("-Lnc").Split('\n', StringSplitOptions.RemoveEmptyEntries).Length - 2;
        }

        Assert.Contains(table, c => c.Protocol == "TCP" && c.ClientAddress.ToString() == LabTopology.Client4 && c.VirtualAddress.ToString() == LabTopology.Vip4
            && c.VirtualPort == 80 && c.DestinationAddress.ToString() == LabTopology.Server4 && c.DestinationPort == Port && c.State == "ESTABLISHED");
        Assert.Contains(table, c => c.ClientAddress.Equals(IPAddress.Parse(LabTopology.Client6)) && c.VirtualAddress.Equals(IPAddress.Parse(LabTopology.Vip6))
            && c.DestinationAddress.Equals(IPAddress.Parse(LabTopology.Server6)));
        Assert.Equal(listed, table.Count);

        await WaitFor(async () => (client.GetService(vip6, Token))!.Statistics!, s => s.Connections >= 5);
        client.ZeroCounters(vip4, Token);
        Assert.Equal(0ul, (client.GetService(vip4, Token))!.Statistics!.Connections);
        Assert.NotEqual(0ul, (client.GetService(vip6, Token))!.Statistics!.Connections);

        client.ZeroCounters(cancellationToken: Token);
        Assert.Equal(0ul, (client.GetService(vip6, Token))!.Statistics!.Connections);
        Assert.Equal(1u, (client.GetRealServers(vip4, Token))[0].ActiveConnections); // connections are not counters
    }

    [Fact]
    public async Task PersistentService_CountsTemplatesAsPersistentConnections()
    {
        KernelLab.Require();
        using var ns = new TestNamespace();
        using var topology = new LabTopology(ns);
        using var client = ns.OpenClient();
        var vip = VirtualServiceKey.Tcp(IPAddress.Parse(LabTopology.Vip4), 80);
        (client.Execute(
        [
            IpvsOperation.AddService(new VirtualService(vip) { Scheduler = "rr", Flags = ServiceFlags.Persistent, Timeout = TimeSpan.FromSeconds(120) }),
            IpvsOperation.AddRealServer(vip, new RealServer(IPAddress.Parse(LabTopology.Server4), Port)),
        ], Token)).ThrowIfAnyFailed();
        topology.StartHttpServer(Port);

        Assert.Equal(0, topology.Get($"http://{LabTopology.Vip4}/"));

        var server = (client.GetRealServers(vip, Token))[0];
        Assert.Equal(1u, server.PersistentConnections);
        // Two reads of a table whose entries expire: taken back to back, and again while an entry
        // expired between them, so a slow machine cannot make them differ (the count still must).
        IReadOnlyList<IpvsConnection> table = [];
        var listed = -1;
        for (var attempt = 0; attempt < 5 && listed != table.Count; attempt++)
        {
            table = ConnectionTable.Parse(ns.Exec("cat", ConnectionTable.DefaultPath).EnsureSuccess().StandardOutput);
            listed = ns.Ipvsadm("-Lnc").Split('\n', StringSplitOptions.RemoveEmptyEntries).Length - 2;
        }

        // The persistence template: no client port, the service's port; 6.1 names its state ASSURED.
        Assert.Contains(table, c => c.ClientPort == 0 && c.VirtualPort == 80 && c.ClientAddress.ToString() == LabTopology.Client4 && c.DestinationAddress.ToString() == LabTopology.Server4);
    }

    private static async Task<T> WaitFor<T>(Func<Task<T>> read, Func<T, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var value = await read();
            if (done(value) || DateTime.UtcNow > deadline)
            {
                return value;
            }

            await Task.Delay(250, Token);
        }
    }
}
