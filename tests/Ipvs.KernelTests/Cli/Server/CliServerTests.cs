using Ipvs.Testing;

namespace Ipvs.KernelTests.Cli.Server;

/// <summary><c>ipvs server …</c> from the native binary against the lab kernel, cross-checked with Debian's ipvsadm.</summary>
public sealed class CliServerTests
{
    [Fact]
    public void Add_EveryFormForwardingAndOption_IsWhatIpvsadmSees()
    {
        KernelLab.Require();
        using var ns = new TestNamespace();
        ns.IpvsOk("service", "add", "tcp/198.18.0.1:80", "-s", "rr");

        ns.IpvsOk("server", "add", "tcp/198.18.0.1:80", "198.18.1.1:8080", "--fwd", "masq", "-w", "3");
        ns.IpvsOk("d", "a", "--vip", "198.18.0.1", "--vport", "80", "--rip", "198.18.1.2", "--rport", "8080", "--forward", "mask", "--weight", "2");
        ns.IpvsOk("rs", "new", "tcp/198.18.0.1:80", "198.18.1.3");
        var note = ns.Ipvs("dest", "n", "tcp/198.18.0.1:80", "198.18.1.4:8080", "--fwd", "dr");
        Assert.Equal(0, note.ExitCode);
        Assert.Contains("ipvs: note: dr forwarding keeps the service's port: real server 198.18.1.4:8080 is added as 198.18.1.4:80", note.StandardError, StringComparison.Ordinal);
        ns.IpvsOk("ser", "set", "tcp/198.18.0.1:80", "198.18.1.5", "--fwd", "tun", "--tun-type", "gue", "--tun-port", "6080", "--tun-csum");
        ns.IpvsOk("svr", "a", "tcp/198.18.0.1:80", "[2001:db8::5]", "--fwd", "tun", "--tun-type", "gre", "--tun-csum");
        ns.IpvsOk("dst", "a", "tcp/198.18.0.1:80", "198.18.1.6:80", "--fwd", "masq", "-x", "100", "-y", "50");
        ns.IpvsOk("destination", "a", "tcp/198.18.0.1:80", "198.18.1.7", "--fwd", "local", "-w", "2147483647");
        ns.IpvsOk("realserver", "add", "tcp/198.18.0.1:80", "198.18.1.8", "--fwd", "tun");

        Assert.Equal(
            """
            -A -t 198.18.0.1:80 -s rr
            -a -t 198.18.0.1:80 -r 198.18.1.1:8080 -m -w 3
            -a -t 198.18.0.1:80 -r 198.18.1.2:8080 -m -w 2
            -a -t 198.18.0.1:80 -r 198.18.1.3:80 -g -w 1
            -a -t 198.18.0.1:80 -r 198.18.1.4:80 -g -w 1
            -a -t 198.18.0.1:80 -r 198.18.1.5:80 -i -w 1 --tun-type gue --tun-port 6080 --tun-csum
            -a -t 198.18.0.1:80 -r 198.18.1.6:80 -m -w 1
            -a -t 198.18.0.1:80 -r 198.18.1.7:80 -g -w 2147483647
            -a -t 198.18.0.1:80 -r 198.18.1.8:80 -i -w 1 --tun-type ipip
            -a -t 198.18.0.1:80 -r [2001:db8::5]:80 -i -w 1 --tun-type gre --tun-csum

            """,
            ns.Ipvsadm("-Sn"));
        Assert.Contains("  -> 198.18.1.6:80                100        50         0          0", ns.Ipvsadm("-Ln", "--thresholds"), StringComparison.Ordinal);
        Assert.Contains("  -> 198.18.1.7:80                Local   ", ns.Ipvsadm("-Ln"), StringComparison.Ordinal);

        var servers = ns.IpvsJson("server", "list", "tcp/198.18.0.1:80").GetProperty("servers").EnumerateArray().ToArray();
        Assert.Equal(9, servers.Length);
        var gue = servers.Single(s => s.GetProperty("server").GetString() == "198.18.1.5:80").GetProperty("tunnel");
        Assert.Equal("gue", gue.GetProperty("type").GetString());
        Assert.Equal(6080, gue.GetProperty("port").GetInt32());
        Assert.Equal("csum", gue.GetProperty("checksum").GetString());
        var thresholds = servers.Single(s => s.GetProperty("server").GetString() == "198.18.1.6:80");
        Assert.Equal(100, thresholds.GetProperty("upper_threshold").GetInt32());
        Assert.Equal(50, thresholds.GetProperty("lower_threshold").GetInt32());
        Assert.Equal("ipv6", servers.Single(s => s.GetProperty("address").GetString() == "2001:db8::5").GetProperty("family").GetString());
    }

