using Ipvs.Testing;

namespace Ipvs.KernelTests.Cli.Service;

/// <summary><c>ipvs service …</c> from the native binary against the lab kernel, cross-checked with Debian's ipvsadm.</summary>
public sealed class CliServiceTests
{
    [Fact]
    public void Add_EveryFormAndAlias_IsWhatIpvsadmSees()
    {
        KernelLab.Require();
        using var ns = new TestNamespace();

        ns.IpvsOk("service", "add", "tcp/198.18.0.1:80", "-s", "rr");
        ns.IpvsOk("s", "a", "--vip", "198.18.0.2", "--vport", "53", "--proto", "UDP", "--sched", "wrr", "--ops");
        ns.IpvsOk("vs", "new", "udp/[2001:db8::1]:53", "-s", "sh", "-b", "sh-fallback,sh-port", "--timeout", "600", "--netmask", "64");
        ns.IpvsOk("svc", "set", "udp/198.18.0.3:5060", "--persistent", "sip");
        ns.IpvsOk("service", "n", "fwmark/42", "-s", "lc", "--timeout", "300", "--mask", "255.255.255.0");
        ns.IpvsOk("service", "add", "tcp/198.18.0.4:0", "--timeout", "60", "-M", "24");
        ns.IpvsOk("service", "add", "--vip", "2001:db8::2", "--vport", "443", "--protocol", "sctp", "--scheduler", "mh", "-b", "mh-port");

        // Persistence done right: the flag (-p) is set and the IPv4 netmask is a mask, not a prefix length.
        Assert.Equal(
            """
            -A -t 198.18.0.1:80 -s rr
            -A -t 198.18.0.4:0 -s wlc -p 60 -M 255.255.255.0
            -A -u 198.18.0.2:53 -s wrr -o
            -A -u 198.18.0.3:5060 -s wlc -p 360 --pe sip
            -A -u [2001:db8::1]:53 -s sh -p 600 -M 64 -b sh-fallback,sh-port
            -A --sctp-service [2001:db8::2]:443 -s mh -b mh-port
            -A -f 42 -s lc -p 300 -M 255.255.255.0

            """,
            ns.Ipvsadm("-Sn"));
    }

    [Fact]
    public void ListGetCheckString_ReadWhatWasAdded()
    {
        KernelLab.Require();
        using var ns = new TestNamespace();
        ns.IpvsOk("service", "add", "tcp/198.18.0.1:80", "-s", "rr", "--timeout", "300", "--netmask", "24");
        ns.IpvsOk("service", "add", "fwmark6/7");
        ns.Ipvsadm("-a", "-t", "198.18.0.1:80", "-r", "198.18.1.1:8080", "-m", "-w", "3");

        var list = ns.IpvsJson("service", "list");
        var services = list.GetProperty("services").EnumerateArray().ToArray();
        Assert.Equal(["tcp/198.18.0.1:80", "fwmark6/7"], services.Select(s => s.GetProperty("service").GetString()));
        var web = services[0];
        Assert.Equal("rr", web.GetProperty("scheduler").GetString());
        Assert.True(web.GetProperty("persistent").GetBoolean());
        Assert.Equal(300, web.GetProperty("timeout").GetInt32());
        Assert.Equal("255.255.255.0", web.GetProperty("netmask").GetString());
        Assert.Equal(24, web.GetProperty("prefix_length").GetInt32());
        var server = Assert.Single(web.GetProperty("servers").EnumerateArray());
        Assert.Equal("198.18.1.1:8080", server.GetProperty("server").GetString());
        Assert.Equal("masq", server.GetProperty("forward").GetString());
        Assert.Equal(3, server.GetProperty("weight").GetInt32());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, web.GetProperty("stats").ValueKind);
        Assert.Equal("ipv6", services[1].GetProperty("family").GetString());
        Assert.Equal(7, services[1].GetProperty("fwmark").GetInt32());

        var get = ns.IpvsJson("service", "get", "--vip", "198.18.0.1", "--vport", "80", "--stats");
        Assert.Equal(0, get.GetProperty("stats").GetProperty("connections").GetInt32());
        Assert.Equal(0, get.GetProperty("servers")[0].GetProperty("stats").GetProperty("incoming_bytes").GetInt32());
        Assert.Contains("  - service: tcp/198.18.0.1:80", ns.IpvsOk("service", "list", "-o", "yaml"), StringComparison.Ordinal);
        Assert.Matches(@"(?m)^tcp/198\.18\.0\.1:80 +rr +300s /24 +- +1$", ns.IpvsOk("service", "ls"));

