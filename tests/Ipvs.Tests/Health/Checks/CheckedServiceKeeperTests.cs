using System.Collections.Concurrent;
using System.Net;
using Ipvs.Health.Checks;
using Ipvs.Model;
using Microsoft.Extensions.Time.Testing;

namespace Ipvs.Tests.Health.Checks;

/// <summary>
/// The keepalived-style keeper over <see cref="InMemoryIpvs"/>, with fake checkers whose answers
/// a test sets and a clock that moves only when told: keepalived's checker timing (bootstrap,
/// warmup, retry, delay-before-retry), alpha, inhibit-on-failure, quorum with hysteresis and a
/// sorry server, dynamic weights, several checks per server, one runner shared by two services,
/// scripts, ha-suspend, and drift repair.
/// </summary>
public sealed class CheckedServiceKeeperTests : IDisposable
{
    private static readonly VirtualService Web = new(VirtualServiceKey.Parse("tcp/198.18.0.1:80")) { Scheduler = "wrr" };
    private static readonly VirtualService Api = new(VirtualServiceKey.Parse("tcp/198.18.0.2:80")) { Scheduler = "wrr" };
    private static readonly RealServer A = new(IPAddress.Parse("198.18.1.1"), 80) { Weight = 2 };
    private static readonly RealServer B = new(IPAddress.Parse("198.18.1.2"), 80) { Weight = 3 };
    private static readonly RealServer Sorry = new(IPAddress.Parse("198.18.1.9"), 80) { Weight = 1 };

    private readonly FakeTimeProvider _time = new();
    private readonly InMemoryIpvs _ipvs = new();
    private readonly FakeCheckers _checkers = new();
    private readonly FakeScripts _scripts = new();
    private readonly CheckHub _hub;
    private readonly List<CheckedServiceKeeper> _keepers = [];

