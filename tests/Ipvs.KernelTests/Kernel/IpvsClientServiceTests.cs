using System.Net;
using System.Net.Sockets;
using Ipvs.Model;
using Ipvs.Testing;

namespace Ipvs.KernelTests.Kernel;

/// <summary>Virtual services through the library against the real kernel, cross-checked with Debian's ipvsadm.</summary>
public sealed class IpvsClientServiceTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AddService_WithRealServers_ReadsBackAndIpvsadmAgrees()
    {
        KernelLab.Require();
        using var ns = new TestNamespace();
        using var client = ns.OpenClient();
        var key = VirtualServiceKey.Tcp(IPAddress.Parse("198.18.0.1"), 80);

        client.AddService(new VirtualService(key) { Scheduler = "rr" }, Token);
        client.AddRealServer(key, new RealServer(IPAddress.Parse("198.18.1.1"), 8080) { Weight = 3 }, Token);

        var service = client.GetService(key, Token);
        Assert.NotNull(service);
        Assert.Equal("rr", service.Scheduler);
        var server = Assert.Single(client.GetRealServers(key, Token));
        Assert.Equal(3, server.Weight);
        Assert.Equal(ForwardingMethod.Masquerade, server.ForwardingMethod);
        Assert.Equal(
            "-A -t 198.18.0.1:80 -s rr\n-a -t 198.18.0.1:80 -r 198.18.1.1:8080 -m -w 3\n",
            ns.Ipvsadm("-Sn"));
    }

    [Fact]
    public async Task Services_OfEveryProtocolAndFamily_AndFirewallMarks_ReadBackEqual()
    {
        KernelLab.Require();
        using var ns = new TestNamespace();
        using var client = ns.OpenClient();
        VirtualService[] services =
        [
            new(VirtualServiceKey.Parse("tcp/198.18.0.1:80")) { Scheduler = "rr" },
            new(VirtualServiceKey.Parse("udp/198.18.0.1:53")) { Scheduler = "wrr", Flags = ServiceFlags.OnePacket },
            new(VirtualServiceKey.Parse("sctp/198.18.0.1:9")) { Scheduler = "lc" },
            new(VirtualServiceKey.Parse("tcp/[2001:db8::1]:443")) { Scheduler = "wlc" },
            new(VirtualServiceKey.Parse("udp/[2001:db8::1]:53")) { Scheduler = "sed" },
            new(VirtualServiceKey.Parse("sctp/[2001:db8::1]:9")) { Scheduler = "nq" },
            new(VirtualServiceKey.Parse("fwmark/42")) { Scheduler = "dh" },
            new(VirtualServiceKey.Parse("fwmark6/43")) { Scheduler = "fo" },
        ];

        (client.Execute(services.Select(IpvsOperation.AddService).ToArray(), Token)).ThrowIfAnyFailed();

        var listed = (client.GetServices(Token)).ToDictionary(s => s.Key);
        Assert.Equal(services.Length, listed.Count);
        foreach (var expected in services)
        {
            Assert.True(listed.TryGetValue(expected.Key, out var actual), expected.Key + " was not listed");
            Assert.True(expected.HasSameSettings(actual), $"{expected} != {actual}");
            Assert.True(actual.Statistics?.Is64Bit, "a 6.1 kernel reports 64-bit statistics");
            var single = client.GetService(expected.Key, Token);
            Assert.NotNull(single);
            Assert.Equal(actual, single with { Statistics = actual.Statistics });
        }

        var saved = ns.Ipvsadm("-Sn");
        Assert.Contains("-A -u 198.18.0.1:53 -s wrr -o\n", saved, StringComparison.Ordinal);
        Assert.Contains("-A --sctp-service 198.18.0.1:9 -s lc\n", saved, StringComparison.Ordinal);
        Assert.Contains("-A -t [2001:db8::1]:443 -s wlc\n", saved, StringComparison.Ordinal);
        Assert.Contains("-A -f 42 -s dh\n", saved, StringComparison.Ordinal);
        Assert.Contains("-A -f 43 -6 -s fo\n", saved, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("rr")]
    [InlineData("wrr")]
    [InlineData("lc")]
    [InlineData("wlc")]
    [InlineData("lblc")]
    [InlineData("lblcr")]
    [InlineData("dh")]
    [InlineData("sh")]
    [InlineData("sed")]
    [InlineData("nq")]
    [InlineData("fo")]
    [InlineData("ovf")]
    [InlineData("mh")]
    [InlineData("twos")]
    public async Task EveryScheduler_TheKernelHas_IsAccepted_AndOneItLacks_IsRefusedClearly(string scheduler)
    {
        KernelLab.Require();
        using var ns = new TestNamespace();
        using var client = ns.OpenClient();
        var key = VirtualServiceKey.Parse("tcp/198.18.0.1:80");
        var available = File.Exists($"/lib/modules/{Environment.GetEnvironmentVariable("IPVS_LAB_KERNEL") ?? HostCommand.Check("uname", "-r").Trim()}/kernel/net/netfilter/ipvs/ip_vs_{scheduler}.ko")
            || Directory.Exists("/sys/module/ip_vs_" + scheduler);

        if (available)
        {
            client.AddService(new VirtualService(key) { Scheduler = scheduler }, Token);
            Assert.Equal(scheduler, (client.GetService(key, Token))!.Scheduler);
            Assert.Equal($"-A -t 198.18.0.1:80 -s {scheduler}\n", ns.Ipvsadm("-Sn"));
        }
        else
        {
            // twos appeared in Linux 6.2; the lab's 6.1 lacks it.
            var error = Assert.Throws<SchedulerNotFoundException>(() => client.AddService(new VirtualService(key) { Scheduler = scheduler }, Token));
            Assert.Equal("Scheduler or persistence engine not found", error.Reason);
            Assert.Equal(string.Empty, ns.Ipvsadm("-Sn"));
        }
    }

    [Fact]
    public async Task SchedulerFlags_Persistence_Netmask_Engine_ReadBackAndIpvsadmAgrees()
    {
        KernelLab.Require();
        using var ns = new TestNamespace();
        using var client = ns.OpenClient();
        var sh = new VirtualService(VirtualServiceKey.Parse("tcp/198.18.0.1:80"))
        {
            Scheduler = "sh",
            Flags = ServiceFlags.ShFallback | ServiceFlags.ShPort | ServiceFlags.Persistent,
            Timeout = TimeSpan.FromSeconds(600),
            Netmask = PersistenceNetmask.FromPrefixLength(AddressFamily.InterNetwork, 24),
        };
        var mh = new VirtualService(VirtualServiceKey.Parse("udp/[2001:db8::1]:5060"))
        {
            Scheduler = "mh",
            Flags = ServiceFlags.MhPort | ServiceFlags.Persistent,
            Timeout = TimeSpan.FromSeconds(30),
            Netmask = PersistenceNetmask.FromPrefixLength(System.Net.Sockets.AddressFamily.InterNetworkV6, 64),
            PersistenceEngine = "sip",
        };

        (client.Execute([IpvsOperation.AddService(sh), IpvsOperation.AddService(mh)], Token)).ThrowIfAnyFailed();

        Assert.True(sh.HasSameSettings((client.GetService(sh.Key, Token))!));
        Assert.True(mh.HasSameSettings((client.GetService(mh.Key, Token))!));
        var saved = ns.Ipvsadm("-Sn");
        Assert.Contains("-A -t 198.18.0.1:80 -s sh -p 600 -M 255.255.255.0 -b sh-fallback,sh-port\n", saved, StringComparison.Ordinal);
        Assert.Contains("-A -u [2001:db8::1]:5060 -s mh -p 30 -M 64 --pe sip -b mh-port\n", saved, StringComparison.Ordinal);
        Assert.Contains("TCP  198.18.0.1:80 sh (sh-fallback,sh-port) persistent 600 mask 255.255.255.0\n", ns.Ipvsadm("-Ln"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task UpdateService_ChangesSchedulerAndFlags_DeleteRemovesIt()
    {
        KernelLab.Require();
        using var ns = new TestNamespace();
        using var client = ns.OpenClient();
        var key = VirtualServiceKey.Parse("fwmark/7");
        client.AddService(new VirtualService(key) { Scheduler = "rr", Flags = ServiceFlags.Persistent, Timeout = TimeSpan.FromSeconds(100) }, Token);
        client.AddRealServer(key, new RealServer(IPAddress.Parse("198.18.1.1"), 0) { ForwardingMethod = ForwardingMethod.DirectRoute }, Token);

        client.UpdateService(new VirtualService(key) { Scheduler = "wlc", Flags = ServiceFlags.OnePacket }, Token);

        var updated = client.GetService(key, Token);
        Assert.Equal(("wlc", ServiceFlags.OnePacket), (updated!.Scheduler, updated.Flags));
        Assert.Single(client.GetRealServers(key, Token));
        Assert.StartsWith("-A -f 7 -s wlc -o\n", ns.Ipvsadm("-Sn"), StringComparison.Ordinal);

        client.DeleteService(key, Token);

        Assert.Null(client.GetService(key, Token));
        Assert.Empty(client.GetServices(Token));
        Assert.Empty(client.GetRealServers(key, Token)); // the kernel answers an empty dump
        Assert.Equal(string.Empty, ns.Ipvsadm("-Sn"));
    }

    [Fact]
    public async Task AddService_Twice_ThrowsServiceExistsAndChangesNothing()
    {
        KernelLab.Require();
        using var ns = new TestNamespace();
        using var client = ns.OpenClient();
        var key = VirtualServiceKey.Udp(IPAddress.Parse("198.18.0.2"), 53);
        client.AddService(new VirtualService(key) { Scheduler = "wrr" }, Token);

        var error = Assert.Throws<ServiceExistsException>(() => client.AddService(new VirtualService(key) { Scheduler = "rr" }, Token));

        Assert.Equal("Service already exists", error.Reason);
        Assert.Contains("udp/198.18.0.2:53", error.Message, StringComparison.Ordinal);
        Assert.Equal("-A -u 198.18.0.2:53 -s wrr\n", ns.Ipvsadm("-Sn"));
    }

    [Fact]
    public async Task ChangesToAMissingService_ThrowServiceNotFound()
    {
        KernelLab.Require();
        using var ns = new TestNamespace();
        using var client = ns.OpenClient();
        var key = VirtualServiceKey.Parse("tcp/198.18.0.9:80");

        var update = Assert.Throws<ServiceNotFoundException>(() => client.UpdateService(new VirtualService(key), Token));
        var delete = Assert.Throws<ServiceNotFoundException>(() => client.DeleteService(key, Token));
        var zero = Assert.Throws<ServiceNotFoundException>(() => client.ZeroCounters(key, Token));
        var addServer = Assert.Throws<ServiceNotFoundException>(() => client.AddRealServer(key, new RealServer(IPAddress.Parse("198.18.1.1"), 80), Token));

        Assert.Equal(["No such service", "No such service", "No such service", "Service not defined"], [update.Reason, delete.Reason, zero.Reason, addServer.Reason]);
        Assert.Null(client.GetService(key, Token));
    }

    [Fact]
    public async Task UnknownSchedulerOrEngine_IsRefusedWithIpvsadmsWords_AndNothingIsCreated()
    {
        KernelLab.Require();
        using var ns = new TestNamespace();
        using var client = ns.OpenClient();
        var key = VirtualServiceKey.Parse("tcp/198.18.0.1:80");

        var scheduler = Assert.Throws<SchedulerNotFoundException>(() => client.AddService(new VirtualService(key) { Scheduler = "nosuch" }, Token));
        var engine = Assert.Throws<SchedulerNotFoundException>(() => client.AddService(new VirtualService(key) { Scheduler = "rr", Flags = ServiceFlags.Persistent, Timeout = TimeSpan.FromSeconds(60), PersistenceEngine = "nope" }, Token));

        Assert.Equal("Scheduler or persistence engine not found", scheduler.Reason);
        Assert.Equal("Cannot add service tcp/198.18.0.1:80: Scheduler or persistence engine not found", scheduler.Message);
        Assert.Equal(scheduler.Reason, engine.Reason);
        Assert.Empty(client.GetServices(Token));
    }

    [Fact]
    public async Task PersistenceNetmask_OfTheOtherFamily_IsRefusedBeforeTheKernel()
    {
        KernelLab.Require();
        using var ns = new TestNamespace();
        using var client = ns.OpenClient();

        // The kernel refuses an IPv6 prefix outside 1 to 128 (EINVAL); the type cannot hold one,
        // and a mask of the other family is refused while encoding.
        Assert.Throws<ArgumentException>(() => client.AddService(
            new VirtualService(VirtualServiceKey.Parse("tcp/[2001:db8::1]:80")) { Flags = ServiceFlags.Persistent, Timeout = TimeSpan.FromSeconds(60), Netmask = PersistenceNetmask.FromPrefixLength(System.Net.Sockets.AddressFamily.InterNetwork, 24) }, Token));

        Assert.Equal(string.Empty, ns.Ipvsadm("-Sn"));
    }
}
