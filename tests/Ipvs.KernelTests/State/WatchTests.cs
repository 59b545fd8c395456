using System.Diagnostics;
using Ipvs.KernelTests.Care;
using Ipvs.Testing;

namespace Ipvs.KernelTests.State;

/// <summary>ipvs apply --watch from the native binary: drift repair and file changes.</summary>
public sealed class WatchTests
{
    [Fact]
    public async Task Watch_RepairsDrift_AppliesFileChanges_AndStopsOnSigterm()
    {
        KernelLab.Require();
        using var ns = new TestNamespace();
        using var cli = new IpvsCli(ns);
        var file = cli.Write("services.yaml", "services:\n  - service: tcp/198.18.0.1:80\n    servers: [198.18.1.1]\n");
        using var watch = StartWatch(cli, ns, file, "1s");
        await WaitForAsync(() => ns.Ipvsadm("-Sn") == "-A -t 198.18.0.1:80 -s wlc\n-a -t 198.18.0.1:80 -r 198.18.1.1:80 -m -w 1\n", "the first apply", watch);

        // A second apply on the same namespace is refused while the watch runs.
        var second = cli.Apply(file);
        Assert.Equal(2, second.ExitCode);
        Assert.Contains($"another 'ipvs apply' (pid {watch.Id}) is working on this namespace", second.StandardError, StringComparison.Ordinal);

        // Someone deletes the service behind its back: the next resync puts it back.
        ns.Ipvsadm("-D", "-t", "198.18.0.1:80");
        await WaitForAsync(() => ns.Ipvsadm("-Sn").Contains("198.18.1.1:80", StringComparison.Ordinal), "the drift repair", watch);

        // Someone changes a weight: repaired too.
        ns.Ipvsadm("-e", "-t", "198.18.0.1:80", "-r", "198.18.1.1:80", "-m", "-w", "7");
        await WaitForAsync(() => ns.Ipvsadm("-Sn").Contains("-m -w 1", StringComparison.Ordinal), "the weight repair", watch);

        // The file changes: applied without waiting for a resync.
        File.WriteAllText(file, "services:\n  - service: tcp/198.18.0.1:80\n    scheduler: rr\n    servers: [198.18.1.1, 198.18.1.2]\n");
        await WaitForAsync(() => ns.Ipvsadm("-Sn") == "-A -t 198.18.0.1:80 -s rr\n-a -t 198.18.0.1:80 -r 198.18.1.1:80 -m -w 1\n-a -t 198.18.0.1:80 -r 198.18.1.2:80 -m -w 1\n", "the file change", watch);

        // An invalid file is reported and the last valid configuration stays in force.
        File.WriteAllText(file, "services:\n  - service: tcp/198.18.0.1:80\n    scheduler: nope\n");
        watch.WaitForLine(l => l.Contains(":3:16: error: unknown scheduler 'nope'", StringComparison.Ordinal), TimeSpan.FromSeconds(60));
        ns.Ipvsadm("-d", "-t", "198.18.0.1:80", "-r", "198.18.1.2:80");
        await WaitForAsync(() => ns.Ipvsadm("-Sn").Contains("198.18.1.2:80", StringComparison.Ordinal), "the repair under the last valid file", watch);

        Stop(watch);

        var text = watch.Output;
        Assert.Contains("watching " + file, text, StringComparison.Ordinal);
        Assert.Contains("+ service tcp/198.18.0.1:80 scheduler=wlc", text, StringComparison.Ordinal);
        Assert.Contains("~ server tcp/198.18.0.1:80 198.18.1.1:80 weight 7 -> 1", text, StringComparison.Ordinal);
        Assert.Contains("the file changed: 1 services, 2 real servers", text, StringComparison.Ordinal);
        Assert.Contains("the file is not valid; keeping the last valid configuration", text, StringComparison.Ordinal);
        Assert.Contains("stopped", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Watch_OfAJsonFile_AppliesEachChange_AsExportWritesIt()
    {
        KernelLab.Require();
        using var ns = new TestNamespace();
        using var cli = new IpvsCli(ns);

        // The file as `ipvs export -o json` writes it; edits that move later services down.
        static string Json(string first, string second, string third) =>
            "{\n  \"version\": 1,\n  \"services\": [\n" + first + ",\n" + second + ",\n" + third + "\n  ]\n}\n";
        static string Service(string key, string scheduler, params string[] servers) =>
            $"    {{\n      \"service\": \"{key}\",\n      \"scheduler\": \"{scheduler}\",\n      \"servers\": [\n" + string.Join(",\n", servers.Select(s => "        " + s)) + "\n      ]\n    }";
        static string Weighted(string server, int weight) => $"{{\n          \"server\": \"{server}\",\n          \"weight\": {weight}\n        }}";

        var a = Service("tcp/198.18.0.1:80", "wlc", "\"198.18.1.1:80\"");
        var b = Service("tcp/198.18.0.2:80", "wlc", "\"198.18.1.2:80\"");
        var c = Service("tcp/198.18.0.3:80", "wlc", "\"198.18.1.3:80\"");
        var file = cli.Write("services.json", Json(a, b, c));
        using var watch = StartWatch(cli, ns, file, "1h");
        watch.WaitForLine(l => l.Contains("first pass done in ", StringComparison.Ordinal), TimeSpan.FromSeconds(60));
        Assert.Equal(3, ns.Ipvsadm("-Sn").Split('\n').Count(l => l.StartsWith("-a ", StringComparison.Ordinal)));

        // The second service's server becomes a four-line object: the third moves down.
        var weighted = Service("tcp/198.18.0.2:80", "wlc", Weighted("198.18.1.2:80", 3));
        File.WriteAllText(file, Json(a, weighted, c));
        await WaitForAsync(() => ns.Ipvsadm("-Sn").Contains("-r 198.18.1.2:80 -m -w 3", StringComparison.Ordinal), "the weight change", watch);

        // Then the moved third service changes, then the first.
        File.WriteAllText(file, Json(a, weighted, Service("tcp/198.18.0.3:80", "rr", "\"198.18.1.3:80\"", "\"198.18.1.4:80\"")));
        await WaitForAsync(() => ns.Ipvsadm("-Sn").Contains("-a -t 198.18.0.3:80 -r 198.18.1.4:80 -m -w 1", StringComparison.Ordinal), "the change of the moved service", watch);
        File.WriteAllText(file, Json(Service("tcp/198.18.0.1:80", "sh", "\"198.18.1.1:80\""), weighted, Service("tcp/198.18.0.3:80", "rr", "\"198.18.1.3:80\"", "\"198.18.1.4:80\"")));
        await WaitForAsync(() => ns.Ipvsadm("-Sn").Contains("-A -t 198.18.0.1:80 -s sh", StringComparison.Ordinal), "the change of the first service", watch);

        Assert.Equal(
            "-A -t 198.18.0.1:80 -s sh\n-a -t 198.18.0.1:80 -r 198.18.1.1:80 -m -w 1\n"
            + "-A -t 198.18.0.2:80 -s wlc\n-a -t 198.18.0.2:80 -r 198.18.1.2:80 -m -w 3\n"
            + "-A -t 198.18.0.3:80 -s rr\n-a -t 198.18.0.3:80 -r 198.18.1.3:80 -m -w 1\n-a -t 198.18.0.3:80 -r 198.18.1.4:80 -m -w 1\n",
            ns.Ipvsadm("-Sn"));

        // An error in the moved service names its line in the latest version.
        File.WriteAllText(file, Json(Service("tcp/198.18.0.1:80", "sh", "\"198.18.1.1:80\""), weighted, Service("tcp/198.18.0.3:80", "nope", "\"198.18.1.3:80\"")));
        watch.WaitForLine(l => l.Contains("services.json:23:20: error: unknown scheduler 'nope'", StringComparison.Ordinal), TimeSpan.FromSeconds(60));

        Stop(watch);

        // Each change planned only what changed: one weight edit, an edit and an add, one edit.
        var applied = watch.Output.Split('\n').Where(l => l.Contains("file change applied in ", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, applied.Count);
        Assert.Contains(": 1 changes (", applied[0], StringComparison.Ordinal);
        Assert.Contains(": 2 changes (", applied[1], StringComparison.Ordinal);
        Assert.Contains(": 1 changes (", applied[2], StringComparison.Ordinal);
    }

    private static BackgroundProcess StartWatch(IpvsCli cli, TestNamespace ns, string file, string resync) =>
        BackgroundProcess.Start(TestPaths.IpvsBinary, ["apply", "--watch", "-f", file, "--resync", resync, "--state-file", cli.StateFile, "--netns", ns.Name]);

    private static void Stop(BackgroundProcess watch)
    {
        watch.Signal(BackgroundProcess.SIGTERM);
        Assert.True(watch.WaitForExit(TimeSpan.FromSeconds(30)), "ipvs apply --watch did not stop on SIGTERM");
        Assert.Equal(0, watch.ExitCode);
    }

    private static async Task WaitForAsync(Func<bool> condition, string what, BackgroundProcess watch)
    {
        var elapsed = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(elapsed.Elapsed < TimeSpan.FromSeconds(60), $"timed out waiting for {what}; log:\n{watch.Tail(60)}");
            await Task.Delay(200, TestContext.Current.CancellationToken);
        }
    }
}
