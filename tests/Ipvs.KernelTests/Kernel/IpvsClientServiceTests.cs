using System.Net;
using Ipvs.Model;
using Ipvs.Testing;

namespace Ipvs.KernelTests.Kernel;

public sealed class IpvsClientServiceTests
{
    [Fact]
    public async Task AddService_WithRealServers_ReadsBackAndIpvsadmAgrees()
    {
        KernelLab.Require();
        using var ns = new TestNamespace();
        using var client = ns.OpenClient();
        var key = VirtualServiceKey.Tcp(IPAddress.Parse("198.18.0.1"), 80);

        await client.AddServiceAsync(new VirtualService(key) { Scheduler = "rr" }, TestContext.Current.CancellationToken);
        await client.AddRealServerAsync(key, new RealServer(IPAddress.Parse("198.18.1.1"), 8080) { Weight = 3 }, TestContext.Current.CancellationToken);

        var service = await client.GetServiceAsync(key, TestContext.Current.CancellationToken);
        Assert.NotNull(service);
        Assert.Equal("rr", service.Scheduler);
        var servers = await client.GetRealServersAsync(key, TestContext.Current.CancellationToken);
        var server = Assert.Single(servers);
        Assert.Equal(3, server.Weight);
        Assert.Equal(ForwardingMethod.Masquerade, server.ForwardingMethod);
        Assert.Equal(
            "-A -t 198.18.0.1:80 -s rr\n-a -t 198.18.0.1:80 -r 198.18.1.1:8080 -m -w 3\n",
            ns.Ipvsadm("-Sn"));
    }

    [Fact]
    public async Task AddService_Twice_ThrowsServiceExistsAndChangesNothing()
    {
        KernelLab.Require();
        using var ns = new TestNamespace();
        using var client = ns.OpenClient();
        var key = VirtualServiceKey.Udp(IPAddress.Parse("198.18.0.2"), 53);
        await client.AddServiceAsync(new VirtualService(key) { Scheduler = "wrr" }, TestContext.Current.CancellationToken);

        var error = await Assert.ThrowsAsync<ServiceExistsException>(
            () => client.AddServiceAsync(new VirtualService(key) { Scheduler = "rr" }, TestContext.Current.CancellationToken));

        Assert.Equal("Service already exists", error.Reason);
        Assert.Contains("udp/198.18.0.2:53", error.Message, StringComparison.Ordinal);
        Assert.Equal("-A -u 198.18.0.2:53 -s wrr\n", ns.Ipvsadm("-Sn"));
    }
}
