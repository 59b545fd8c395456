using System.Diagnostics;
using System.Text.Json;
using Ipvs.KernelTests.Care;
using Ipvs.KernelTests.State;
using Ipvs.Testing;

namespace Ipvs.KernelTests.Ha;

/// <summary>
/// The ha section inside ipvs apply --watch and ipvs care -f, from the native binary, on one
/// director's namespace: refusal before any change, the sync daemons and tunables, the role from
/// keepalived's notify hook without waiting for a pass, the status. The pair itself (keepalived,
/// traffic, failures) is HaPairTests.
/// </summary>
public sealed class HaDaemonTests
{
    private static int s_instance;

    private static string Instance() => $"T{Environment.ProcessId}x{Interlocked.Increment(ref s_instance)}";

    private static string File(string instance, string iface = "eth0", string extra = "") => $$"""
        services:
          - service: tcp/198.18.60.100:80
            servers: [{server: 198.18.60.21:80, forward: route}]
        ha:
          instance: {{instance}}
          interface: {{iface}}
          router-id: 61
          nodes:
            - {name: lb1, address: 198.18.60.11, priority: 150}
            - {name: lb2, address: 198.18.60.12, priority: 100}
        {{extra}}
        """;

    private static void AddInterface(TestNamespace ns)
    {
        ns.Exec("ip", "link", "add", "eth0", "type", "dummy").EnsureSuccess();
        ns.Exec("ip", "addr", "add", "198.18.60.11/24", "dev", "eth0").EnsureSuccess();
        ns.Exec("ip", "link", "set", "eth0", "up").EnsureSuccess();
    }

    [Fact]
    public void Care_WithAnUnknownInterface_IsRefusedWithItsPosition_AndNothingChanges()
    {
        KernelLab.Require();
        using var ns = new TestNamespace();
        using var cli = new IpvsCli(ns);
        var file = cli.Write("pair.yaml", File(Instance(), iface: "eth9"));

        var run = ns.Exec(TestPaths.IpvsBinary, "care", "-f", file, "--ha-node", "lb1");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains($"{file}:6:14: error: ha interface 'eth9' does not exist on this host (its interfaces: ", run.StandardOutput + run.StandardError, StringComparison.Ordinal);
        Assert.Equal(string.Empty, ns.Ipvsadm("-Sn"));
        Assert.Equal(string.Empty, ns.Ipvsadm("-L", "--daemon"));
    }

    [Fact]
    public void ApplyWatch_WithAnUnknownNode_OrInterface_IsRefused_AndNothingChanges()
    {
        KernelLab.Require();
        using var ns = new TestNamespace();
        using var cli = new IpvsCli(ns);
        var file = cli.Write("pair.yaml", File(Instance(), iface: "eth9"));

        var badInterface = ns.Exec(TestPaths.IpvsBinary, "apply", "--watch", "-f", file, "--ha-node", "lb1", "--state-file", cli.StateFile);
        var badNode = ns.Exec(TestPaths.IpvsBinary, "apply", "--watch", "-f", file, "--ha-node", "lb3", "--state-file", cli.StateFile);

        Assert.Equal(2, badInterface.ExitCode);
        Assert.Contains($"{file}:6:14: error: ha interface 'eth9' does not exist on this host", badInterface.StandardError, StringComparison.Ordinal);
        Assert.Contains("the ha section cannot work on this host; nothing was changed", badInterface.StandardError, StringComparison.Ordinal);
        Assert.Equal(2, badNode.ExitCode);
        Assert.Contains("--ha-node lb3 is none of the ha section's nodes (lb1, lb2)", badNode.StandardError, StringComparison.Ordinal);
        Assert.Equal(string.Empty, ns.Ipvsadm("-Sn"));
        Assert.Equal(string.Empty, ns.Ipvsadm("-L", "--daemon"));
    }

