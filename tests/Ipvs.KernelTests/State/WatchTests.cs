using System.Diagnostics;
using System.Text;
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
        var start = new ProcessStartInfo(TestPaths.IpvsBinary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "apply", "--watch", "-f", file, "--resync", "1s", "--state-file", cli.StateFile, "--netns", ns.Name })
        {
            start.ArgumentList.Add(argument);
        }

        var log = new StringBuilder();
        using var process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await WaitForAsync(() => ns.Ipvsadm("-Sn") == "-A -t 198.18.0.1:80 -s wlc\n-a -t 198.18.0.1:80 -r 198.18.1.1:80 -m -w 1\n", "the first apply", log);

            // A second apply on the same namespace is refused while the watch runs.
            var second = cli.Apply(file);
            Assert.Equal(2, second.ExitCode);
            Assert.Contains($"another 'ipvs apply' (pid {process.Id}) is working on this namespace", second.StandardError, StringComparison.Ordinal);

            // Someone deletes the service behind its back: the next resync puts it back.
            ns.Ipvsadm("-D", "-t", "198.18.0.1:80");
            await WaitForAsync(() => ns.Ipvsadm("-Sn").Contains("198.18.1.1:80", StringComparison.Ordinal), "the drift repair", log);

            // Someone changes a weight: repaired too.
            ns.Ipvsadm("-e", "-t", "198.18.0.1:80", "-r", "198.18.1.1:80", "-m", "-w", "7");
            await WaitForAsync(() => ns.Ipvsadm("-Sn").Contains("-m -w 1", StringComparison.Ordinal), "the weight repair", log);

            // The file changes: applied without waiting for a resync.
            File.WriteAllText(file, "services:\n  - service: tcp/198.18.0.1:80\n    scheduler: rr\n    servers: [198.18.1.1, 198.18.1.2]\n");
            await WaitForAsync(() => ns.Ipvsadm("-Sn") == "-A -t 198.18.0.1:80 -s rr\n-a -t 198.18.0.1:80 -r 198.18.1.1:80 -m -w 1\n-a -t 198.18.0.1:80 -r 198.18.1.2:80 -m -w 1\n", "the file change", log);

            // An invalid file is reported and the last valid configuration stays in force.
            File.WriteAllText(file, "services:\n  - service: tcp/198.18.0.1:80\n    scheduler: nope\n");
            await WaitForAsync(() => Text(log).Contains(":3:16: error: unknown scheduler 'nope'", StringComparison.Ordinal), "the error report", log);
            ns.Ipvsadm("-d", "-t", "198.18.0.1:80", "-r", "198.18.1.2:80");
            await WaitForAsync(() => ns.Ipvsadm("-Sn").Contains("198.18.1.2:80", StringComparison.Ordinal), "the repair under the last valid file", log);

            HostCommand.Check("kill", "-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Assert.True(process.WaitForExit(TimeSpan.FromSeconds(30)), "ipvs apply --watch did not stop on SIGTERM");
            process.WaitForExit();
            Assert.Equal(0, process.ExitCode);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill();
            }
        }

        var text = Text(log);
        Assert.Contains("watching " + file, text, StringComparison.Ordinal);
        Assert.Contains("+ service tcp/198.18.0.1:80 scheduler=wlc", text, StringComparison.Ordinal);
        Assert.Contains("~ server tcp/198.18.0.1:80 198.18.1.1:80 weight 7 -> 1", text, StringComparison.Ordinal);
        Assert.Contains("the file changed: 1 services, 2 real servers", text, StringComparison.Ordinal);
        Assert.Contains("the file is not valid; keeping the last valid configuration", text, StringComparison.Ordinal);
        Assert.Contains("stopped", text, StringComparison.Ordinal);
    }

    private static string Text(StringBuilder log)
    {
        lock (log)
        {
            return log.ToString();
        }
    }

    private static async Task WaitForAsync(Func<bool> condition, string what, StringBuilder log)
    {
        var watch = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(60), $"timed out waiting for {what}; log:\n{Text(log)}");
            await Task.Delay(200, TestContext.Current.CancellationToken);
        }
    }
}
