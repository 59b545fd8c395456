using Ipvs.Testing;

namespace Ipvs.KernelTests.Care;

/// <summary><c>ipvs care -f FILE</c>: several virtual servers in one process, each with its own checks; SIGHUP re-reads the file.</summary>
public sealed class CareFileTests
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(60);

    [Fact]
    public void File_TwoServicesWithTheirOwnChecks_SighupAppliesTheNewFile()
    {
        KernelLab.Require();
        using var lab = new CareLab(3);
        lab.StartServer(1);
        lab.StartServer(2);
        lab.StartServer(3, "tcp", 9000);
        var file = Path.Combine(lab.Directory_, "care.yaml");
        File.WriteAllText(file, """
            version: 1
            services:
              - service: tcp/198.18.200.1:443
                scheduler: rr
                servers: [198.18.1.2:443, 198.18.2.2:443]
                health: {type: https, path: /healthz, interval: 1s}
              - service: tcp/198.18.200.1:9000
                scheduler: wrr
                servers:
                  - server: 198.18.3.2:9000
                    weight: 3
                health:
                  type: tcp
                  interval: 1s
                  fail-closed: true
            """);
        using var care = lab.StartCare(["-f", file, "--logger", "DEBG"]);
        care.WaitForLine(l => l.Contains("care started services=2", StringComparison.Ordinal), s_wait);
        foreach (var server in new[] { "198.18.1.2:443", "198.18.2.2:443", "198.18.3.2:9000" })
        {
            care.WaitForLine(l => l.Contains("probe ok", StringComparison.Ordinal) && l.Contains("server=" + server, StringComparison.Ordinal), s_wait);
        }

        Assert.Equal(
            "-A -t 198.18.200.1:443 -s rr\n-a -t 198.18.200.1:443 -r 198.18.1.2:443 -m -w 1\n-a -t 198.18.200.1:443 -r 198.18.2.2:443 -m -w 1\n"
            + "-A -t 198.18.200.1:9000 -s wrr\n-a -t 198.18.200.1:9000 -r 198.18.3.2:9000 -m -w 3\n",
            lab.Ipvsadm("-Sn"));

        // The TCP service's only server fails: fail-closed empties that service, the other is untouched.
        lab.KillServer(3);
        care.WaitForLine(l => l.Contains("removed real server 198.18.3.2:9000", StringComparison.Ordinal), s_wait);
        Assert.Equal(
            "-A -t 198.18.200.1:443 -s rr\n-a -t 198.18.200.1:443 -r 198.18.1.2:443 -m -w 1\n-a -t 198.18.200.1:443 -r 198.18.2.2:443 -m -w 1\n"
            + "-A -t 198.18.200.1:9000 -s wrr\n",
            lab.Ipvsadm("-Sn"));

        // A new file: a server dropped, a service dropped, a service added.
        File.WriteAllText(file, """
            services:
              - service: tcp/198.18.200.1:443
                scheduler: rr
                servers: [198.18.1.2:443]
                health: {type: https, interval: 1s}
              - service: tcp/198.18.200.1:8443
                scheduler: lc
                servers: [198.18.2.2:443]
                health: {type: none, interval: 1s}
            """);
        care.Signal(BackgroundProcess.SIGHUP);
        care.WaitForLine(l => l.Contains("SIGHUP: re-read", StringComparison.Ordinal), s_wait);
        care.WaitForLine(l => l.Contains("deleted virtual server tcp/198.18.200.1:9000", StringComparison.Ordinal), s_wait);
        WaitUntil(() => lab.Ipvsadm("-Sn") ==
            "-A -t 198.18.200.1:443 -s rr\n-a -t 198.18.200.1:443 -r 198.18.1.2:443 -m -w 1\n"
            + "-A -t 198.18.200.1:8443 -s lc\n-a -t 198.18.200.1:8443 -r 198.18.2.2:443 -m -w 1\n");

        // A broken file is refused with its line and column; the running configuration stays.
        File.WriteAllText(file, "services:\n  - service: tcp/198.18.200.1:443\n    health: {type: carrier-pigeon}\n");
        care.Signal(BackgroundProcess.SIGHUP);
        var refused = care.WaitForLine(l => l.Contains("keeping the current configuration", StringComparison.Ordinal), s_wait);
        Assert.Contains(":3:", refused.Text, StringComparison.Ordinal);
        Assert.Contains("unknown health type 'carrier-pigeon'", refused.Text, StringComparison.Ordinal);
        Assert.Contains("-A -t 198.18.200.1:8443 -s lc", lab.Ipvsadm("-Sn"), StringComparison.Ordinal);
    }

    [Fact]
    public void File_WithErrors_IsRefusedBeforeAnythingIsCreated()
    {
        KernelLab.Require();
        using var ns = new TestNamespace();
        var file = Path.Combine(Path.GetTempPath(), $"ipvs-care-bad-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(file, """
            services:
              - service: tcp/198.18.200.1:443
                servers: [198.18.1.2:443]
              - service: tcp/198.18.200.2:443
                servers: [198.18.1.2:443]
                health:
                  interval: soon
                  flavour: vanilla
            """);
        try
        {
            var result = CareCommandTests.Care(ns, "-f", file);
            Assert.Equal(2, result.ExitCode);
            Assert.Contains(file + ":7:", result.StandardError, StringComparison.Ordinal);
            Assert.Contains("'soon' is not a duration", result.StandardError, StringComparison.Ordinal);
            Assert.Contains("flavour", result.StandardError, StringComparison.Ordinal);
            Assert.Equal(string.Empty, ns.Ipvsadm("-Sn"));
            var both = CareCommandTests.Care(ns, "-f", file, "--vs", "198.18.200.1:443");
            Assert.Equal(2, both.ExitCode);
            Assert.Contains("cannot be combined with --vs", both.StandardError, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static void WaitUntil(Func<bool> condition)
    {
        var deadline = DateTimeOffset.UtcNow + s_wait;
        while (!condition())
        {
            Assert.True(DateTimeOffset.UtcNow < deadline, "the condition did not hold in time");
            Thread.Sleep(100);
        }
    }
}
