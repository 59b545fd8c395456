using System.Net;
using Ipvs.Model;
using Ipvs.Testing;

namespace Ipvs.KernelTests.Kernel;

/// <summary>Kernel info, timeouts, flush and sync daemons against the real kernel.</summary>
public sealed class IpvsClientConfigurationTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Info_MatchesIpvsadmsHeader()
    {
        KernelLab.Require();
        using var ns = new TestNamespace();
        using var client = ns.OpenClient();

        var info = client.GetInfo(Token);

        Assert.Equal(new Version(1, 2, 1), info.Version);
        Assert.StartsWith($"IP Virtual Server version {info.Version} (size={info.ConnectionTableSize})\n", ns.Ipvsadm("-Ln"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Timeouts_ReadSetAndZeroKeepsAValue()
    {
        KernelLab.Require();
        using var ns = new TestNamespace();
        using var client = ns.OpenClient();

        var defaults = client.GetTimeouts(Token);
        client.SetTimeouts(new IpvsTimeouts(TimeSpan.FromSeconds(100), TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(30)), Token);
        client.SetTimeouts(new IpvsTimeouts(TimeSpan.Zero, TimeSpan.FromSeconds(25), TimeSpan.Zero), Token);

        Assert.Equal(new IpvsTimeouts(TimeSpan.FromSeconds(900), TimeSpan.FromSeconds(120), TimeSpan.FromSeconds(300)), defaults);
        Assert.Equal(new IpvsTimeouts(TimeSpan.FromSeconds(100), TimeSpan.FromSeconds(25), TimeSpan.FromSeconds(30)), client.GetTimeouts(Token));
        Assert.Equal("Timeout (tcp tcpfin udp): 100 25 30\n", ns.Ipvsadm("-L", "--timeout"));
    }

    [Fact]
    public async Task Flush_RemovesEveryService()
    {
        KernelLab.Require();
        using var ns = new TestNamespace();
        using var client = ns.OpenClient();
        (client.Execute(Enumerable.Range(1, 20).Select(i => IpvsOperation.AddService(new VirtualService(VirtualServiceKey.ForFirewallMark((uint)i)))).ToArray(), Token)).ThrowIfAnyFailed();

        client.Flush(Token);

        Assert.Empty(client.GetServices(Token));
        Assert.Equal(string.Empty, ns.Ipvsadm("-Sn"));
    }

    [Fact]
    public async Task SyncDaemons_StartWithEveryOption_ListAndStop()
    {
        KernelLab.Require();
        using var ns = new TestNamespace();
        ns.Exec("ip", "link", "add", "sync0", "type", "veth", "peer", "name", "sync1").EnsureSuccess();
        ns.Exec("ip", "link", "set", "sync0", "up").EnsureSuccess();
        ns.Exec("ip", "link", "set", "sync1", "up").EnsureSuccess();
        ns.Exec("ip", "addr", "add", "198.18.9.1/24", "dev", "sync0").EnsureSuccess();
        using var client = ns.OpenClient();
        var master = new SyncDaemon(SyncDaemonState.Master, "sync0", 5) { MaxLength = 1400, MulticastGroup = IPAddress.Parse("239.1.1.1"), Port = 8849, Ttl = 2 };
        var backup = new SyncDaemon(SyncDaemonState.Backup, "sync0", 6) { MulticastGroup = IPAddress.Parse("ff02::1:2") };

        client.StartSyncDaemon(master, Token);
        client.StartSyncDaemon(backup, Token);

        var daemons = client.GetSyncDaemons(Token);
        Assert.Equal([master, backup with { MaxLength = 1452, Port = 8848, Ttl = 1 }], daemons);
        Assert.Equal(
            "master sync daemon (mcast=sync0, syncid=5, maxlen=1400, group=239.1.1.1, port=8849, ttl=2)\n" +
            "backup sync daemon (mcast=sync0, syncid=6, maxlen=1452, group=ff02::1:2, port=8848, ttl=1)\n",
            ns.Ipvsadm("-L", "--daemon"));

        var again = Assert.Throws<SyncDaemonExistsException>(() => client.StartSyncDaemon(master, Token));
        Assert.Equal("Daemon has already run", again.Reason);

        client.StopSyncDaemon(SyncDaemonState.Master, Token);
        client.StopSyncDaemon(SyncDaemonState.Backup, Token);

        Assert.Empty(client.GetSyncDaemons(Token));
        var none = Assert.Throws<SyncDaemonNotFoundException>(() => client.StopSyncDaemon(SyncDaemonState.Master, Token));
        Assert.Equal("No daemon is running", none.Reason);
    }

    [Fact]
    public async Task SyncDaemon_IsRefused_WhileRealServersOfAnotherFamilyExist()
    {
        KernelLab.Require();
        using var ns = new TestNamespace();
        ns.Exec("ip", "link", "add", "sync0", "type", "dummy").EnsureSuccess();
        ns.Exec("ip", "link", "set", "sync0", "up").EnsureSuccess();
        using var client = ns.OpenClient();
        var key = VirtualServiceKey.Parse("tcp/198.18.0.1:80");
        client.AddService(new VirtualService(key), Token);
        client.AddRealServer(key, new RealServer(IPAddress.Parse("2001:db8::5"), 80) { ForwardingMethod = ForwardingMethod.Tunnel }, Token);

        Assert.Throws<IpvsInvalidArgumentException>(() => client.StartSyncDaemon(new SyncDaemon(SyncDaemonState.Master, "sync0"), Token));

        Assert.Empty(client.GetSyncDaemons(Token));
    }
}