        Assert.Equal("service tcp/198.18.0.1:80 exists\n", ns.IpvsOk("service", "check", "tcp/198.18.0.1:80"));
        var missing = ns.Ipvs("service", "chk", "--vip", "198.18.0.9", "--vport", "80");
        Assert.Equal(1, missing.ExitCode);
        Assert.Equal("service tcp/198.18.0.9:80 does not exist\n", missing.StandardOutput);
        var quiet = ns.Ipvs("s", "exist", "-q", "udp/198.18.0.1:80");
        Assert.Equal(1, quiet.ExitCode);
        Assert.Empty(quiet.StandardOutput + quiet.StandardError);
        Assert.Equal(0, ns.Ipvs("s", "find", "-q", "fwmark6/7").ExitCode);
        Assert.Equal("udp/[2001:db8::1]:53\n", ns.IpvsOk("service", "string", "--vip", "2001:db8::1", "--vport", "53", "--proto", "udp"));
    }

    [Fact]
    public void Update_ChangesOnlyWhatIsGiven()
    {
        KernelLab.Require();
        using var ns = new TestNamespace();
        ns.IpvsOk("service", "add", "tcp/198.18.0.1:80", "-s", "sh", "-b", "sh-port", "--timeout", "600", "-M", "24");

        ns.IpvsOk("service", "update", "tcp/198.18.0.1:80", "-s", "wrr");
        Assert.Equal("-A -t 198.18.0.1:80 -s wrr -p 600 -M 255.255.255.0 -b flag-2\n", ns.Ipvsadm("-Sn"));

        ns.IpvsOk("s", "up", "--vip", "198.18.0.1", "--vport", "80", "--timeout", "0", "-b", "none");
        Assert.Equal("-A -t 198.18.0.1:80 -s wrr\n", ns.Ipvsadm("-Sn"));
    }

    [Fact]
    public void Errors_NameTheServiceAndChangeNothing()
    {
        KernelLab.Require();
        using var ns = new TestNamespace();
        ns.IpvsOk("service", "add", "tcp/198.18.0.1:80", "-s", "rr");

        ns.Ipvs("service", "add", "tcp/198.18.0.1:80", "-s", "wlc").AssertFails(1, "ipvs: service tcp/198.18.0.1:80 already exists");
        ns.Ipvs("service", "get", "tcp/198.18.0.2:80").AssertFails(1, "ipvs: service tcp/198.18.0.2:80 does not exist");
        ns.Ipvs("service", "update", "tcp/198.18.0.2:80", "-s", "rr").AssertFails(1, "ipvs: service tcp/198.18.0.2:80 does not exist");
        ns.Ipvs("service", "del", "udp/198.18.0.1:80").AssertFails(1, "ipvs: service udp/198.18.0.1:80 does not exist");
        ns.Ipvs("service", "add", "tcp/198.18.0.3:80", "-s", "nosuch").AssertFails(1, "scheduler 'nosuch' is not available in the kernel (no module ip_vs_nosuch)");
        ns.Ipvs("service", "add", "tcp/198.18.0.3:80", "--ops").AssertFails(2, "--ops (one-packet scheduling) is only for UDP");

        Assert.Equal("-A -t 198.18.0.1:80 -s rr\n", ns.Ipvsadm("-Sn"));
    }

    [Fact]
    public void Delete_WithRealServers_NeedsYes_ZeroAndFlushToo()
    {
        KernelLab.Require();
        using var ns = new TestNamespace();
        ns.IpvsOk("service", "add", "tcp/198.18.0.1:80");
        ns.IpvsOk("service", "add", "tcp/198.18.0.2:80");
        ns.Ipvsadm("-a", "-t", "198.18.0.1:80", "-r", "198.18.1.1:80");

        ns.Ipvs("service", "del", "tcp/198.18.0.1:80").AssertFails(2, "refusing without --yes");
        ns.IpvsOk("service", "d", "tcp/198.18.0.2:80");
        Assert.Equal("-A -t 198.18.0.1:80 -s wlc\n-a -t 198.18.0.1:80 -r 198.18.1.1:80 -g -w 1\n", ns.Ipvsadm("-Sn"));

        ns.IpvsOk("service", "delete", "tcp/198.18.0.1:80", "--yes");
        Assert.Empty(ns.Ipvsadm("-Sn"));

        ns.IpvsOk("service", "add", "tcp/198.18.0.1:80");
        ns.IpvsOk("service", "zero", "tcp/198.18.0.1:80");
        ns.Ipvs("zero").AssertFails(2, "refusing without --yes");
        ns.IpvsOk("z", "--force");
        ns.Ipvs("flush").AssertFails(2, "refusing without --yes");
        ns.Ipvs("service", "flush").AssertFails(2, "refusing without --yes");
        Assert.Equal("-A -t 198.18.0.1:80 -s wlc\n", ns.Ipvsadm("-Sn"));

        ns.IpvsOk("clear", "-y");
        Assert.Empty(ns.Ipvsadm("-Sn"));
    }

    [Fact]
    public void List_ALargeTable_IsComplete_AndMatchesIpvsadm()
    {
        KernelLab.Require();
        using var ns = new TestNamespace();
        var rules = new System.Text.StringBuilder();
        for (var s = 0; s < 400; s++)
        {
            var vip = $"198.18.{s / 200}.{(s % 200) + 1}";
            rules.Append($"-A -t {vip}:80 -s rr\n");
            for (var r = 0; r < 4; r++)
            {
                rules.Append($"-a -t {vip}:80 -r 198.19.{s / 50}.{((s % 50) * 4) + r + 1}:8080 -m -w 1\n");
            }
        }

        var restore = ns.Exec("ipvsadm", ["-R"], rules.ToString());
        Assert.True(restore.ExitCode == 0, restore.ToString());

        var services = ns.IpvsJson("service", "list").GetProperty("services").EnumerateArray().ToArray();

        Assert.Equal(400, services.Length);
        Assert.All(services, s => Assert.Equal(4, s.GetProperty("servers").GetArrayLength()));
        Assert.Equal(1600, ns.IpvsJson("server", "list").GetProperty("servers").GetArrayLength());
        // In the same order as ipvsadm lists them.
        var ipvsadmOrder = ns.Ipvsadm("-Sn").Split('\n').Where(l => l.StartsWith("-A", StringComparison.Ordinal)).Select(l => "tcp/" + l.Split(' ')[2]);
        Assert.Equal(ipvsadmOrder, services.Select(s => s.GetProperty("service").GetString()));
    }
}