    [Fact]
    public void UpdateDeleteFlush_ChangeWhatIsNamed()
    {
        KernelLab.Require();
        using var ns = new TestNamespace();
        ns.IpvsOk("service", "add", "udp/198.18.0.1:53");
        ns.IpvsOk("service", "add", "tcp/198.18.0.2:80");
        ns.IpvsOk("server", "add", "udp/198.18.0.1:53", "198.18.1.1:5353", "--fwd", "masq", "-w", "5", "-x", "10");
        ns.IpvsOk("server", "add", "udp/198.18.0.1:53", "198.18.1.2", "--fwd", "masq");
        ns.IpvsOk("server", "add", "tcp/198.18.0.2:80", "198.18.1.1");

        // Without a port, the only server at that address; only the weight changes.
        ns.IpvsOk("server", "update", "udp/198.18.0.1:53", "198.18.1.1", "-w", "0");
        ns.IpvsOk("d", "u", "--vip", "198.18.0.1", "--vport", "53", "--proto", "udp", "--rip", "198.18.1.2", "--rport", "53", "--fwd", "dr");
        Assert.Equal(
            """
            -A -t 198.18.0.2:80 -s wlc
            -a -t 198.18.0.2:80 -r 198.18.1.1:80 -g -w 1
            -A -u 198.18.0.1:53 -s wlc
            -a -u 198.18.0.1:53 -r 198.18.1.1:5353 -m -w 0
            -a -u 198.18.0.1:53 -r 198.18.1.2:53 -g -w 1

            """,
            ns.Ipvsadm("-Sn"));
        Assert.Contains("  -> 198.18.1.1:5353              10         0          0          0", ns.Ipvsadm("-Ln", "--thresholds"), StringComparison.Ordinal);

        var all = ns.IpvsJson("server", "list").GetProperty("servers").EnumerateArray().Select(s => s.GetProperty("service").GetString() + " " + s.GetProperty("server").GetString());
        Assert.Equal(["tcp/198.18.0.2:80 198.18.1.1:80", "udp/198.18.0.1:53 198.18.1.1:5353", "udp/198.18.0.1:53 198.18.1.2:53"], all);

        ns.Ipvs("server", "del", "udp/198.18.0.1:53", "198.18.1.9").AssertFails(1, "ipvs: real server 198.18.1.9 does not exist in service udp/198.18.0.1:53");
        ns.Ipvs("server", "add", "udp/198.18.0.1:53", "198.18.1.2:53").AssertFails(1, "ipvs: real server 198.18.1.2:53 already exists in service udp/198.18.0.1:53");
        ns.Ipvs("server", "add", "udp/198.18.0.9:53", "198.18.1.2").AssertFails(1, "ipvs: service udp/198.18.0.9:53 does not exist");
        ns.IpvsOk("server", "del", "udp/198.18.0.1:53", "198.18.1.1:5353");

        ns.Ipvs("server", "flush", "tcp/198.18.0.2:80").AssertFails(2, "refusing without --yes");
        ns.IpvsOk("server", "purge", "tcp/198.18.0.2:80", "-f");
        Assert.Equal("-A -t 198.18.0.2:80 -s wlc\n-A -u 198.18.0.1:53 -s wlc\n-a -u 198.18.0.1:53 -r 198.18.1.2:53 -g -w 1\n", ns.Ipvsadm("-Sn"));
    }

    [Fact]
    public void FullNatForwarding_OnAMainlineKernel_IsRefusedAndNothingChanges()
    {
        KernelLab.Require();
        using var ns = new TestNamespace();
        ns.IpvsOk("service", "add", "tcp/198.18.0.1:80");

        ns.Ipvs("server", "add", "tcp/198.18.0.1:80", "198.18.1.1", "--fwd", "fnat")
            .AssertFails(1, "ipvs: forwarding method fnat (FULLNAT) needs a kernel with the FULLNAT extension; this kernel's IPVS has none");

        Assert.Equal("-A -t 198.18.0.1:80 -s wlc\n", ns.Ipvsadm("-Sn"));
    }
}