    public CheckedServiceKeeperTests() => _hub = new CheckHub(_checkers.Create, _time, max => TimeSpan.Zero);

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        _keepers.ForEach(k => k.Dispose());
        _hub.Dispose();
    }

    private static TcpCheck Tcp(int retry = 1, double delayBeforeRetry = 1, double interval = 6, int tag = 0) =>
        new() { Retry = retry, DelayBeforeRetry = TimeSpan.FromSeconds(delayBeforeRetry), Interval = TimeSpan.FromSeconds(interval), Warmup = TimeSpan.Zero, ConnectPort = tag == 0 ? null : (ushort)tag };

    private CheckedServiceKeeper Keep(VirtualService service, CheckPolicy policy, params CheckedRealServer[] servers)
    {
        var keeper = new CheckedServiceKeeper(_ipvs, service, servers, policy with { RepairInterval = TimeSpan.FromSeconds(5) }, _hub, _time, null, _scripts, _ => _local);
        _keepers.Add(keeper);
        keeper.Ensure(Token);
        return keeper;
    }

    private bool _local = true;

    private Dictionary<string, int> Table(VirtualService service) =>
        _ipvs.GetRealServers(service.Key, Token).ToDictionary(s => s.Endpoint, s => s.Weight);

    // The runners work on the thread pool after each timer: wait (bounded, real time) for the table.
    private static async Task Until(Func<bool> done, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!done())
        {
            Assert.True(DateTime.UtcNow < deadline, "not reached: " + what);
            await Task.Delay(5, Token);
        }
    }

    // Moves the fake clock in small steps, letting the runners react between steps.
    private async Task Advance(double seconds)
    {
        for (var i = 0; i < (int)Math.Round(seconds * 10); i++)
        {
            _time.Advance(TimeSpan.FromMilliseconds(100));
            await Task.Delay(1, Token);
        }

        await Task.Delay(20, Token);
    }

    [Fact]
    public async Task WithoutAlpha_ServersStartUp_AFailureCountsAfterRetries_DelayBeforeRetryApart()
    {
        var check = Tcp(retry: 2, delayBeforeRetry: 1, interval: 6);
        Keep(Web, new CheckPolicy(), new CheckedRealServer(A, [check]));
        Assert.Equal(new Dictionary<string, int> { ["198.18.1.1:80"] = 2 }, Table(Web));

        // First attempt at the 1 s bootstrap (warmup 0): it passes. Then every 6 s after it ends.
        await Advance(1);
        await Until(() => _checkers.Attempts(A) == 1, "first attempt at 1 s");
        _checkers.Set(A.Address, up: false);

        // At 7 s the attempt fails; retries at 8 s and 9 s (delay-before-retry 1 s): only the third failure counts.
        await Advance(6);
        await Until(() => _checkers.Attempts(A) == 2, "attempt at 7 s");
        Assert.Single(Table(Web));
        await Advance(1);
        await Until(() => _checkers.Attempts(A) == 3, "retry at 8 s");
        Assert.Single(Table(Web));
        await Advance(1);
        await Until(() => _checkers.Attempts(A) == 4 && Table(Web).Count == 0, "removed after the second retry at 9 s");

        // One pass brings it back: next attempt 6 s later.
        _checkers.Set(A.Address, up: true);
        await Advance(6);
        await Until(() => Table(Web).Count == 1, "back after one pass");
        Assert.Equal(2, Table(Web)["198.18.1.1:80"]);
    }

    [Fact]
    public async Task TheFirstFailure_CountsAtOnce_AndWarmupDelaysTheFirstAttempt()
    {
        using var hub = new CheckHub(_checkers.Create, _time, max => max / 2);
        _checkers.Set(A.Address, up: false);
        var keeper = new CheckedServiceKeeper(_ipvs, Web, [new CheckedRealServer(A, [Tcp(retry: 3) with { Warmup = TimeSpan.FromSeconds(4) }])], new CheckPolicy(), hub, _time, null, _scripts, _ => true);
        _keepers.Add(keeper);
        keeper.Ensure(Token);
        Assert.Single(Table(Web));

        // 1 s bootstrap + half of the 4 s warmup: nothing at 2.9 s, removed at 3 s without retries.
        await Advance(2.9);
        Assert.Equal(0, _checkers.Attempts(A));
        await Advance(0.1);
        await Until(() => Table(Web).Count == 0, "removed at the first failure");
        Assert.Equal(1, _checkers.Attempts(A));
    }

    [Fact]
    public async Task Alpha_ServersStartDown_AndComeInWhenTheirChecksPass_InhibitKeepsThemAtWeightZero()
    {
        var check = Tcp();
        Keep(Web, new CheckPolicy { Alpha = true, InhibitOnFailure = true }, new CheckedRealServer(A, [check]), new CheckedRealServer(B, [check]));
        Assert.Equal(new Dictionary<string, int> { ["198.18.1.1:80"] = 0, ["198.18.1.2:80"] = 0 }, Table(Web));
        _checkers.Set(B.Address, up: false);
        await Advance(1);
        await Until(() => Table(Web)["198.18.1.1:80"] == 2, "A in with its weight");
        Assert.Equal(0, Table(Web)["198.18.1.2:80"]);

        // Control: without alpha both start in with their weights.
        var api = Keep(Api, new CheckPolicy(), new CheckedRealServer(A, [Tcp(tag: 1)]), new CheckedRealServer(B, [Tcp(tag: 1)]));
        Assert.Equal(new Dictionary<string, int> { ["198.18.1.1:80"] = 2, ["198.18.1.2:80"] = 3 }, Table(Api));
        Assert.True(api.QuorumUp);
    }

    [Fact]
    public async Task AlphaAndInhibit_PerServerAndPerCheck_OverrideTheService()
    {
        // The service says no alpha and removal; A says alpha and inhibit (real_server block),
        // B's one check says alpha (checker block). Both start out of service: A at weight 0, B absent.
        Keep(Web, new CheckPolicy(), new CheckedRealServer(A, [Tcp()]) { Alpha = true, InhibitOnFailure = true }, new CheckedRealServer(B, [Tcp() with { Alpha = true }]));
        Assert.Equal(new Dictionary<string, int> { ["198.18.1.1:80"] = 0 }, Table(Web));
        await Advance(1);
        await Until(() => Table(Web).Count == 2 && Table(Web)["198.18.1.1:80"] == 2, "both in after a pass");

        // A fails: kept at weight 0 (its inhibit), not removed.
        _checkers.Set(A.Address, up: false);
        await Advance(6);
        await Advance(1);
        await Until(() => Table(Web)["198.18.1.1:80"] == 0, "A inhibited");
        Assert.Equal(3, Table(Web)["198.18.1.2:80"]);

        // Control: a server with alpha: false under a service with alpha starts in.
        var api = Keep(Api, new CheckPolicy { Alpha = true }, new CheckedRealServer(A, [Tcp(tag: 1)]) { Alpha = false }, new CheckedRealServer(B, [Tcp(tag: 1)]));
        Assert.Equal(new Dictionary<string, int> { ["198.18.1.1:80"] = 2 }, Table(Api));
    }

    [Fact]
    public async Task SeveralChecks_AllMustPass()
    {
        Keep(Web, new CheckPolicy(), new CheckedRealServer(A, [Tcp(), Tcp(tag: 8080)]));
        await Advance(1);
        await Until(() => _checkers.Attempts(A) == 1 && _checkers.Attempts(A.Address, 8080) == 1, "both checks ran");
        _checkers.Set(A.Address, 8080, up: false);
        await Advance(6);
        await Advance(1);
        await Until(() => Table(Web).Count == 0, "one failed check takes the server out");
        Assert.True(_checkers.Attempts(A) >= 2);
    }

    [Fact]
    public async Task DynamicWeights_AddUp_AndAWeightOfZeroKeepsTheServerAtZero()
    {
        _checkers.SetWeight(A.Address, 80, 10);
        _checkers.SetWeight(A.Address, 81, 5);
        Keep(Web, new CheckPolicy(), new CheckedRealServer(A, [Tcp(), Tcp(tag: 81)]));
        await Advance(1);

        // Configured 2; one check says 10 (+8), the other 5 (+3): 13, as keepalived adds each change.
        await Until(() => Table(Web).GetValueOrDefault("198.18.1.1:80") == 13, "weight 13");
        _checkers.SetWeight(A.Address, 80, 0);
        _checkers.SetWeight(A.Address, 81, 2);
        await Advance(6);
        await Until(() => Table(Web).GetValueOrDefault("198.18.1.1:80", -1) == 0, "weight 0, still present");
    }

    [Fact]
    public async Task Quorum_WithHysteresis_AndASorryServer()
    {
        var check = Tcp(retry: 0);
        var keeper = Keep(
            Web,
            new CheckPolicy { Quorum = 4, Hysteresis = 1, SorryServer = Sorry, OnQuorumDown = new ScriptCommand { Arguments = ["/bin/down"] }, OnQuorumUp = new ScriptCommand { Arguments = ["/bin/up"] } },
            new CheckedRealServer(A, [check]),
            new CheckedRealServer(B, [check]));

        // 2 + 3 = 5 ≥ quorum + hysteresis (5): quorum gained at start (keepalived runs quorum-up
        // then), the sorry server out.
        Assert.True(keeper.QuorumUp);
        Assert.Equal(new Dictionary<string, int> { ["198.18.1.1:80"] = 2, ["198.18.1.2:80"] = 3 }, Table(Web));
        await Until(() => _scripts.Ran.Contains("/bin/up"), "quorum-up at start");
        _scripts.Ran.Clear();

        // A fails: 3 is not below quorum − hysteresis (3): quorum kept (the hysteresis).
        _checkers.Set(A.Address, up: false);
        await Advance(1);
        await Until(() => Table(Web).Count == 1, "A removed");
        Assert.True(keeper.QuorumUp);
        Assert.Empty(_scripts.Ran);

        // B fails too: 0 → quorum lost; the sorry server in, quorum-down run.
        _checkers.Set(B.Address, up: false);
        await Advance(6);
        await Until(() => Table(Web).Keys.SequenceEqual(["198.18.1.9:80"]), "sorry server alone");
        await Until(() => _scripts.Ran.Contains("/bin/down"), "quorum-down ran");

        // A back: 2 < 5, still the sorry server (A is alive but not in the table).
        _checkers.Set(A.Address, up: true);
        await Advance(6);
        await Until(() => keeper.Servers[0].IsAlive, "A alive");
        Assert.Equal(["198.18.1.9:80"], Table(Web).Keys);

        // B back: 5 ≥ 5 → quorum; the sorry server out, A and B in, quorum-up run.
        _checkers.Set(B.Address, up: true);
        await Advance(6);
        await Until(() => Table(Web).Count == 2 && !Table(Web).ContainsKey("198.18.1.9:80"), "real servers back");
        await Until(() => _scripts.Ran.Contains("/bin/up"), "quorum-up ran");

        // Control: a keeper started by a reload with quorum does not run quorum-up.
        _scripts.Ran.Clear();
        var reloaded = new CheckedServiceKeeper(_ipvs, Api, [new CheckedRealServer(A, [Tcp(tag: 2)]), new CheckedRealServer(B, [Tcp(tag: 2)])], new CheckPolicy { Quorum = 4, Hysteresis = 1, OnQuorumUp = new ScriptCommand { Arguments = ["/bin/up"] } }, _hub, _time, null, _scripts, _ => true) { StartedByReload = true };
        _keepers.Add(reloaded);
        reloaded.Ensure(Token);
        Assert.True(reloaded.QuorumUp);
        await Advance(0.5);
        Assert.DoesNotContain("/bin/up", _scripts.Ran);
    }

    [Fact]
    public async Task StartingBelowQuorum_PutsTheSorryServerIn_InhibitedWhenOut()
    {
        var keeper = Keep(Web, new CheckPolicy { Alpha = true, SorryServer = Sorry, SorryServerInhibit = true, OnQuorumDown = new ScriptCommand { Arguments = ["/bin/down"] } }, new CheckedRealServer(A, [Tcp()]));
        Assert.False(keeper.QuorumUp);
        Assert.Equal(new Dictionary<string, int> { ["198.18.1.9:80"] = 1 }, Table(Web));
        await Until(() => _scripts.Ran.Contains("/bin/down"), "quorum-down at start (keepalived: starting with quorum down)");
        await Advance(1);
        await Until(() => Table(Web).GetValueOrDefault("198.18.1.1:80") == 2, "A in");
        Assert.Equal(0, Table(Web)["198.18.1.9:80"]); // sorry-server-inhibit: kept at weight 0
    }

    [Fact]
    public async Task TwoServices_OneRunner_CountedAttempts()
    {
        var check = Tcp();
        Keep(Web, new CheckPolicy(), new CheckedRealServer(A, [check]));
        Keep(Api, new CheckPolicy(), new CheckedRealServer(A, [Tcp()])); // equal by value
        Assert.Equal(1, _hub.RunnerCount);
        await Advance(1 + 6 + 6);
        await Until(() => _checkers.Attempts(A) == 3, "three attempts in 13 s");
        _checkers.Set(A.Address, up: false);
        await Advance(6);
        await Advance(1);
        await Until(() => Table(Web).Count == 0 && Table(Api).Count == 0, "both services act on the one result (after one retry)");
        Assert.Equal(5, _checkers.Attempts(A));

        // Control: a different check is another runner.
        Keep(Api with { Key = VirtualServiceKey.Parse("tcp/198.18.0.3:80") }, new CheckPolicy(), new CheckedRealServer(A, [Tcp(retry: 2)]));
        Assert.Equal(2, _hub.RunnerCount);
    }

    [Fact]
    public void Sharing_IgnoresTheConfiguredWeight_ExceptForAFileCheck()
    {
        Keep(Web, new CheckPolicy(), new CheckedRealServer(A, [Tcp()]));
        Keep(Api, new CheckPolicy(), new CheckedRealServer(A with { Weight = 7 }, [Tcp()]));
        Assert.Equal(1, _hub.RunnerCount);

        // A file check adds the file's value to the configured weight: one runner per weight.
        var file = new FileCheck { Path = "/run/w", Weight = 1, Interval = TimeSpan.FromSeconds(6) };
        Keep(Web with { Key = VirtualServiceKey.Parse("tcp/198.18.0.5:80") }, new CheckPolicy(), new CheckedRealServer(A, [file]));
        Keep(Web with { Key = VirtualServiceKey.Parse("tcp/198.18.0.6:80") }, new CheckPolicy(), new CheckedRealServer(A with { Weight = 7 }, [file]));
        Assert.Equal(3, _hub.RunnerCount);
    }

    [Fact]
    public async Task AStoppedKeeper_NoLongerActs_ButHoldsItsRunner()
    {
        var keeper = Keep(Web, new CheckPolicy(), new CheckedRealServer(A, [Tcp(retry: 0)]));
        keeper.Stop();
        _checkers.Set(A.Address, up: false);
        await Advance(1);
        await Until(() => _checkers.Attempts(A) == 1, "checked");
        await Task.Delay(50, Token);
        Assert.Single(Table(Web)); // control for the test above: a keeper that acts removes it (WithoutAlpha_…)
        Assert.Equal(1, _hub.RunnerCount);
        _ipvs.DeleteService(Web.Key, Token);
        await keeper.RunRoundAsync(Token);
        Assert.Empty(_ipvs.GetServices(Token));
    }

    [Fact]
    public async Task ARunner_OutlivesAReleasedService_WhileAnotherHoldsIt_AndKeepsItsState()
    {
        _checkers.Set(A.Address, up: false);
        var old = Keep(Web, new CheckPolicy(), new CheckedRealServer(A, [Tcp()]));
        await Advance(1);
        await Until(() => Table(Web).Count == 0, "down");

        // As a reload does: the new keeper subscribes before the old one is released.
        var renewed = new CheckedServiceKeeper(_ipvs, Web with { Scheduler = "rr" }, [new CheckedRealServer(A, [Tcp()])], new CheckPolicy(), _hub, _time, null, _scripts, _ => true);
        _keepers.Add(renewed);
        renewed.Ensure(Token);
        old.Dispose();
        Assert.Equal(1, _hub.RunnerCount);
        Assert.Empty(Table(Web)); // the shared runner's verdict: still down, not re-added as "not run yet"
        Assert.Equal(1, _checkers.Attempts(A));

        renewed.Dispose();
        Assert.Equal(0, _hub.RunnerCount);
    }

    [Fact]
    public async Task HaSuspend_NoChecksWhileTheAddressIsNotLocal()
    {
        _local = false;
        var keeper = Keep(Web, new CheckPolicy { HaSuspend = true }, new CheckedRealServer(A, [Tcp()]));
        Assert.True(keeper.Suspended);
        await Advance(1 + 6 + 6);
        Assert.Equal(0, _checkers.Attempts(A));

        _local = true;
        await keeper.RunRoundAsync(Token);
        Assert.False(keeper.Suspended);
        await Advance(6);
        await Until(() => _checkers.Attempts(A) == 1, "checked again once local");
    }

    [Fact]
    public async Task OnUpAndOnDown_Scripts_RunWithTheirArguments()
    {
        Keep(Web, new CheckPolicy(), new CheckedRealServer(A, [Tcp()]) { OnUp = new ScriptCommand { Arguments = ["/bin/notify", "up", "A"] }, OnDown = new ScriptCommand { Arguments = ["/bin/notify", "down", "A"] } });
        _checkers.Set(A.Address, up: false);
        await Advance(1);
        await Until(() => _scripts.Ran.Contains("/bin/notify down A"), "on-down");
        _checkers.Set(A.Address, up: true);
        await Advance(6);
        await Until(() => _scripts.Ran.Contains("/bin/notify up A"), "on-up");
    }

    [Fact]
    public async Task Alpha_AFirstFailure_RunsOnDown_AsKeepalivedDoes()
    {
        Keep(Web, new CheckPolicy { Alpha = true }, new CheckedRealServer(A, [Tcp()]) { OnDown = new ScriptCommand { Arguments = ["/bin/notify", "down"] } }, new CheckedRealServer(B, [Tcp()]) { OnDown = new ScriptCommand { Arguments = ["/bin/notify", "down", "B"] } });
        _checkers.Set(A.Address, up: false);
        await Advance(1);
        await Until(() => _scripts.Ran.Contains("/bin/notify down"), "on-down at A's first failure");
        await Until(() => Table(Web).ContainsKey("198.18.1.2:80"), "B in");
        Assert.DoesNotContain("/bin/notify down B", _scripts.Ran); // control: B passed

        // The next failures of a server already down run nothing more.
        await Advance(6);
        await Advance(1);
        await Until(() => _checkers.Attempts(A) >= 3, "checked again");
        await Task.Delay(50, Token);
        Assert.Single(_scripts.Ran, "/bin/notify down");
    }

    [Fact]
    public async Task Drift_IsPutBack_AtTheNextRepairRound()
    {
        var keeper = Keep(Web, new CheckPolicy(), new CheckedRealServer(A, [Tcp()]), new CheckedRealServer(B, [Tcp()]));
        _ipvs.DeleteRealServer(Web.Key, A.Address, A.Port, Token);
        _ipvs.UpdateRealServer(Web.Key, B with { Weight = 9 }, Token);
        await keeper.RunRoundAsync(Token);
        Assert.Equal(new Dictionary<string, int> { ["198.18.1.1:80"] = 2, ["198.18.1.2:80"] = 3 }, Table(Web));
        Assert.Equal(2, keeper.Repairs);
        _ipvs.DeleteService(Web.Key, Token);
        await keeper.RunRoundAsync(Token);
        Assert.Equal(2, Table(Web).Count);
    }

    /// <summary>Fake checkers: every target up unless set down; counts attempts per target.</summary>
    private sealed class FakeCheckers
    {
        private readonly ConcurrentDictionary<(IPAddress, ushort), bool> _down = new();
        private readonly ConcurrentDictionary<(IPAddress, ushort), int> _weights = new();
        private readonly ConcurrentDictionary<(IPAddress, ushort), int> _attempts = new();

        public IChecker Create(CheckDefinition definition) => new Checker(this, definition);

        public void Set(IPAddress address, bool up) => Set(address, 80, up);

        public void Set(IPAddress address, ushort port, bool up) => _down[(address, port)] = !up;

        public void SetWeight(IPAddress address, ushort port, int weight) => _weights[(address, port)] = weight;

        public int Attempts(RealServer server) => Attempts(server.Address, server.Port);

        public int Attempts(IPAddress address, ushort port) => _attempts.GetValueOrDefault((address, port));

        private sealed class Checker(FakeCheckers owner, CheckDefinition definition) : IChecker
        {
            public CheckDefinition Definition => definition;

            public ValueTask<CheckResult> CheckAsync(CheckTarget target, CancellationToken cancellationToken)
            {
                var key = (target.Address, target.Port);
                owner._attempts.AddOrUpdate(key, 1, static (_, n) => n + 1);
                return ValueTask.FromResult(owner._down.GetValueOrDefault(key)
                    ? CheckResult.Down(TimeSpan.Zero, "connection refused")
                    : CheckResult.Up(TimeSpan.Zero, owner._weights.TryGetValue(key, out var w) ? w : null));
            }

            public void Dispose()
            {
            }
        }
    }

    private sealed class FakeScripts : IScriptRunner
    {
        public ConcurrentBag<string> Ran { get; } = [];

        public Task<ScriptResult> RunAsync(ScriptCommand script, CancellationToken cancellationToken)
        {
            Ran.Add(script.ToString());
            return Task.FromResult(new ScriptResult(0, false, null));
        }
    }
}
