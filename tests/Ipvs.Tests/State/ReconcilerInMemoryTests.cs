using System.Net;
using Ipvs.Model;
using Ipvs.State;

namespace Ipvs.Tests.State;

/// <summary>
/// The reconciler's paths over <see cref="InMemoryIpvs"/> (which the contract suite holds to the
/// kernel's behaviour), with a clock that moves only when told: drift repair, pruning, draining
/// and its timeout, refusals and races, the file-change pass. The lab keeps what needs real
/// connections (DrainTests, TableReuseTests).
/// </summary>
public sealed class ReconcilerInMemoryTests
{
    private const string TwoServices =
        "services:\n"
        + "  - service: tcp/198.18.0.1:80\n    scheduler: rr\n    servers: [198.18.1.1, 198.18.1.2]\n"
        + "  - service: udp/198.18.0.2:53\n    servers: [{address: 198.18.1.3, weight: 3}]\n";

    private static readonly VirtualServiceKey Web = VirtualServiceKey.Parse("tcp/198.18.0.1:80");
    private static readonly VirtualServiceKey Dns = VirtualServiceKey.Parse("udp/198.18.0.2:53");
    private static readonly IPAddress A = IPAddress.Parse("198.18.1.1");
    private static readonly IPAddress B = IPAddress.Parse("198.18.1.2");

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static IpvsConfig Config(string yaml) => IpvsConfigReader.Parse(yaml, "test.yaml").GetConfigOrThrow();

    private static IpvsReconciler Reconciler(IIpvs ipvs, TimeProvider? time = null, bool prune = false, TimeSpan? drainTimeout = null, bool reuse = false) =>
        new(ipvs, new IpvsReconcilerOptions
        {
            Prune = prune,
            CheckKernelSupport = false,
            TimeProvider = time ?? new ManualTimeProvider(DateTimeOffset.UnixEpoch),
            DrainTimeout = drainTimeout ?? TimeSpan.FromMinutes(10),
            ReuseTable = reuse,
        });

    private static string Table(IIpvs ipvs) => string.Join(
        "\n",
        ipvs.GetTable(Token).OrderBy(e => e.Service.Key.ToString(), StringComparer.Ordinal).Select(e =>
            e.Service.Key + " " + e.Service.Scheduler + ": "
            + string.Join(", ", e.RealServers.OrderBy(s => s.Endpoint, StringComparer.Ordinal).Select(s => s.Endpoint + " w" + s.Weight))));

    [Fact]
    public async Task Apply_CreatesTheFile_ThenHasNothingToDo()
    {
        var ipvs = new InMemoryIpvs();
        var reconciler = Reconciler(ipvs);

        var first = await reconciler.ApplyAsync(Config(TwoServices), Token);
        var second = await reconciler.ApplyAsync(Config(TwoServices), Token);

        Assert.True(first.Succeeded);
        Assert.Equal(5, first.Execution!.AppliedCount);
        Assert.Equal(2, ipvs.BatchCount);
        Assert.Equal("tcp/198.18.0.1:80 rr: 198.18.1.1:80 w1, 198.18.1.2:80 w1\nudp/198.18.0.2:53 wlc: 198.18.1.3:53 w3", Table(ipvs));
        Assert.True(second.Plan.IsEmpty);
        Assert.Null(second.Execution);
        Assert.Equal(2, ipvs.BatchCount);
    }

    [Fact]
    public async Task Apply_RepairsDrift_ButLeavesOthersServices_UnlessPruning()
    {
        var ipvs = new InMemoryIpvs();
        await Reconciler(ipvs).ApplyAsync(Config(TwoServices), Token);
        ipvs.DeleteRealServer(Web, A, 80, Token);
        ipvs.UpdateRealServer(Dns, new RealServer(IPAddress.Parse("198.18.1.3"), 53) { Weight = 9 }, Token);
        ipvs.UpdateService(new VirtualService(Web) { Scheduler = "wlc" }, Token);
        ipvs.AddService(new VirtualService(VirtualServiceKey.Parse("tcp/198.18.0.9:80")), Token);

        var repair = await Reconciler(ipvs).ApplyAsync(Config(TwoServices), Token);

        Assert.True(repair.Succeeded);
        Assert.Equal(3, repair.Execution!.AppliedCount);
        Assert.Equal("tcp/198.18.0.1:80 rr: 198.18.1.1:80 w1, 198.18.1.2:80 w1\ntcp/198.18.0.9:80 wlc: \nudp/198.18.0.2:53 wlc: 198.18.1.3:53 w3", Table(ipvs));

        var pruned = await Reconciler(ipvs, prune: true).ApplyAsync(Config(TwoServices), Token);

        Assert.Equal(1, pruned.Execution!.AppliedCount);
        Assert.Null(ipvs.GetService(VirtualServiceKey.Parse("tcp/198.18.0.9:80"), Token));
    }

