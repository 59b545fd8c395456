using System.Net;
using Ipvs.Model;
using Ipvs.State;
using Ipvs.Testing;

namespace Ipvs.KernelTests.State;

/// <summary>The library's reconciler and executor against the lab kernel.</summary>
public sealed class ReconcilerTests
{
    [Fact]
    public async Task ServiceCreatedBehindThePlansBack_FailsItsAdd_AndItsServersAreSkippedNotSent()
    {
        KernelLab.Require();
        using var ns = new TestNamespace();
        using var client = ns.OpenClient();
        var config = IpvsConfigReader.Parse(
            "services:\n  - service: tcp/198.18.0.1:80\n    servers: [198.18.1.1, 198.18.1.2]\n  - service: tcp/198.18.0.2:80\n    servers: [198.18.1.3]\n",
            "race.yaml").GetConfigOrThrow();
        var reconciler = new IpvsReconciler(client, new IpvsReconcilerOptions { NetworkNamespace = ns.Path });
        var plan = (await reconciler.PlanAsync(config, TestContext.Current.CancellationToken)).Plan;

        // Another tool creates the first service between the plan and its execution.
        ns.Ipvsadm("-A", "-t", "198.18.0.1:80", "-s", "rr");
        var result = IpvsPlanExecutor.Execute(client, plan, TestContext.Current.CancellationToken);

        Assert.Equal(5, result.Results.Count);
        Assert.Equal(
            [ChangeOutcome.Failed, ChangeOutcome.Skipped, ChangeOutcome.Skipped, ChangeOutcome.Applied, ChangeOutcome.Applied],
            result.Results.Select(r => r.Outcome));
        Assert.IsType<ServiceExistsException>(result.Results[0].Error);
        Assert.Equal("+ service tcp/198.18.0.1:80 scheduler=wlc: Service already exists [race.yaml:2:5]", result.Results[0].ToString());
        Assert.Equal("+ server tcp/198.18.0.1:80 198.18.1.1:80 forward=masq weight=1: not sent, its service could not be created", result.Results[1].ToString());
        Assert.Equal((2, 1, 2), (result.AppliedCount, result.FailedCount, result.SkippedCount));
        Assert.Equal("-A -t 198.18.0.1:80 -s rr\n-A -t 198.18.0.2:80 -s wlc\n-a -t 198.18.0.2:80 -r 198.18.1.3:80 -m -w 1\n", ns.Ipvsadm("-Sn"));

        // The next pass repairs what the race left.
        var repair = await reconciler.ApplyAsync(config, TestContext.Current.CancellationToken);
        Assert.True(repair.Succeeded);
        Assert.Equal(
            ["~ service tcp/198.18.0.1:80 scheduler rr -> wlc", "+ server tcp/198.18.0.1:80 198.18.1.1:80 forward=masq weight=1", "+ server tcp/198.18.0.1:80 198.18.1.2:80 forward=masq weight=1"],
            repair.Plan.Changes.Select(c => c.ToString()));
    }

    [Fact]
    public async Task LargeTable_IsWrittenAndReadBackExactly_InPipelinedBatches()
    {
        KernelLab.Require();
        using var ns = new TestNamespace();
        using var client = ns.OpenClient();
        var services = Enumerable.Range(0, 600).Select(i => new VirtualServiceConfig(
            new VirtualService(VirtualServiceKey.Tcp(IPAddress.Parse($"198.18.{i / 250}.{(i % 250) + 1}"), 80)) { Scheduler = i % 2 == 0 ? "rr" : "wlc" },
            [.. Enumerable.Range(1, 4).Select(j => new RealServerConfig(new RealServer(IPAddress.Parse($"198.19.{j}.{(i % 250) + 1}"), (ushort)(8000 + i)) { Weight = j }))])).ToList();
        var config = new IpvsConfig(services);
        var reconciler = new IpvsReconciler(client);

        var applied = await reconciler.ApplyAsync(config, TestContext.Current.CancellationToken);
        Assert.True(applied.Succeeded);
        Assert.Equal(3000, applied.Execution!.AppliedCount);

        var table = client.GetTable(TestContext.Current.CancellationToken);
        Assert.Equal(600, table.Count);
        Assert.Equal(2400, table.Sum(e => e.RealServers.Count));
        Assert.True((await reconciler.PlanAsync(config, TestContext.Current.CancellationToken)).Plan.IsInSync);
    }
}
