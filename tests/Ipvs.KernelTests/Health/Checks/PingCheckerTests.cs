using System.Net;
using Ipvs.Health.Checks;
using Ipvs.Netlink;
using Ipvs.Testing;

namespace Ipvs.KernelTests.Health.Checks;

/// <summary>
/// PING_CHECK between two namespaces joined by a veth pair (the host can only ping its own
/// loopback, which always answers): a server that answers is up, one that ignores echo requests
/// (net.ipv4.icmp_echo_ignore_all, net.ipv6.icmp.echo_ignore_all in its namespace) is down; over
/// the raw socket (ping_group_range shut, a new namespace's default) and over the ICMP datagram
/// socket (ping_group_range opened to root).
/// </summary>
public sealed class PingCheckerTests : IDisposable
{
    private static readonly IPAddress s_server4 = IPAddress.Parse("198.18.40.2");
    private static readonly IPAddress s_server6 = IPAddress.Parse("2001:db8:40::2");
    private readonly TestNamespace _director = new();
    private readonly TestNamespace _server = new();

    public PingCheckerTests()
    {
        HostCommand.Check("ip", "link", "add", "p0", "netns", _director.Name, "type", "veth", "peer", "name", "p1", "netns", _server.Name);
        HostCommand.Check("ip", "-n", _director.Name, "addr", "add", "198.18.40.1/24", "dev", "p0");
        HostCommand.Check("ip", "-n", _director.Name, "addr", "add", "2001:db8:40::1/64", "dev", "p0", "nodad");
        HostCommand.Check("ip", "-n", _director.Name, "link", "set", "p0", "up");
        HostCommand.Check("ip", "-n", _server.Name, "addr", "add", s_server4 + "/24", "dev", "p1");
        HostCommand.Check("ip", "-n", _server.Name, "addr", "add", s_server6 + "/64", "dev", "p1", "nodad");
        HostCommand.Check("ip", "-n", _server.Name, "link", "set", "p1", "up");
    }

    public void Dispose()
    {
        _director.Dispose();
        _server.Dispose();
    }

    [Theory]
    [InlineData("198.18.40.2", false)]
    [InlineData("198.18.40.2", true)]
    [InlineData("2001:db8:40::2", false)]
    [InlineData("2001:db8:40::2", true)]
    public async Task AnsweringServer_IsUp_IgnoringServer_IsDown(string address, bool datagramSocket)
    {
        Sysctl(_director, "net.ipv4.ping_group_range", datagramSocket ? "0 0" : "1 0");
        var target = new CheckTarget(IPAddress.Parse(address), 0, 1);
        using var checker = Checkers.Create(new PingCheck { Timeout = TimeSpan.FromSeconds(2) });

        var up = await CheckFromDirectorAsync(checker, target);
        Assert.True(up.IsUp, up.Failure);

        Sysctl(_server, target.Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? "net.ipv4.icmp_echo_ignore_all" : "net.ipv6.icmp.echo_ignore_all", "1");
        var down = await CheckFromDirectorAsync(checker, target);
        Assert.False(down.IsUp);
        Assert.Equal("no echo reply within 2s", down.Failure);
    }

    [Fact]
    public async Task AbsentServer_IsDown()
    {
        using var checker = Checkers.Create(new PingCheck { Timeout = TimeSpan.FromSeconds(1) });
        var result = await CheckFromDirectorAsync(checker, new CheckTarget(IPAddress.Parse("198.18.40.9"), 0, 1));
        Assert.False(result.IsUp);
    }

    // The checker opens its socket before its first await: opened on a thread inside the director's namespace.
    private Task<CheckResult> CheckFromDirectorAsync(IChecker checker, CheckTarget target) =>
        NetworkNamespace.Run(_director.Path, () => checker.CheckAsync(target, TestContext.Current.CancellationToken).AsTask());

    private static void Sysctl(TestNamespace ns, string key, string value)
    {
        var result = ns.Exec("sysctl", "-qw", $"{key}={value}");
        Assert.True(result.ExitCode == 0, result.ToString());
    }
}