    [Fact]
    public async Task RemovedServer_WithConnections_Drains_AndLeavesWhenTheyEnd()
    {
        var ipvs = new InMemoryIpvs();
        var time = new ManualTimeProvider(DateTimeOffset.UnixEpoch);
        var reconciler = Reconciler(ipvs, time);
        await reconciler.ApplyAsync(Config(TwoServices), Token);
        ipvs.SetConnections(Web, B, 80, active: 2, inactive: 1);
        var withoutB = Config(TwoServices.Replace(", 198.18.1.2]", "]", StringComparison.Ordinal));

        var drain = await reconciler.ApplyAsync(withoutB, Token);

        Assert.Equal("~ server tcp/198.18.0.1:80 198.18.1.2:80 weight 1 -> 0 (draining: 2 active, 1 inactive connections)", Assert.Single(drain.Plan.Changes).ToString());
        Assert.Equal(0, ipvs.GetRealServers(Web, Token).Single(s => s.Address.Equals(B)).Weight);

        time.Advance(TimeSpan.FromMinutes(1));
        var still = await reconciler.ApplyAsync(withoutB, Token);
        Assert.True(still.Plan.IsEmpty);
        Assert.Single(still.Plan.Draining);

        ipvs.SetConnections(Web, B, 80, active: 0, inactive: 0);
        var gone = await reconciler.ApplyAsync(withoutB, Token);

        Assert.Equal("- server tcp/198.18.0.1:80 198.18.1.2:80 (drained)", Assert.Single(gone.Plan.Changes).ToString());
        Assert.Equal([A], ipvs.GetRealServers(Web, Token).Select(s => s.Address));
    }

    [Fact]
    public async Task DrainingServer_IsDeleted_AtTheDrainTimeout_WithConnectionsOpen()
    {
        var ipvs = new InMemoryIpvs();
        var time = new ManualTimeProvider(DateTimeOffset.UnixEpoch);
        var reconciler = Reconciler(ipvs, time, drainTimeout: TimeSpan.FromSeconds(30));
        await reconciler.ApplyAsync(Config(TwoServices), Token);
        ipvs.SetConnections(Web, B, 80, active: 1, inactive: 0);
        var withoutB = Config(TwoServices.Replace(", 198.18.1.2]", "]", StringComparison.Ordinal));
        await reconciler.ApplyAsync(withoutB, Token);

        time.Advance(TimeSpan.FromSeconds(29));
        var early = await reconciler.ApplyAsync(withoutB, Token);
        time.Advance(TimeSpan.FromSeconds(2));
        var late = await reconciler.ApplyAsync(withoutB, Token);

        Assert.True(early.Plan.IsEmpty);
        Assert.Equal("- server tcp/198.18.0.1:80 198.18.1.2:80 (drain timeout passed with 1 active, 0 inactive connections)", Assert.Single(late.Plan.Changes).ToString());
        Assert.DoesNotContain(ipvs.GetRealServers(Web, Token), s => s.Address.Equals(B));
    }

    [Fact]
    public async Task RefusedService_FailsAlone_AndItsServersAreSkipped()
    {
        var ipvs = new InMemoryIpvs();
        var config = Config(TwoServices.Replace("scheduler: rr", "scheduler: twos", StringComparison.Ordinal));

        var result = await Reconciler(ipvs).ApplyAsync(config, Token);

        Assert.False(result.Succeeded);
        Assert.Equal((2, 1, 2), (result.Execution!.AppliedCount, result.Execution.FailedCount, result.Execution.SkippedCount));
        Assert.IsType<SchedulerNotFoundException>(result.Execution.Results.Single(r => r.Outcome == ChangeOutcome.Failed).Error);
        Assert.Equal("udp/198.18.0.2:53 wlc: 198.18.1.3:53 w3", Table(ipvs));
    }

    [Fact]
    public async Task ServiceCreatedBehindThePlansBack_IsRepairedByTheNextPass()
    {
        var ipvs = new InMemoryIpvs();
        var reconciler = Reconciler(ipvs);
        var plan = (await reconciler.PlanAsync(Config(TwoServices), Token)).Plan;
        ipvs.AddService(new VirtualService(Web) { Scheduler = "sh" }, Token);

        var raced = IpvsPlanExecutor.Execute(ipvs, plan, Token);
        var repair = await reconciler.ApplyAsync(Config(TwoServices), Token);

        Assert.Equal(
            [ChangeOutcome.Failed, ChangeOutcome.Skipped, ChangeOutcome.Skipped, ChangeOutcome.Applied, ChangeOutcome.Applied],
            raced.Results.Select(r => r.Outcome));
        Assert.True(repair.Succeeded);
        Assert.Equal("tcp/198.18.0.1:80 rr: 198.18.1.1:80 w1, 198.18.1.2:80 w1\nudp/198.18.0.2:53 wlc: 198.18.1.3:53 w3", Table(ipvs));
    }

    [Fact]
    public async Task FileChangePass_ReadsOnlyChangedServices_AndLeavesOtherDriftToAFullPass()
    {
        var ipvs = new InMemoryIpvs();
        var reconciler = Reconciler(ipvs, reuse: true);
        await reconciler.ApplyFileChangeAsync(Config(TwoServices), Token);
        ipvs.DeleteRealServer(Dns, IPAddress.Parse("198.18.1.3"), 53, Token);

        var change = await reconciler.ApplyFileChangeAsync(Config(TwoServices.Replace("scheduler: rr", "scheduler: wrr", StringComparison.Ordinal)), Token);

        Assert.Equal("~ service tcp/198.18.0.1:80 scheduler rr -> wrr", Assert.Single(change.Plan.Changes).ToString());
        Assert.Empty(ipvs.GetRealServers(Dns, Token));

        var full = await reconciler.ApplyAsync(Config(TwoServices.Replace("scheduler: rr", "scheduler: wrr", StringComparison.Ordinal)), Token);

        Assert.Equal("+ server udp/198.18.0.2:53 198.18.1.3:53 forward=masq weight=3", Assert.Single(full.Plan.Changes).ToString());
    }
}
