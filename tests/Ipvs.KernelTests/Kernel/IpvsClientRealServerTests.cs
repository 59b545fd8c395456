using System.Net;
using Ipvs.Model;
using Ipvs.Testing;

namespace Ipvs.KernelTests.Kernel;

/// <summary>Real servers through the library against the real kernel, cross-checked with Debian's ipvsadm.</summary>
public sealed class IpvsClientRealServerTests
{
    private static readonly VirtualServiceKey s_tcp = VirtualServiceKey.Parse("tcp/198.18.0.1:80");
    private static readonly VirtualServiceKey s_tcp6 = VirtualServiceKey.Parse("tcp/[2001:db8::1]:80");

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ForwardingMethods_Tunnels_AndThresholds_ReadBackAndIpvsadmAgrees()
    {
        KernelLab.Require();
        using var ns = new TestNamespace();
        using var client = ns.OpenClient();
        RealServer[] servers =
        [
            new(IPAddress.Parse("198.18.1.1"), 8080) { Weight = 3, UpperThreshold = 100, LowerThreshold = 10 },
            new(IPAddress.Parse("198.18.1.2"), 80) { ForwardingMethod = ForwardingMethod.DirectRoute, Weight = 0 },
            new(IPAddress.Parse("198.18.1.3"), 80) { ForwardingMethod = ForwardingMethod.Tunnel },
            new(IPAddress.Parse("198.18.1.4"), 80) { ForwardingMethod = ForwardingMethod.Tunnel, TunnelType = TunnelType.Gue, TunnelPort = 6080, TunnelFlags = TunnelFlags.RemoteChecksum },
            new(IPAddress.Parse("198.18.1.5"), 80) { ForwardingMethod = ForwardingMethod.Tunnel, TunnelType = TunnelType.Gre, TunnelFlags = TunnelFlags.Checksum, Weight = 65535 },
        ];

        var result = client.Execute(
            new IpvsOperation[] { IpvsOperation.AddService(new VirtualService(s_tcp) { Scheduler = "wrr" }) }
                .Concat(servers.Select(s => IpvsOperation.AddRealServer(s_tcp, s))).ToArray(),
            Token);

        result.ThrowIfAnyFailed();
        var listed = (client.GetRealServers(s_tcp, Token)).ToDictionary(s => s.Endpoint);
        foreach (var expected in servers)
        {
            Assert.True(expected.HasSameSettings(listed[expected.Endpoint]), $"{expected} != {listed[expected.Endpoint]}");
            Assert.Equal(expected.Family, listed[expected.Endpoint].Family);
        }

        Assert.Equal(
            "-A -t 198.18.0.1:80 -s wrr\n" +
            "-a -t 198.18.0.1:80 -r 198.18.1.1:8080 -m -w 3\n" +
            "-a -t 198.18.0.1:80 -r 198.18.1.2:80 -g -w 0\n" +
            "-a -t 198.18.0.1:80 -r 198.18.1.3:80 -i -w 1 --tun-type ipip\n" +
            "-a -t 198.18.0.1:80 -r 198.18.1.4:80 -i -w 1 --tun-type gue --tun-port 6080 --tun-remcsum\n" +
            "-a -t 198.18.0.1:80 -r 198.18.1.5:80 -i -w 65535 --tun-type gre --tun-csum\n",
            ns.Ipvsadm("-Sn"));
        Assert.Contains("  -> 198.18.1.1:8080              100        10         0          0", ns.Ipvsadm("-Ln", "--thresholds"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task UpdateRealServer_ChangesWeightAndThresholds_DeleteRemovesIt()
    {
        KernelLab.Require();
        using var ns = new TestNamespace();
        using var client = ns.OpenClient();
        var server = new RealServer(IPAddress.Parse("2001:db8:1::7"), 8080) { Weight = 2 };
        client.AddService(new VirtualService(s_tcp6) { Scheduler = "wlc" }, Token);
        client.AddRealServer(s_tcp6, server, Token);

        client.UpdateRealServer(s_tcp6, server with { Weight = 0, UpperThreshold = 50, LowerThreshold = 5 }, Token);

        var updated = Assert.Single(client.GetRealServers(s_tcp6, Token));
        Assert.Equal((0, 50u, 5u), (updated.Weight, updated.UpperThreshold, updated.LowerThreshold));
        Assert.Contains("-a -t [2001:db8::1]:80 -r [2001:db8:1::7]:8080 -m -w 0\n", ns.Ipvsadm("-Sn"), StringComparison.Ordinal);

        client.DeleteRealServer(s_tcp6, server.Address, server.Port, Token);

        Assert.Empty(client.GetRealServers(s_tcp6, Token));
        Assert.Equal("-A -t [2001:db8::1]:80 -s wlc\n", ns.Ipvsadm("-Sn"));
    }

    [Fact]
    public async Task MissingOrDuplicateRealServer_ThrowsTypedErrors_AndChangesNothing()
    {
        KernelLab.Require();
        using var ns = new TestNamespace();
        using var client = ns.OpenClient();
        var server = new RealServer(IPAddress.Parse("198.18.1.1"), 8080);
        client.AddService(new VirtualService(s_tcp) { Scheduler = "rr" }, Token);
        client.AddRealServer(s_tcp, server, Token);
        var before = ns.Ipvsadm("-Sn");

        var duplicate = Assert.Throws<RealServerExistsException>(() => client.AddRealServer(s_tcp, server with { Weight = 9 }, Token));
        var update = Assert.Throws<RealServerNotFoundException>(() => client.UpdateRealServer(s_tcp, server with { Port = 8081 }, Token));
        var delete = Assert.Throws<RealServerNotFoundException>(() => client.DeleteRealServer(s_tcp, IPAddress.Parse("198.18.1.2"), 8080, Token));

        Assert.Equal(("Destination already exists", "No such destination", "No such destination"), (duplicate.Reason, update.Reason, delete.Reason));
        Assert.Equal("Cannot delete real server 198.18.1.2:8080 in tcp/198.18.0.1:80: No such destination", delete.Message);
        Assert.Equal(before, ns.Ipvsadm("-Sn"));
    }

    [Fact]
    public async Task ServerOfAnotherFamily_IsAcceptedOnlyWithTunnelForwarding()
    {
        KernelLab.Require();
        using var ns = new TestNamespace();
        using var client = ns.OpenClient();
        client.AddService(new VirtualService(s_tcp) { Scheduler = "rr" }, Token);
        var before = ns.Ipvsadm("-Sn");

        var masq = Assert.Throws<IpvsInvalidArgumentException>(() =>
            client.AddRealServer(s_tcp, new RealServer(IPAddress.Parse("2001:db8:1::1"), 80), Token));
        Assert.Equal(before, ns.Ipvsadm("-Sn"));

        client.AddRealServer(s_tcp, new RealServer(IPAddress.Parse("2001:db8:1::1"), 80) { ForwardingMethod = ForwardingMethod.Tunnel }, Token);

        var server = Assert.Single(client.GetRealServers(s_tcp, Token));
        Assert.Equal(System.Net.Sockets.AddressFamily.InterNetworkV6, server.Family);
        Assert.Contains("-a -t 198.18.0.1:80 -r [2001:db8:1::1]:80 -i -w 1 --tun-type ipip\n", ns.Ipvsadm("-Sn"), StringComparison.Ordinal);
        Assert.StartsWith("Invalid operation.", masq.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LocalAndBypassForwarding_AreReportedAsTheKernelKeepsThem()
    {
        KernelLab.Require();
        using var ns = new TestNamespace();
        ns.Exec("ip", "addr", "add", "198.18.5.5/32", "dev", "lo").EnsureSuccess();
        using var client = ns.OpenClient();
        client.AddService(new VirtualService(s_tcp) { Scheduler = "rr" }, Token);

        // Modern kernels decide local delivery when sending; "Local" is what was asked for, not
        // something the kernel infers from a local address (2.6 kernels did).
        client.AddRealServer(s_tcp, new RealServer(IPAddress.Parse("198.18.5.5"), 80), Token);
        client.AddRealServer(s_tcp, new RealServer(IPAddress.Parse("198.18.5.6"), 80) { ForwardingMethod = ForwardingMethod.Local }, Token);
        client.AddRealServer(s_tcp, new RealServer(IPAddress.Parse("198.18.1.9"), 80) { ForwardingMethod = ForwardingMethod.Bypass }, Token);

        var servers = (client.GetRealServers(s_tcp, Token)).ToDictionary(s => s.Endpoint);
        Assert.Equal(ForwardingMethod.Masquerade, servers["198.18.5.5:80"].ForwardingMethod);
        Assert.Equal(ForwardingMethod.Local, servers["198.18.5.6:80"].ForwardingMethod);
        Assert.Equal(ForwardingMethod.Bypass, servers["198.18.1.9:80"].ForwardingMethod);
        Assert.Contains("  -> 198.18.5.6:80                Local   1      0          0", ns.Ipvsadm("-Ln"), StringComparison.Ordinal);
        // ipvsadm saves Local as -g (it has no switch for it).
        Assert.Contains("-a -t 198.18.0.1:80 -r 198.18.5.6:80 -g -w 1\n", ns.Ipvsadm("-Sn"), StringComparison.Ordinal);
    }
}