    [Fact]
    public void Apply_WithAVirtualAddressOfNoService_IsRefusedWithItsPosition()
    {
        KernelLab.Require();
        using var ns = new TestNamespace();
        AddInterface(ns);
        using var cli = new IpvsCli(ns);
        var file = cli.Write("pair.yaml", File(Instance(), extra: "  virtual-addresses: [198.18.60.101]"));

        var run = ns.Exec(TestPaths.IpvsBinary, "apply", "-f", file, "--state-file", cli.StateFile);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains($"{file}:11:23: error: virtual address 198.18.60.101 is none of the services' addresses", run.StandardError, StringComparison.Ordinal);
        Assert.Equal(string.Empty, ns.Ipvsadm("-Sn"));
    }

    [Fact]
    public async Task ApplyWatch_RunsBothSyncDaemons_SetsTheTunables_FollowsTheRoleAtOnce_AndServesTheStatus()
    {
        KernelLab.Require();
        using var ns = new TestNamespace();
        AddInterface(ns);
        using var cli = new IpvsCli(ns);
        var instance = Instance();
        var file = cli.Write("pair.yaml", File(instance, extra: "  rejoin-delay: 3s"));
        using var watch = BackgroundProcess.Start("ip", ["netns", "exec", ns.Name, TestPaths.IpvsBinary, "apply", "--watch", "-f", file, "--ha-node", "lb1", "--state-file", cli.StateFile, "--resync", "1h"]);
        try
        {
            watch.WaitForLine(l => l.Contains("ha: status on http://198.18.60.11:9107/ha", StringComparison.Ordinal), TimeSpan.FromSeconds(60));
            await WaitAsync(() => ns.Ipvsadm("-Sn").Contains("-r 198.18.60.21:80 -g -w 1", StringComparison.Ordinal), "the services", watch);

            // Both daemons, with the router id as sync id, and the tunables that keep slow connections synced.
            var daemons = ns.Ipvsadm("-L", "--daemon");
            Assert.Contains("master sync daemon (mcast=eth0, syncid=61", daemons, StringComparison.Ordinal);
            Assert.Contains("backup sync daemon (mcast=eth0, syncid=61", daemons, StringComparison.Ordinal);
            Assert.Equal("3\t0", ns.Exec("cat", "/proc/sys/net/ipv4/vs/sync_threshold").EnsureSuccess().StandardOutput.Trim());
            Assert.Equal("1", ns.Exec("cat", "/proc/sys/net/ipv4/vs/sync_refresh_period").EnsureSuccess().StandardOutput.Trim());

            // The backup daemon was just started: the priority is held at the floor, then released.
            var track = $"/run/ipvs/ha-{instance}-lb1.track";
            Assert.Equal("3", System.IO.File.ReadAllText(track).Trim());
            watch.WaitForLine(l => l.Contains("ha: every service is up: priority 150", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
            Assert.Equal("0", System.IO.File.ReadAllText(track).Trim());

            // keepalived's notify hook: the daemon logs the role at once, not at its next pass (1h away).
            var notified = Stopwatch.StartNew();
            ns.Exec(TestPaths.IpvsBinary, "ha", "notify", "--node", "lb1", "--instance", instance, "INSTANCE", instance, "MASTER", "150").EnsureSuccess();
            watch.WaitForLine(l => l.Contains("ha: role MASTER (priority 150", StringComparison.Ordinal), TimeSpan.FromSeconds(10));
            Assert.True(notified.Elapsed < TimeSpan.FromSeconds(4), $"the role reached the daemon after {notified.Elapsed}");

            // Someone stops a sync daemon: put back by the next repair (every 5 s).
            ns.Ipvsadm("--stop-daemon", "backup");
            watch.WaitForLine(l => l.Contains("ha: repaired: started the backup sync daemon", StringComparison.Ordinal), TimeSpan.FromSeconds(30));

            // The status, from this node's daemon; the peer (no daemon there) is reported unreachable.
            var status = ns.Exec(TestPaths.IpvsBinary, "ha", "status", "-f", file, "--node", "lb1", "-o", "json").EnsureSuccess().StandardOutput;
            using var document = JsonDocument.Parse(status);
            var nodes = document.RootElement.GetProperty("nodes");
            var self = nodes[0];
            Assert.Equal("lb1", self.GetProperty("node").GetString());
            Assert.Equal("MASTER", self.GetProperty("role").GetString());
            Assert.Equal(150, self.GetProperty("effective_priority").GetInt32());
            Assert.Equal(2, self.GetProperty("sync_daemons").GetArrayLength());
            Assert.Equal(watch.Id, self.GetProperty("pid").GetInt32()); // ip netns exec execs the binary
            Assert.Equal("lb2", nodes[1].GetProperty("node").GetString());
            Assert.Contains("198.18.60.12:9107", nodes[1].GetProperty("problem").GetString(), StringComparison.Ordinal);

            // The daemon's own endpoint answers GET /ha and /metrics.
            var metrics = ns.Exec("curl", "-sS", "--max-time", "5", "http://198.18.60.11:9107/metrics").EnsureSuccess().StandardOutput;
            Assert.Contains($"ipvs_ha_role{{instance_name=\"{instance}\",node=\"lb1\",role=\"master\"}} 1", metrics, StringComparison.Ordinal);
            Assert.Contains($"ipvs_ha_sync_daemon_running{{instance_name=\"{instance}\",node=\"lb1\",state=\"backup\"}} 1", metrics, StringComparison.Ordinal);

            // A table status: role, priority, both daemons.
            var table = ns.Exec(TestPaths.IpvsBinary, "ha", "status", "-f", file, "--node", "lb1").EnsureSuccess().StandardOutput;
            Assert.Matches(@"lb1 +198\.18\.60\.11 +MASTER +\S+ ago +150 +master\+backup", table);
        }
        finally
        {
            watch.Signal(BackgroundProcess.SIGTERM);
            Assert.True(watch.WaitForExit(TimeSpan.FromSeconds(30)), "ipvs apply --watch did not stop on SIGTERM");
        }

        Assert.False(System.IO.File.Exists($"/run/ipvs/ha-{instance}-lb1.status.json"), "the status file outlived its daemon");
        // The sync daemons stay, as the rules do: the standby keeps receiving while ipvs restarts.
        Assert.Contains("backup sync daemon", ns.Ipvsadm("-L", "--daemon"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SyncOff_StopsTheDaemonsItFinds()
    {
        KernelLab.Require();
        using var ns = new TestNamespace();
        AddInterface(ns);
        using var cli = new IpvsCli(ns);
        ns.Ipvsadm("--start-daemon", "master", "--mcast-interface", "eth0", "--syncid", "61");
        ns.Ipvsadm("--start-daemon", "backup", "--mcast-interface", "eth0", "--syncid", "61");
        var file = cli.Write("pair.yaml", File(Instance(), extra: "  sync: {enabled: false}\n  status-port: 0"));
        using var watch = BackgroundProcess.Start("ip", ["netns", "exec", ns.Name, TestPaths.IpvsBinary, "apply", "--watch", "-f", file, "--ha-node", "lb1", "--state-file", cli.StateFile]);
        try
        {
            await WaitAsync(() => ns.Ipvsadm("-L", "--daemon").Length == 0, "the sync daemons to stop", watch);
            Assert.Contains("ha: stopped the master sync daemon (interface eth0, sync id 61)", watch.Output, StringComparison.Ordinal);
        }
        finally
        {
            watch.Signal(BackgroundProcess.SIGTERM);
            watch.WaitForExit(TimeSpan.FromSeconds(30));
        }
    }

    private static async Task WaitAsync(Func<bool> condition, string what, BackgroundProcess process)
    {
        var elapsed = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.False(process.HasExited, $"the daemon exited while waiting for {what}:\n{process.Tail(30)}");
            Assert.True(elapsed.Elapsed < TimeSpan.FromSeconds(60), $"no {what} after 60 s:\n{process.Tail(30)}");
            await Task.Delay(200, TestContext.Current.CancellationToken);
        }
    }
}
