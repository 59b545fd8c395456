using System.Globalization;
using Ipvs.Testing;

namespace Ipvs.KernelTests.Care;

/// <summary>
/// Link mode in the guest's own root namespace, as on a control-plane node: the daemon binds the
/// virtual address to a dummy interface, turns on IPVS conntrack and installs the nftables
/// masquerade rules, so that connections from the node itself to the virtual server work and
/// reach the real servers from the node's address; -C removes it all.
/// </summary>
[Collection(CareTimingCollection.Name)]
public sealed class CareLinkModeTests
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(60);

    [Fact]
    public void LinkMode_TrafficFromTheRootNamespace_IsMasqueradedAndRepaired_CleanRemovesEverything()
    {
        KernelLab.Require();
        var lab = Directory.CreateTempSubdirectory("ipvs-care-link-").FullName;
        var servers = new List<TestNamespace>();
        var processes = new List<BackgroundProcess>();
        string[] clean = ["--mode", "link", "--iface", "ipvscare0", "--vs", "198.18.200.1:443", "-C"];
        try
        {
            HostCommand.Check("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", Path.Combine(lab, "key.pem"), "-out", Path.Combine(lab, "cert.pem"), "-days", "2", "-subj", "/CN=link");
            for (var i = 1; i <= 2; i++)
            {
                var ns = new TestNamespace();
                servers.Add(ns);
                var n = i.ToString(CultureInfo.InvariantCulture);
                var device = "lk" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture).PadLeft(4, '0')[^4..] + n;
                HostCommand.Check("ip", "link", "add", device, "type", "veth", "peer", "name", "eth0", "netns", ns.Name);
                HostCommand.Check("ip", "addr", "add", $"198.18.{n}.1/24", "dev", device);
                HostCommand.Check("ip", "link", "set", device, "up");
                HostCommand.Check("ip", "-n", ns.Name, "addr", "add", $"198.18.{n}.2/24", "dev", "eth0");
                HostCommand.Check("ip", "-n", ns.Name, "link", "set", "eth0", "up");
                HostCommand.Check("ip", "-n", ns.Name, "route", "add", "default", "via", $"198.18.{n}.1");
                if (processes.Count == 0)
                {
                    processes.Add(BackgroundProcess.Start("python3", [CareLab.Script("backend.py"), "--supervise"]));
                }

                processes[0].WriteLine($"--name rs{n} --netns {ns.Name} --port 443 --cert {Path.Combine(lab, "cert.pem")} --key {Path.Combine(lab, "key.pem")} --log {Path.Combine(lab, $"rs{n}.log")}");
                processes[0].WaitForLine(l => l.StartsWith($"rs{n}: listening", StringComparison.Ordinal), s_wait);
            }

            var care = BackgroundProcess.Start(TestPaths.IpvsBinary, ["care", "--mode", "link", "--iface", "ipvscare0", "--vs", "198.18.200.1:443",
                "--rs", "198.18.1.2:443,198.18.2.2:443", "--interval", "1", "--masqueradebit", "3", "--logger", "DEBG"]);
            processes.Add(care);
            var setUp = care.WaitForLine(l => l.Contains("link mode set up", StringComparison.Ordinal), s_wait);
            // nftables where the kernel's nf_tables has IPv4; the lab's User-Mode Linux kernel has not, so iptables there.
            var nftables = setUp.Text.Contains("masquerade=nftables", StringComparison.Ordinal);
            Assert.True(nftables || setUp.Text.Contains("masquerade=iptables", StringComparison.Ordinal), setUp.Text);
            care.WaitForLine(l => l.Contains("probe ok", StringComparison.Ordinal) && l.Contains("198.18.2.2", StringComparison.Ordinal), s_wait);

            Assert.Contains("dummy", HostCommand.Check("ip", "-d", "link", "show", "ipvscare0"), StringComparison.Ordinal);
            Assert.Contains("inet 198.18.200.1/32", HostCommand.Check("ip", "addr", "show", "dev", "ipvscare0"), StringComparison.Ordinal);
            Assert.Equal("1", File.ReadAllText("/proc/sys/net/ipv4/vs/conntrack").Trim());
            if (nftables)
            {
                var rules = HostCommand.Check("nft", "list", "table", "ip", "ipvs-care");
                Assert.Contains("ip daddr 198.18.200.1 tcp dport 443 meta mark set meta mark | 0x00000008", rules, StringComparison.Ordinal);
                Assert.Contains("masquerade fully-random", rules, StringComparison.Ordinal);
            }
            else
            {
                Assert.Contains("-A IPVS-CARE-SERVICES -d 198.18.200.1/32 -p tcp -m tcp --dport 443 -j MARK --set-xmark 0x8/0x8", HostCommand.Check("iptables-legacy", "-t", "nat", "-S", "IPVS-CARE-SERVICES"), StringComparison.Ordinal);
                Assert.Contains("-A IPVS-CARE-POSTROUTING -m mark --mark 0x8/0x8 -j MASQUERADE --random-fully", HostCommand.Check("iptables-legacy", "-t", "nat", "-S", "IPVS-CARE-POSTROUTING"), StringComparison.Ordinal);
                Assert.Contains("-A OUTPUT -j IPVS-CARE-SERVICES", HostCommand.Check("iptables-legacy", "-t", "nat", "-S", "OUTPUT"), StringComparison.Ordinal);
            }

            // The node's own connections to the virtual server reach both real servers, from the node's address.
            var client = HostCommand.Run("python3", [CareLab.Script("client.py"), "--target", "198.18.200.1:443", "--count", "6", "--timeout", "3"], timeout: TimeSpan.FromMinutes(2));
            var answers = client.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.True(answers.Length == 6 && answers.All(a => a.Contains(" ok rs", StringComparison.Ordinal)), client.ToString());
            Assert.Contains(answers, a => a.EndsWith("ok rs1", StringComparison.Ordinal));
            Assert.Contains(answers, a => a.EndsWith("ok rs2", StringComparison.Ordinal));
            var seen = File.ReadAllLines(Path.Combine(lab, "rs1.log")).Where(l => l.Contains("GET / ", StringComparison.Ordinal)).ToList();
            Assert.NotEmpty(seen);
            Assert.All(seen, l => Assert.Contains("from=198.18.1.1 ", l, StringComparison.Ordinal));

            // Removed behind the daemon's back: the interface and the rules come back.
            HostCommand.Check("ip", "link", "del", "ipvscare0");
            if (nftables)
            {
                HostCommand.Check("nft", "delete", "table", "ip", "ipvs-care");
            }
            else
            {
                HostCommand.Check("iptables-legacy", "-t", "nat", "-D", "POSTROUTING", "-j", "IPVS-CARE-POSTROUTING");
            }

            care.WaitForLine(l => l.Contains("repaired a change made behind our back: interface ipvscare0", StringComparison.Ordinal), s_wait);
            care.WaitForLine(l => l.Contains("repaired a change made behind our back: " + (nftables ? "nftables" : "iptables") + " masquerade rules", StringComparison.Ordinal), s_wait);
            Assert.Contains("inet 198.18.200.1/32", HostCommand.Check("ip", "addr", "show", "dev", "ipvscare0"), StringComparison.Ordinal);

            care.Signal(BackgroundProcess.SIGTERM);
            Assert.True(care.WaitForExit(TimeSpan.FromSeconds(30)));
            var result = HostCommand.Run(TestPaths.IpvsBinary, ["care", .. clean]);
            Assert.True(result.ExitCode == 0, result.ToString());
            Assert.NotEqual(0, HostCommand.Run("ip", "link", "show", "ipvscare0").ExitCode);
            Assert.NotEqual(0, HostCommand.Run("nft", "list", "table", "ip", "ipvs-care").ExitCode);
            Assert.NotEqual(0, HostCommand.Run("iptables-legacy", "-t", "nat", "-S", "IPVS-CARE-POSTROUTING").ExitCode);
            Assert.DoesNotContain("IPVS-CARE", HostCommand.Check("iptables-legacy", "-t", "nat", "-S"), StringComparison.Ordinal);
            Assert.DoesNotContain("198.18.200.1:443", HostCommand.Check("ipvsadm", "-Ln"), StringComparison.Ordinal);
        }
        finally
        {
            HostCommand.Run(TestPaths.IpvsBinary, ["care", .. clean]);
            foreach (var process in processes)
            {
                process.Dispose();
            }

            foreach (var ns in servers)
            {
                ns.Dispose();
            }

            Directory.Delete(lab, recursive: true);
        }
    }
}
