using System.Text.Json;
using Ipvs.Testing;

namespace Ipvs.KernelTests.Ha;

/// <summary>
/// A highly available pair of LVS-DR directors, proven with real traffic: lb1 and lb2 each run
/// keepalived (configured by <c>ipvs ha keepalived-config</c>) and <c>ipvs care -f FILE --ha-node</c>;
/// two echo real servers answer a client that holds 20 fast and 5 slow streams through the virtual
/// address, opened on both sides of every transition, and opens a new connection every 100 ms.
/// lb1 fails five ways (link down, kill -9, SIGTERM, loss of every real server; and the link again
/// with sync off as the control) and comes back each time.
/// </summary>
/// <remarks>
/// The scenarios are driven by lab/ha/run (Python: in the lab each exec costs 0.1-0.5 s, and the
/// driver forks its servers, client and address monitor instead), once for the whole class; each
/// test reads what it needs from its result.json and asserts on the raw measurements (times,
/// every line of every stream, every connection), not on the driver's own verdicts.
/// </remarks>
[Collection(HaTimingCollection.Name)]
public sealed class HaPairTests(HaPairRun run)
    : IClassFixture<HaPairRun>
{
    private const double Advert = 1.0;
    private const double FailoverLimit = 4.0; // at advert 1 s: 3 adverts + skew (0.6 s) + detection

    // A returning director is held at the lowest priority until it has the peer's connections
    // (ha.rejoin-delay, 10 s by default, after FAULT or after its sync daemons were started), then
    // preempts after 3 adverts + skew.
    private const double FailbackLimit = 20.0;

    // Once lb1's ipvs wrote the lower priority: lb2 discards lb1's (now lower) adverts until its
    // master-down timer expires, 3 adverts + skew.
    private const double HealthTakeoverLimit = FailoverLimit + 1.0;
    private const double ProbeTimeout = 2.0; // the driver's --probe-timeout
    // A connection started just before the VIP moved may still fail; on a loaded machine (the lab at
    // half speed) the gratuitous ARP and the address monitor lag by up to a second more.
    private const double WindowGrace = 2.0;

    private static readonly string[] s_synced = ["link", "kill", "stop", "health"];

    [Fact]
    public void Failover_MovesTheVirtualAddressToTheBackupWithinFourSeconds_AndFailbackReturnsIt()
    {
        var result = run.Result();
        foreach (var kind in new[] { "link", "kill", "stop", "nosync" })
        {
            var s = result.Scenario(kind);
            var failover = s.Get("failover");
            var seconds = failover.Get("seconds").GetDouble();
            Assert.True(seconds > 0 && seconds <= FailoverLimit * Advert,
                $"{kind}: the VIP reached lb2 {seconds:0.00} s after the event (limit {FailoverLimit} s)\n{run.Log}");

            // After the failover lb2 holds the VIP and forwards; lb1 forwards nothing.
            var after = s.Step("failover");
            Assert.Contains("lb2", after.Strings("holders"));
            Assert.True(after.Get("forwarding_now").Get("lb2").GetInt32() > 0, $"{kind}: lb2 forwarded nothing after the failover");
            Assert.Equal(0, after.Get("forwarding_now").Get("lb1").GetInt32());

            // Failback: lb1 takes it back (it has the higher priority) and alone forwards.
            var failback = s.Get("failback").Get("seconds").GetDouble();
            Assert.True(failback <= FailbackLimit, $"{kind}: failback took {failback:0.00} s\n{run.Log}");
            var back = s.Step("failback");
            Assert.Equal(new[] { "lb1" }, back.Strings("holders"));
            Assert.True(back.Get("forwarding_now").Get("lb1").GetInt32() > 0, $"{kind}: lb1 forwarded nothing after the failback");
            Assert.Equal(0, back.Get("forwarding_now").Get("lb2").GetInt32());
            Assert.Equal("MASTER", back.Get("roles").Get("lb1").GetString());
            Assert.Equal("BACKUP", back.Get("roles").Get("lb2").GetString());
        }
    }

    [Fact]
    public void EstablishedStreams_FastAndSlow_SurviveFailoverAndFailback_WithNoLineLost()
    {
        var result = run.Result();
        foreach (var kind in s_synced)
        {
            var s = result.Scenario(kind);
            var streams = s.Get("streams").EnumerateArray().ToList();
            foreach (var (group, fast, slow) in new[] { ("before", 10, 3), ("during", 10, 2) })
            {
                var members = streams.Where(x => x.Get("group").GetString()!.EndsWith("/" + group, StringComparison.Ordinal)).ToList();
                Assert.Equal(fast, members.Count(x => x.Get("kind").GetString() == "fast"));
                Assert.Equal(slow, members.Count(x => x.Get("kind").GetString() == "slow"));
                Assert.Equal(new[] { "rs1", "rs2" }, members.Select(x => x.Get("served_by").GetString()!).Distinct().Order(StringComparer.Ordinal));
            }

            foreach (var x in streams)
            {
                var what = $"{kind}: stream s{x.Get("id")} ({x.Get("group")}, {x.Get("kind")}, served by {x.Get("served_by")})";
                Assert.True(x.Get("state").GetString() == "closed",
                    $"{what} ended {x.Get("state")}: {x.Get("reason")} {x.Get("error")}\n{run.Log}");
                Assert.Equal(0, x.Get("lost").GetInt32());
                Assert.Equal(x.Get("sent").GetInt32(), x.Get("echoed").GetInt32());

                // It really ran across the transitions: opened before the failback, closed after it.
                var minimum = x.Get("kind").GetString() == "fast" ? 100 : 5;
                Assert.True(x.Get("sent").GetInt32() >= minimum, $"{what} sent only {x.Get("sent")} lines");
                Assert.True(x.Get("opened").GetDouble() < s.Get("failback").Get("t_event").GetDouble(), $"{what} opened after the failback");
                var early = x.Get("group").GetString()!.EndsWith("/before", StringComparison.Ordinal);
                Assert.True(!early || x.Get("opened").GetDouble() < s.Get("failover").Get("t_event").GetDouble(), $"{what} opened after the failover");
            }
        }

        // A link failure stalls the established streams until the VIP moves and TCP retransmits
        // (not a reset): the stall shows that they did cross the failover through lb2.
        var link = result.Scenario("link");
        var stall = link.Get("stream_summary").Get("before").Get("max_gap_fast").GetDouble();
        Assert.InRange(stall, 1.0, 15.0);
    }

    [Fact]
    public void NewConnections_FailOnlyInsideTheFailoverAndFailbackWindows()
    {
        var result = run.Result();
        foreach (var s in result.Scenarios)
        {
            var kind = s.Get("kind").GetString();
            var failover = s.Get("failover");
            var failback = s.Get("failback");
            var tEvent = failover.Get("t_event").GetDouble();
            var tVip = failover.Get("t_vip").GetDouble();
            var backVip = failback.Get("t_vip").GetDouble();
            var backStart = failback.Get("lb2_dropped").ValueKind == JsonValueKind.Number
                ? Math.Min(backVip, failback.Get("t_event").GetDouble() + failback.Get("lb2_dropped").GetDouble())
                : backVip;
            var probes = s.Get("connections").Get("all").EnumerateArray()
                .Select(p => (Start: p[0].GetDouble(), End: p[1].GetDouble(), Ok: p[2].GetBoolean(), Reason: p[3].GetString()))
                .ToList();
            Assert.True(probes.Count > 200, $"{kind}: only {probes.Count} connections");
            foreach (var p in probes.Where(p => !p.Ok))
            {
                var inFailover = p.Start >= tEvent - ProbeTimeout && p.Start <= tVip + WindowGrace;
                var inFailback = p.Start >= backStart - ProbeTimeout && p.Start <= backVip + WindowGrace;
                Assert.True(inFailover || inFailback,
                    $"{kind}: a connection started {p.Start - tEvent:0.00} s after the event failed ({p.Reason}); the VIP moved at {tVip - tEvent:0.00} s " +
                    $"and back at {backVip - tEvent:0.00} s\n{run.Log}");
            }

            // Connections work again right after the VIP moved, and after it came back.
            Assert.Contains(probes, p => p.Ok && p.Start > tVip + WindowGrace && p.Start < failback.Get("t_event").GetDouble());
            Assert.Contains(probes, p => p.Ok && p.Start > backVip + WindowGrace);
            Assert.All(probes.Where(p => p.Start > backVip + WindowGrace), p => Assert.True(p.Ok, $"{kind}: failed after the failback: {p}"));
        }

        // The control for this test: a link failure does make new connections fail until the VIP moves.
        Assert.True(result.Scenario("link").Get("connections").Get("failed_failover").GetInt32() > 0, "no connection failed while the VIP was moving");
    }

    [Fact]
    public void HealthLoss_LowersTheMastersPriority_TheBackupTakesOver_AndTrafficKeepsFlowing()
    {
        var result = run.Result();
        var s = result.Scenario("health");
        var failover = s.Get("failover");
        var fail = failover.Get("event");

        // lb1's ipvs saw both real servers fail and wrote the track file (priority 150 - 60 < 100).
        Assert.Equal("0", fail.Get("track_before").GetString());
        Assert.Equal("1", fail.Get("track_after").GetString());
        var detected = fail.Get("detected").GetDouble() - failover.Get("t_event").GetDouble();
        Assert.InRange(detected, 0, 2 * 1.0 + 0.5 + 2.5); // fall 2 x interval 1 s + timeout 500 ms + tolerance

        // lb2 takes over after its master-down timer, and it forwards.
        var afterDetection = failover.Get("after_detection").GetDouble();
        Assert.InRange(afterDetection, 0, HealthTakeoverLimit);
        var step = s.Step("failover");
        Assert.Equal(new[] { "lb2" }, step.Strings("holders"));
        Assert.True(step.Get("forwarding_now").Get("lb2").GetInt32() > 0, "lb2 forwards nothing after taking over");
        Assert.Equal("1", step.Get("track").Get("lb1").GetString());
        var lb1 = step.Get("status").Get("lb1").Get("nodes").EnumerateArray().First(n => n.Get("node").GetString() == "lb1");
        Assert.Equal(90, lb1.Get("effective_priority").GetInt32());

        // Streams survived it (checked line by line in the streams test); new connections work via lb2.
        Assert.Equal(13, s.Get("stream_summary").Get("before").Get("survived").GetInt32());
        Assert.Equal(12, s.Get("stream_summary").Get("during").Get("survived").GetInt32());
        var tVip = failover.Get("t_vip").GetDouble();
        var probes = s.Get("connections").Get("all").EnumerateArray().ToList();
        Assert.Contains(probes, p => p[2].GetBoolean() && p[0].GetDouble() > tVip + WindowGrace && p[4].GetString() == "rs1");
        Assert.Contains(probes, p => p[2].GetBoolean() && p[0].GetDouble() > tVip + WindowGrace && p[4].GetString() == "rs2");

        // The routes come back: lb1 is healthy again (track 0), then takes the VIP back.
        Assert.Equal("0", s.Get("failback").Get("event").Get("track_after").GetString());
        Assert.Equal(new[] { "lb1" }, s.Step("failback").Strings("holders"));
    }

    [Fact]
    public void Tables_AreIdenticalOnBothDirectors_AndMatchTheFile_AfterEveryStep()
    {
        var result = run.Result();
        string[] expected =
        [
            "-A -t 198.18.0.100:9000 -s rr",
            "-a -t 198.18.0.100:9000 -r 198.18.0.21:9000 -g -w 1",
            "-a -t 198.18.0.100:9000 -r 198.18.0.22:9000 -g -w 1",
        ];
        var steps = 0;
        foreach (var s in result.Scenarios)
        {
            foreach (var step in s.Get("steps").EnumerateArray())
            {
                var table = step.Get("table");
                foreach (var node in new[] { "lb1", "lb2" })
                {
                    var got = table.Strings(node);
                    Assert.True(got.SequenceEqual(expected, StringComparer.Ordinal),
                        $"{s.Get("name")}, {step.Get("step")}: ipvsadm -Sn on {node} is\n{string.Join('\n', got)}\nnot, as in the file,\n{string.Join('\n', expected)}");
                }

                steps++;
            }
        }

        Assert.Equal(result.Scenarios.Count * 3, steps);
    }

    [Fact]
    public void Control_WithoutSync_TheSameFailoverResetsTheEstablishedStreams()
    {
        var result = run.Result();
        var s = result.Scenario("nosync");
        Assert.False(s.Get("sync").GetBoolean());
        Assert.Contains("sync: {enabled: false}", result.Root.Get("config_nosync").GetString(), StringComparison.Ordinal);
        var tEvent = s.Get("failover").Get("t_event").GetDouble();
        var tVip = s.Get("failover").Get("t_vip").GetDouble();
        var before = s.Get("streams").EnumerateArray().Where(x => x.Get("group").GetString()!.EndsWith("/before", StringComparison.Ordinal)).ToList();
        Assert.Equal(13, before.Count);
        foreach (var x in before)
        {
            // lb2 has no entry for the connection: its own stack answers the next segment with a reset.
            Assert.Equal("reset", x.Get("state").GetString());
            Assert.InRange(x.Get("ended").GetDouble(), tVip, tVip + 15);
            Assert.True(x.Get("echoed").GetInt32() > 0);
        }

        // ... while new connections work through lb2, and the tables were the same: only sync differs.
        var probes = s.Get("connections").Get("all").EnumerateArray().ToList();
        Assert.Contains(probes, p => p[2].GetBoolean() && p[0].GetDouble() > tVip + WindowGrace);
        Assert.True(tVip - tEvent <= FailoverLimit);
        var lb1 = s.Step("before").Get("status").Get("lb1").Get("nodes").EnumerateArray().First(n => n.Get("node").GetString() == "lb1");
        Assert.Equal(0, lb1.Get("sync_daemons").GetArrayLength());
    }
}

