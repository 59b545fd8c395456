using Ipvs.Testing;

namespace Ipvs.KernelTests.Care;

/// <summary>
/// <c>ipvs care -f</c> with keepalived-style checks, from the native binary, against TCP real
/// servers in namespaces: two services naming the same servers share one check per server; a
/// stopped server is removed from both within interval + retry × delay-before-retry (+ the lab's
/// slowness), its on-down script runs with its arguments, and it is added back after one pass.
/// </summary>
[Collection(CareTimingCollection.Name)]
public sealed class CareChecksTests
{
    private const double Interval = 1.0;
    private const double DelayBeforeRetry = 1.0;
    private const int Retry = 1;
    private const double Tolerance = 2.5; // a Python server's start, a slow guest's process and log line
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(60);

    [Fact]
    public void TcpChecks_SharedByTwoServices_AStoppedServerIsRemovedAfterItsRetries_ThenBack()
    {
        KernelLab.Require();
        using var lab = new CareLab(3);
        for (var i = 1; i <= 3; i++)
        {
            lab.StartServer(i, "tcp", 80);
        }

        var marker = Path.Combine(lab.Directory_, "rs2-down");
        var file = Path.Combine(lab.Directory_, "care.yaml");
        var checks = $"[{{type: tcp, timeout: 1s, retry: {Retry}, delay-before-retry: 1s, warmup: 0s}}]";
        File.WriteAllText(file, $"""
            services:
              - service: tcp/198.18.200.1:80
                scheduler: wrr
                servers: [198.18.1.2:80, 198.18.2.2:80, {"{"}server: 198.18.3.2:80, weight: 2{"}"}]
                health:
                  interval: 1s
                  checks: {checks}
                  servers:
                    198.18.2.2:80:
                      on-down: {"{"}run: [/usr/bin/touch, "{marker}"], timeout: 5s{"}"}
              - service: tcp/198.18.200.1:8080
                scheduler: rr
                servers: [198.18.1.2:80, 198.18.2.2:80, {"{"}server: 198.18.3.2:80, weight: 2{"}"}]
                health:
                  interval: 1s
                  checks: {checks}
            """);
        using var care = lab.StartCare(["-f", file, "--metrics-address", "127.0.0.1:9100"]);
        care.WaitForLine(l => l.Contains("care started services=2", StringComparison.Ordinal), s_wait);
        const string All =
            "-A -t 198.18.200.1:80 -s wrr\n-a -t 198.18.200.1:80 -r 198.18.1.2:80 -m -w 1\n-a -t 198.18.200.1:80 -r 198.18.2.2:80 -m -w 1\n-a -t 198.18.200.1:80 -r 198.18.3.2:80 -m -w 2\n"
            + "-A -t 198.18.200.1:8080 -s rr\n-a -t 198.18.200.1:8080 -r 198.18.1.2:80 -m -w 1\n-a -t 198.18.200.1:8080 -r 198.18.2.2:80 -m -w 1\n-a -t 198.18.200.1:8080 -r 198.18.3.2:80 -m -w 2\n";
        Assert.Equal(All, lab.Ipvsadm("-Sn"));

        // Two services, three servers, one check each: three runners, not six.
        var metrics = WaitFor(() => Metrics(lab), m => m.Contains("ipvs_care_check_runners 3", StringComparison.Ordinal));
        Assert.Contains("ipvs_care_service_quorum{service=\"tcp/198.18.200.1:80\"} 1", metrics, StringComparison.Ordinal);

        // Control: every server passes before anything is stopped.
        care.WaitForLine(l => l.Contains("tcp check of 198.18.2.2:80 passed", StringComparison.Ordinal), s_wait);
        Assert.False(File.Exists(marker));

        // Stop rs2: after a failed attempt and its retry (delay-before-retry apart) it goes from both services.
        var killed = lab.KillServer(2);
        var removed80 = care.WaitForLine(l => l.Contains("removed real server 198.18.2.2:80", StringComparison.Ordinal) && l.Contains("service=tcp/198.18.200.1:80 ", StringComparison.Ordinal), s_wait);
        var removed8080 = care.WaitForLine(l => l.Contains("removed real server 198.18.2.2:80", StringComparison.Ordinal) && l.Contains("service=tcp/198.18.200.1:8080", StringComparison.Ordinal), s_wait);
        var window = Interval + (Retry * DelayBeforeRetry) + Tolerance;
        foreach (var removed in new[] { removed80, removed8080 })
        {
            var seconds = (removed.At - killed).TotalSeconds;
            Assert.True(seconds <= window, $"removed {seconds:0.00} s after the kill, expected within {window} s\n{care.Tail(30)}");
        }

        // The retry is waited for: the removal is at least delay-before-retry after the failure log line of the check.
        var failed = care.WaitForLine(l => l.Contains("tcp check of 198.18.2.2:80 failed after 1 retry", StringComparison.Ordinal), s_wait);
        Assert.True(failed.At <= removed80.At);
        Assert.Equal(All.Replace("-a -t 198.18.200.1:80 -r 198.18.2.2:80 -m -w 1\n", string.Empty, StringComparison.Ordinal).Replace("-a -t 198.18.200.1:8080 -r 198.18.2.2:80 -m -w 1\n", string.Empty, StringComparison.Ordinal), lab.Ipvsadm("-Sn"));
        WaitFor(() => File.Exists(marker).ToString(), s => s == bool.TrueString);
        Assert.Contains("ipvs_care_check_transitions_total{service=\"tcp/198.18.200.1:80\",server=\"198.18.2.2:80\",check=\"tcp\",result=\"down\"} 1", Metrics(lab), StringComparison.Ordinal);

        // Back: one pass adds it to both, with its weight.
        lab.StartServer(2, "tcp", 80);
        var restarted = DateTimeOffset.UtcNow;
        care.WaitForLine(l => l.Contains("added real server 198.18.2.2:80", StringComparison.Ordinal) && l.Contains("service=tcp/198.18.200.1:8080", StringComparison.Ordinal), s_wait);
        var added = care.WaitForLine(l => l.Contains("added real server 198.18.2.2:80", StringComparison.Ordinal) && l.Contains("service=tcp/198.18.200.1:80 ", StringComparison.Ordinal), s_wait);
        Assert.True((added.At - restarted).TotalSeconds <= Interval + (Retry * DelayBeforeRetry) + 1 + Tolerance, care.Tail(30));
        WaitFor(() => lab.Ipvsadm("-Sn"), s => s == All);
    }

    private static string Metrics(CareLab lab) =>
        lab.Director.Exec("curl", "-s", "http://127.0.0.1:9100/metrics").StandardOutput;

    private static string WaitFor(Func<string> read, Func<string, bool> done)
    {
        var deadline = DateTimeOffset.UtcNow + s_wait;
        while (true)
        {
            var value = read();
            if (done(value))
            {
                return value;
            }

            Assert.True(DateTimeOffset.UtcNow < deadline, "not reached in time; last:\n" + value);
            Thread.Sleep(100);
        }
    }
}
