using Ipvs.Testing;

namespace Ipvs.KernelTests.Adm;

/// <summary>
/// <c>ipvs adm</c> and the <c>ipvsadm</c> link of the published binary, next to Debian's
/// ipvsadm in the same namespace: listings of a table with connections in it, which the random
/// suite cannot compare across namespaces (their timers run), and the two ways of invoking it.
/// </summary>
public sealed class AdmInvocationTests
{
    [Fact]
    public void Connections_WithTraffic_ListedAsDebianIpvsadmLists()
    {
        KernelLab.Require();
        using var ns = new TestNamespace();
        Setup(ns);

        // Connection attempts through IPVS (nobody answers: SYN_RECV entries, a UDP entry and a
        // persistence template are enough to list).
        ns.Exec("timeout", "1", "bash", "-c", "exec 3<>/dev/tcp/198.18.0.1/80");
        ns.Exec("timeout", "1", "bash", "-c", "echo hi > /dev/udp/198.18.0.1/53");
        ns.Exec("timeout", "1", "bash", "-c", "exec 3<>/dev/tcp/2001:db8::1/443");

        foreach (var options in new[] { "-Lnc", "-Lc", "-Lnc --persistent-conn", "-L -c --persistent-conn" })
        {
            var args = options.Split(' ');

            // The entries' timers tick between two runs, and on a loaded machine two runs never fit
            // in one second: Debian's listing, then ours, then Debian's again. Ours must be
            // byte-identical but for the expiry column, whose value must lie between the two
            // listings around it (so nothing else is loosened: a wrong expiry still fails).
            var before = ns.Exec("ipvsadm", args);
            var actual = ns.Exec(TestPaths.IpvsBinary, ["adm", .. args]);
            var after = ns.Exec("ipvsadm", args);

            Assert.Equal(0, actual.ExitCode);
            Assert.Equal(before.StandardError, actual.StandardError);
            Assert.Equal(before.ExitCode, actual.ExitCode);
            ConnectionListing.AssertSameBetween(before.StandardOutput, actual.StandardOutput, after.StandardOutput);
            Assert.True(actual.StandardOutput.Split('\n').Length >= 6, $"connections expected in:\n{actual.StandardOutput}");
        }
    }

    [Fact]
    public void Link_AndSubcommand_ListAsDebianIpvsadm()
    {
        KernelLab.Require();
        using var ns = new TestNamespace();
        Setup(ns);
        foreach (var args in new[] { Array.Empty<string>(), ["-Ln"], ["-Sn"], ["-L", "-n", "--stats", "--exact"], ["-L", "--timeout"], ["-Ln", "-t", "198.18.0.1:80"] })
        {
            var expected = ns.Exec("ipvsadm", args);
            Assert.Equal(expected, ns.Exec(TestPaths.IpvsBinary, ["adm", .. args]));

            // Through the link, argv[0] is the link's path, which ipvsadm only prints in usage errors.
            Assert.Equal(expected, ns.Exec(TestPaths.IpvsadmLink, args));
        }

        var refused = ns.Exec(TestPaths.IpvsadmLink, "--bogus");
        Assert.Equal(255, refused.ExitCode);
        Assert.Equal($"Try `{TestPaths.IpvsadmLink} -h' or '{TestPaths.IpvsadmLink} --help' for more information.\n", refused.StandardError);
    }

    [Fact]
    public void Restore_LargeTable_SameTableAsDebianIpvsadm()
    {
        KernelLab.Require();
        using var debian = new TestNamespace();
        using var ours = new TestNamespace();
        var lines = new System.Text.StringBuilder();
        for (var i = 0; i < 1500; i++)
        {
            var vip = $"198.18.{i / 250}.{(i % 250) + 1}";
            lines.Append($"-A -t {vip}:80 -s rr\n");
            for (var k = 0; k < 3; k++)
            {
                lines.Append($"-a -t {vip}:80 -r 2001:db8:{i:x}::{k + 1} -i -w {k}\n");
            }

            if (i % 500 == 0)
            {
                // A refused line in the middle: reported, and the rest still applies.
                lines.Append($"-A -t {vip}:80\n");
            }
        }

        var expected = debian.Exec("ipvsadm", ["-R"], lines.ToString());
        var actual = ours.Exec(TestPaths.IpvsBinary, ["adm", "-R"], lines.ToString());
        Assert.Equal(expected, actual);
        Assert.Equal(3, actual.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Equal(debian.Ipvsadm("-Sn"), ours.Ipvsadm("-Sn"));
        Assert.Equal(debian.Ipvsadm("-Ln"), ours.Exec(TestPaths.IpvsBinary, "adm", "-Ln").StandardOutput);
    }

    private static void Setup(TestNamespace ns)
    {
        foreach (var command in new[]
        {
            "link add d0 type dummy", "link set d0 up", "addr add 198.18.0.1/32 dev d0", "addr add 198.18.9.9/24 dev d0",
            "addr add 2001:db8::1/128 dev d0 nodad", "addr add 2001:db8:9::9/64 dev d0 nodad",
        })
        {
            HostCommand.Check("ip", ["-n", ns.Name, .. command.Split(' ')]);
        }

        ns.Ipvsadm("-A", "-t", "198.18.0.1:80", "-s", "rr");
        ns.Ipvsadm("-a", "-t", "198.18.0.1:80", "-r", "198.18.9.10:8080", "-m");
        ns.Ipvsadm("-A", "-u", "198.18.0.1:53", "-s", "rr", "-p", "100");
        ns.Ipvsadm("-a", "-u", "198.18.0.1:53", "-r", "198.18.9.11:53", "-m");
        ns.Ipvsadm("-A", "-t", "[2001:db8::1]:443", "-s", "rr");
        ns.Ipvsadm("-a", "-t", "[2001:db8::1]:443", "-r", "[2001:db8:9::10]:443", "-m");
    }
}