/// <summary>The HA scenarios run alone, after every parallel test: their windows are timed.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class HaTimingCollection
{
    public const string Name = "ha timing";
}

/// <summary>One run of lab/ha/run with every scenario, shared by the tests of <see cref="HaPairTests"/>.</summary>
public sealed class HaPairRun : IDisposable
{
    private const string Keepalived = "/usr/sbin/keepalived";
    private readonly Lazy<HaResult> _result;
    private readonly string _directory = Directory.CreateTempSubdirectory("ipvs-ha-pair-").FullName;

    public HaPairRun() => _result = new Lazy<HaResult>(Execute, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The driver's narration (ha.log), for failure messages.</summary>
    public string Log
    {
        get
        {
            var path = Path.Combine(_directory, "ha.log");
            return File.Exists(path) ? "--- lab/ha/run's log ---\n" + File.ReadAllText(path) : "(no ha.log)";
        }
    }

    /// <summary>The run's result; the first caller runs the scenarios (about 4 minutes in the lab).</summary>
    internal HaResult Result()
    {
        KernelLab.Require();
        return _result.Value;
    }

    public void Dispose()
    {
        if (Environment.GetEnvironmentVariable("IPVS_KEEP_HA") is null)
        {
            try
            {
                Directory.Delete(_directory, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private HaResult Execute()
    {
        if (!File.Exists(Keepalived))
        {
            Assert.Fail($"keepalived is not installed ({Keepalived}): the HA pair needs it for VRRP; lab/install-deps installs it.");
        }

        var driver = Path.Combine(TestPaths.Root, "lab", "ha", "run");
        var result = HostCommand.Run(driver, ["--out", _directory, "--quiet", "--ipvs", TestPaths.IpvsBinary, "--keepalived", Keepalived],
            timeout: TimeSpan.FromMinutes(15));
        var json = Path.Combine(_directory, "result.json");
        if (!File.Exists(json) || result.ExitCode == 1)
        {
            Assert.Fail($"lab/ha/run did not finish (exit {result.ExitCode}):\n{result}\n{Log}");
        }

        using var document = JsonDocument.Parse(File.ReadAllText(json));
        if (document.RootElement.TryGetProperty("error", out var error))
        {
            Assert.Fail($"lab/ha/run failed: {error.GetString()}\n{Log}");
        }

        return new HaResult(document.RootElement.Clone());
    }
}

/// <summary>result.json of lab/ha/run.</summary>
internal sealed class HaResult(JsonElement root)
{
    public JsonElement Root { get; } = root;

    public IReadOnlyList<JsonElement> Scenarios { get; } = [.. root.Get("scenarios").EnumerateArray()];

    public JsonElement Scenario(string kind) =>
        Scenarios.FirstOrDefault(s => s.Get("kind").GetString() == kind) is { ValueKind: JsonValueKind.Object } s
            ? s
            : throw new InvalidOperationException($"scenario {kind} is not in the result");
}

internal static class HaJson
{
    public static JsonElement Get(this JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) ? value : throw new KeyNotFoundException($"no '{name}' in {Shorten(element)}");

    public static JsonElement Step(this JsonElement scenario, string step) =>
        scenario.Get("steps").EnumerateArray().First(s => s.Get("step").GetString() == step);

    public static string[] Strings(this JsonElement element, string name) =>
        [.. element.Get(name).EnumerateArray().Select(e => e.GetString()!)];

    private static string Shorten(JsonElement element)
    {
        var text = element.GetRawText();
        return text.Length > 300 ? text[..300] + "..." : text;
    }
}
