using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Ipvs.Testing;

namespace Ipvs.KernelTests.Care;

/// <summary>
/// <c>ipvs care</c> as a command, from the native binary in fresh namespaces: the seed's
/// examples, --run-once and --clean, route mode, bad flags, sealctl, signals, metrics, systemd.
/// </summary>
public sealed class CareCommandTests
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(60);

    [Fact]
    public void SeedExamples_RunOnceCreatesTheRules_CleanRemovesThem()
    {
        KernelLab.Require();
        using var ns = new TestNamespace();
        var once = Care(ns, "--vs", "169.254.0.1:6443", "--rs", "198.18.0.2:6443", "--run-once");
        Assert.True(once.ExitCode == 0, once.ToString());
        Assert.Contains("rules created; exiting (--run-once)", once.StandardOutput, StringComparison.Ordinal);
        Assert.Equal("-A -t 169.254.0.1:6443 -s rr\n-a -t 169.254.0.1:6443 -r 198.18.0.2:6443 -m -w 1\n", ns.Ipvsadm("-Sn"));

        // Running it again changes nothing (the rules are ensured, not duplicated).
        Assert.Equal(0, Care(ns, "--vs", "169.254.0.1:6443", "--rs", "198.18.0.2:6443", "--run-once").ExitCode);
        Assert.Equal("-A -t 169.254.0.1:6443 -s rr\n-a -t 169.254.0.1:6443 -r 198.18.0.2:6443 -m -w 1\n", ns.Ipvsadm("-Sn"));

        // --clean alone removes what the last run in this namespace set up.
        var clean = Care(ns, "--clean");
        Assert.True(clean.ExitCode == 0, clean.ToString());
        Assert.Contains("deleted virtual server tcp/169.254.0.1:6443", clean.StandardOutput, StringComparison.Ordinal);
        Assert.Equal(string.Empty, ns.Ipvsadm("-Sn"));
        var again = Care(ns, "--clean");
        Assert.Equal(0, again.ExitCode);
        Assert.Contains("nothing to clean", again.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public void RouteMode_AddsTheRouteThroughTheGateway_CleanRemovesIt()
    {
        KernelLab.Require();
        using var ns = new TestNamespace();
        HostCommand.Check("ip", "-n", ns.Name, "link", "add", "d0", "type", "dummy");
        HostCommand.Check("ip", "-n", ns.Name, "addr", "add", "198.18.50.1/24", "dev", "d0");
        HostCommand.Check("ip", "-n", ns.Name, "link", "set", "d0", "up");
        var once = Care(ns, "--vs", "198.18.200.1:443", "--rs", "198.18.1.2:443", "--ip", "198.18.50.2", "--run-once");
        Assert.True(once.ExitCode == 0, once.ToString());
        Assert.Equal("198.18.200.1 via 198.18.50.2 dev d0 proto static metric 50", ns.Exec("ip", "route", "show", "198.18.200.1").StandardOutput.Trim());

        // -C with the same flags removes the virtual server and the route.
        var clean = Care(ns, "--vs", "198.18.200.1:443", "--ip", "198.18.50.2", "-C");
        Assert.True(clean.ExitCode == 0, clean.ToString());
        Assert.Equal(string.Empty, ns.Exec("ip", "route", "show", "198.18.200.1").StandardOutput.Trim());
        Assert.Equal(string.Empty, ns.Ipvsadm("-Sn"));

        // An unreachable gateway is found before anything is created.
        var bad = Care(ns, "--vs", "198.18.200.1:443", "--rs", "198.18.1.2:443", "--ip", "198.18.60.2", "--run-once");
        Assert.Equal(1, bad.ExitCode);
        Assert.Contains("the gateway 198.18.60.2 (--ip) is not reachable", bad.StandardOutput, StringComparison.Ordinal);
        Assert.Equal(string.Empty, ns.Ipvsadm("-Sn"));
    }

    [Fact]
    public void RouteMode_RouteDeletedOrChanged_IsPutBackWithinAnInterval()
    {
        KernelLab.Require();
        using var ns = new TestNamespace();
        HostCommand.Check("ip", "-n", ns.Name, "link", "add", "d0", "type", "dummy");
        HostCommand.Check("ip", "-n", ns.Name, "addr", "add", "198.18.50.1/24", "dev", "d0");
        HostCommand.Check("ip", "-n", ns.Name, "link", "set", "d0", "up");
        using var care = StartCare(ns, ["--vs", "198.18.200.1:443", "--rs", "198.18.1.2:443", "--ip", "198.18.50.2", "--interval", "1"]);
        care.WaitForLine(l => l.Contains("route mode set up", StringComparison.Ordinal), s_wait);
        const string expected = "198.18.200.1 via 198.18.50.2 dev d0 proto static metric 50";
        Assert.Equal(expected, ns.Exec("ip", "route", "show", "198.18.200.1").StandardOutput.Trim());

        HostCommand.Check("ip", "-n", ns.Name, "route", "del", "198.18.200.1/32", "via", "198.18.50.2", "metric", "50");
        care.WaitForLine(l => l.Contains("repaired a change made behind our back: route 198.18.200.1/32 via 198.18.50.2", StringComparison.Ordinal), s_wait);
        Assert.Equal(expected, ns.Exec("ip", "route", "show", "198.18.200.1").StandardOutput.Trim());

        // Replaced by a route through another gateway with the same metric: corrected.
        HostCommand.Check("ip", "-n", ns.Name, "route", "replace", "198.18.200.1/32", "via", "198.18.50.3", "metric", "50");
        WaitUntil(() => ns.Exec("ip", "route", "show", "198.18.200.1").StandardOutput.Trim() == expected);
        care.Signal(BackgroundProcess.SIGTERM);
        Assert.True(care.WaitForExit(TimeSpan.FromSeconds(30)));
    }

    [Theory]
    [InlineData("--vs 198.18.200.1 --rs 198.18.1.2:443", "--vs '198.18.200.1': missing port")]
    [InlineData("--vs 198.18.200.1:443 --rs 198.18.1.2", "--rs '198.18.1.2': missing port")]
    [InlineData("--vs 198.18.200.1:443 --rs 198.18.1.2:443 --mode bridge", "unsupported --mode 'bridge': expected route or link")]
    [InlineData("--vs 198.18.200.1:443 --rs 198.18.1.2:443 --interval soon", "invalid argument \"soon\" for \"--interval\" flag")]
    [InlineData("--vs 198.18.200.1:443 --rs 198.18.1.2:443 --scheduler fastest", "unsupported --scheduler 'fastest'")]
    [InlineData("--vs 198.18.200.1:443 --rs 198.18.1.2:443 --health-schem ftp", "unsupported --health-schem 'ftp'")]
    [InlineData("--vs 198.18.200.1:443", "required flag(s) \"rs\" not set")]
    [InlineData("--rs 198.18.1.2:443", "required flag(s) \"vs\" not set")]
    [InlineData("--vs 198.18.200.1:443 --rs 198.18.1.2:443 --bogus", "unknown flag: --bogus")]
    [InlineData("--vs host:443 --rs 198.18.1.2:443", "'host' is not an IPv4 or IPv6 address")]
    public void BadFlags_ClearErrorExit2_NothingCreated(string arguments, string message)
    {
        KernelLab.Require();
        using var ns = new TestNamespace();
        var result = Care(ns, arguments.Split(' '));
        Assert.Equal(2, result.ExitCode);
        Assert.Contains(message, result.StandardError, StringComparison.Ordinal);
        Assert.Equal(string.Empty, result.StandardOutput);
        Assert.Equal(string.Empty, ns.Ipvsadm("-Sn"));
        Assert.Equal(string.Empty, ns.Exec("ip", "route", "show", "198.18.200.1").StandardOutput);
    }

    [Fact]
    public void SchedulerTheKernelLacks_ExitsWithTheKernelsReason_NothingCreated()
    {
        KernelLab.Require();
        using var ns = new TestNamespace();
        HostCommand.Check("ip", "-n", ns.Name, "link", "add", "d0", "type", "dummy");
        HostCommand.Check("ip", "-n", ns.Name, "link", "set", "d0", "up");
        HostCommand.Check("ip", "-n", ns.Name, "addr", "add", "198.18.50.1/24", "dev", "d0");
        // The lab's 6.1 kernel has every scheduler but twos.
        var result = Care(ns, "--vs", "198.18.200.1:443", "--rs", "198.18.1.2:443", "--scheduler", "twos", "--ip", "198.18.50.2", "--run-once");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("cannot create virtual server tcp/198.18.200.1:443", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("Scheduler or persistence engine not found", result.StandardOutput, StringComparison.Ordinal);
        Assert.Equal(string.Empty, ns.Ipvsadm("-Sn"));
        Assert.Equal(string.Empty, ns.Exec("ip", "route", "show", "198.18.200.1").StandardOutput);
    }

    [Fact]
    public void Sealctl_Link_AcceptsSealctlIpvs_GlobalFlagsAndEnvironment()
    {
        KernelLab.Require();
        using var ns = new TestNamespace();
        var sealctl = HostCommand.Run("ip", ["netns", "exec", ns.Name, TestPaths.SealctlLink, "--debug", "ipvs", "--rs", "198.18.0.2:6443", "--health-path", "/healthz", "--health-schem", "https", "--run-once"],
            environment: new Dictionary<string, string> { ["IPVS_VS"] = "169.254.0.1:6443", ["IPVS_SCHEDULER"] = "wrr" });
        Assert.True(sealctl.ExitCode == 0, sealctl.ToString());
        Assert.Contains("debug", sealctl.StandardOutput, StringComparison.Ordinal);
        Assert.Equal("-A -t 169.254.0.1:6443 -s wrr\n-a -t 169.254.0.1:6443 -r 198.18.0.2:6443 -m -w 1\n", ns.Ipvsadm("-Sn"));
        var clean = HostCommand.Run("ip", ["netns", "exec", ns.Name, TestPaths.SealctlLink, "ipvs", "--vs", "169.254.0.1:6443", "-C"]);
        Assert.True(clean.ExitCode == 0, clean.ToString());
        Assert.Equal(string.Empty, ns.Ipvsadm("-Sn"));
        var other = HostCommand.Run(TestPaths.SealctlLink, "hosts", "add");
        Assert.Equal(2, other.ExitCode);
        Assert.Contains("provides only 'sealctl ipvs'", other.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public void ThousandRealServers_RunOnceCreatesThemAll_CleanRemovesThem()
    {
        KernelLab.Require();
        using var ns = new TestNamespace();
        var servers = Enumerable.Range(0, 1000).Select(i => $"198.18.{1 + (i / 250)}.2:{20000 + (i % 250)}").ToList();
        var result = Care(ns, "--vs", "198.18.200.1:80", "--rs", string.Join(',', servers), "--run-once", "--mode", "");
        Assert.True(result.ExitCode == 0, result.ToString());
        var table = ns.Ipvsadm("-Sn").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(1001, table.Length);
        Assert.Equal(servers.Order(StringComparer.Ordinal), table.Skip(1).Select(l => l.Split(' ')[4]).Order(StringComparer.Ordinal));
        Assert.Equal(0, Care(ns, "--clean").ExitCode);
        Assert.Equal(string.Empty, ns.Ipvsadm("-Sn"));
    }

    [Fact]
    public void Ipv6_VirtualAndRealServers_RunOnce()
    {
        KernelLab.Require();
        using var ns = new TestNamespace();
        var result = Care(ns, "--vs", "[2001:db8::1]:443", "--rs", "[2001:db8:1::2]:443,[2001:db8:1::3]:443", "--scheduler", "wlc", "--mode", "", "--run-once");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("-A -t [2001:db8::1]:443 -s wlc\n-a -t [2001:db8::1]:443 -r [2001:db8:1::2]:443 -m -w 1\n-a -t [2001:db8::1]:443 -r [2001:db8:1::3]:443 -m -w 1\n", ns.Ipvsadm("-Sn"));
    }

    [Fact]
    public void Signals_TermLeavesTheRules_CleanOnExitRemovesThem_HupProbesNow()
    {
        KernelLab.Require();
        using var ns = new TestNamespace();
        string[] flags = ["--vs", "198.18.200.1:443", "--rs", "198.18.1.2:443", "--interval", "30", "--logger", "DEBG"];
        using (var care = StartCare(ns, flags))
        {
            care.WaitForLine(l => l.Contains("care started", StringComparison.Ordinal), s_wait);
            var probes = care.Lines.Count(l => l.Text.Contains("probe failed", StringComparison.Ordinal));
            care.Signal(BackgroundProcess.SIGHUP);
            care.WaitForLine(l => l.Contains("SIGHUP: no configuration file to re-read", StringComparison.Ordinal), s_wait);
            WaitUntil(() => care.Lines.Count(l => l.Text.Contains("probe failed", StringComparison.Ordinal)) > probes);
            care.Signal(BackgroundProcess.SIGTERM);
            Assert.True(care.WaitForExit(TimeSpan.FromSeconds(30)), care.Tail(20));
            Assert.Equal(0, care.ExitCode);
            Assert.Contains("the rules stay", care.Output, StringComparison.Ordinal);
        }

        Assert.Equal("-A -t 198.18.200.1:443 -s rr\n-a -t 198.18.200.1:443 -r 198.18.1.2:443 -m -w 1\n", ns.Ipvsadm("-Sn"));
        using (var care = StartCare(ns, [.. flags, "--clean-on-exit"]))
        {
            care.WaitForLine(l => l.Contains("care started", StringComparison.Ordinal), s_wait);
            care.Signal(BackgroundProcess.SIGINT);
            Assert.True(care.WaitForExit(TimeSpan.FromSeconds(30)), care.Tail(20));
            Assert.Equal(0, care.ExitCode);
        }

        Assert.Equal(string.Empty, ns.Ipvsadm("-Sn"));
    }

    [Fact]
    public void Metrics_JsonLogs_HealthStateLatencyAndKernelCounters()
    {
        KernelLab.Require();
        using var lab = new CareLab(2);
        lab.StartServer(1);
        using var care = lab.StartCare(["--vs", CareLab.Vip + ":443", "--rs", "198.18.1.2:443,198.18.2.2:443", "--interval", "1", "--metrics-address", ":0", "--log-format", "json", "--logger", "DEBG"]);
        var serving = care.WaitForLine(l => l.Contains("serving metrics on", StringComparison.Ordinal), s_wait);
        var url = JsonDocument.Parse(serving.Text).RootElement.GetProperty("msg").GetString()!.Split(' ')[^1];
        Assert.StartsWith("http://127.0.0.1:", url, StringComparison.Ordinal);
        care.WaitForLine(l => l.Contains("removed real server 198.18.2.2:443", StringComparison.Ordinal), s_wait);
        var client = lab.StartClient(CareLab.Vip + ":443");
        client.WaitForLine(l => l.Contains(" ok rs1", StringComparison.Ordinal), s_wait);

        // The kernel folds its per-CPU counters into the totals every 2 seconds: scrape until they show.
        string text;
        var deadline = DateTimeOffset.UtcNow + s_wait;
        while (true)
        {
            var metrics = lab.Director.Exec("curl", "-sS", "--max-time", "10", url);
            Assert.True(metrics.ExitCode == 0, metrics.ToString());
            text = metrics.StandardOutput;
            if (!text.Contains("ipvs_real_server_connections_total{service=\"tcp/198.18.200.1:443\",server=\"198.18.1.2:443\"} 0\n", StringComparison.Ordinal) || DateTimeOffset.UtcNow > deadline)
            {
                break;
            }

            Thread.Sleep(500);
        }

        Assert.Contains("ipvs_care_real_server_up{service=\"tcp/198.18.200.1:443\",server=\"198.18.1.2:443\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("ipvs_care_real_server_up{service=\"tcp/198.18.200.1:443\",server=\"198.18.2.2:443\"} 0", text, StringComparison.Ordinal);
        Assert.Contains("ipvs_care_real_server_phase{service=\"tcp/198.18.200.1:443\",server=\"198.18.2.2:443\",phase=\"removed\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("ipvs_care_probe_duration_seconds_count{service=\"tcp/198.18.200.1:443\",server=\"198.18.1.2:443\"}", text, StringComparison.Ordinal);
        Assert.Contains("ipvs_care_service_panic{service=\"tcp/198.18.200.1:443\"} 0", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE ipvs_care_probe_duration_seconds histogram", text, StringComparison.Ordinal);
        var connections = text.Split('\n').Single(l => l.StartsWith("ipvs_real_server_connections_total{service=\"tcp/198.18.200.1:443\",server=\"198.18.1.2:443\"}", StringComparison.Ordinal));
        Assert.True(long.Parse(connections.Split(' ')[^1], CultureInfo.InvariantCulture) >= 1, connections);
        Assert.Equal("404", lab.Director.Exec("curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", url.Replace("/metrics", "/nope", StringComparison.Ordinal)).StandardOutput);

        // Every log line is one JSON object with level, ts and msg.
        foreach (var line in care.Lines)
        {
            using var json = JsonDocument.Parse(line.Text);
            Assert.True(json.RootElement.TryGetProperty("level", out _), line.Text);
            Assert.True(json.RootElement.TryGetProperty("ts", out _), line.Text);
            Assert.True(json.RootElement.TryGetProperty("msg", out _), line.Text);
        }
    }

    [Fact]
    public void Systemd_NotifySocket_ReadyWatchdogStopping()
    {
        KernelLab.Require();
        using var ns = new TestNamespace();
        var path = Path.Combine(Path.GetTempPath(), $"ipvs-care-notify-{Environment.ProcessId}-{Guid.NewGuid():N}.sock");
        using var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(path));
        socket.ReceiveTimeout = 30_000;
        try
        {
            using var care = StartCare(ns, ["--vs", "198.18.200.1:443", "--rs", "198.18.1.2:443", "--interval", "1"],
                new Dictionary<string, string> { ["NOTIFY_SOCKET"] = path, ["WATCHDOG_USEC"] = "1000000" });
            var messages = new List<string>();
            var buffer = new byte[4096];
            while (messages.Count(m => m.StartsWith("WATCHDOG=1", StringComparison.Ordinal)) < 2)
            {
                messages.Add(Encoding.UTF8.GetString(buffer, 0, socket.Receive(buffer)));
            }

            Assert.StartsWith("READY=1\nSTATUS=1 virtual server(s)", messages[0], StringComparison.Ordinal);
            care.Signal(BackgroundProcess.SIGTERM);
            while (!messages[^1].StartsWith("STOPPING=1", StringComparison.Ordinal))
            {
                messages.Add(Encoding.UTF8.GetString(buffer, 0, socket.Receive(buffer)));
            }

            Assert.True(care.WaitForExit(TimeSpan.FromSeconds(30)));
        }
        finally
        {
            File.Delete(path);
        }
    }

    internal static CommandResult Care(TestNamespace ns, params string[] arguments) =>
        HostCommand.Run("ip", new[] { "netns", "exec", ns.Name, TestPaths.IpvsBinary, "care" }.Concat(arguments), timeout: TimeSpan.FromMinutes(2));

    private static BackgroundProcess StartCare(TestNamespace ns, string[] arguments, IReadOnlyDictionary<string, string>? environment = null) =>
        BackgroundProcess.Start("ip", new[] { "netns", "exec", ns.Name, TestPaths.IpvsBinary, "care" }.Concat(arguments), environment);

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
