using System.Globalization;
using System.Text;
using Ipvs.State;
using Ipvs.Testing;

namespace Ipvs.KernelTests.State;

/// <summary>
/// The watch loop's file-change passes (<see cref="IpvsReconciler.ApplyFileChangeAsync"/>): they
/// look only at the services that differ from the configuration in force, reading their real
/// servers again, and leave the rest to the full passes.
/// </summary>
public sealed class TableReuseTests
{
    [Fact]
    public async Task FileChangePass_LooksOnlyAtTheServicesThatChanged_AndLeavesOtherDriftToTheFullPass()
    {
        KernelLab.Require();
        using var ns = new TestNamespace();
        using var client = ns.OpenClient();
        var cancel = TestContext.Current.CancellationToken;
        var reconciler = new IpvsReconciler(client, new IpvsReconcilerOptions { NetworkNamespace = ns.Path, ReuseTable = true, CheckKernelSupport = false });
        var first = await reconciler.ApplyFileChangeAsync(Config(300, _ => (null, 1, null)), cancel);
        Assert.True(first.Succeeded);
        Assert.Equal(1200, first.Execution!.AppliedCount);
        Assert.Contains(first.Timings, t => t.Key.StartsWith("read table", StringComparison.Ordinal));

        // Behind the loop's back: a server of service 7 goes (untouched by the next file), service
        // 20 goes (untouched too), a server of service 10 goes (the next file changes service 10).
        ns.Ipvsadm("-d", "-t", Vip(7) + ":80", "-r", Server(7, 1) + ":8080");
        ns.Ipvsadm("-D", "-t", Vip(20) + ":80");
        ns.Ipvsadm("-d", "-t", Vip(10) + ":80", "-r", Server(10, 2) + ":8080");

        // The file: service 10 gets another weight on its first server, service 11 another scheduler.
        var changed = Config(300, i => i switch { 10 => (null, 5, null), 11 => ("rr", 1, null), _ => (null, 1, null) });
        var pass = await reconciler.ApplyFileChangeAsync(changed, cancel);

        Assert.True(pass.Succeeded, string.Join("\n", pass.Execution?.Results.Select(r => r.ToString()) ?? []));
        Assert.DoesNotContain(pass.Timings, t => t.Key.StartsWith("read table", StringComparison.Ordinal));
        Assert.Contains(pass.Timings, t => t.Key == "compare with the configuration in force (2 services differ)");
        // Only services 10 and 11 are looked at: their real servers are read again (service 10's
        // missing server is seen and added back); services 7 and 20 are not looked at.
        Assert.Contains(pass.Timings, t => t.Key == "read real servers of 2 changed services");
        Assert.Equal(
        [
            $"~ server tcp/{Vip(10)}:80 {Server(10, 0)}:8080 weight 1 -> 5",
            $"+ server tcp/{Vip(10)}:80 {Server(10, 2)}:8080 forward=masq weight=1",
            $"~ service tcp/{Vip(11)}:80 scheduler wlc -> rr",
        ],
            pass.Plan.Changes.Select(c => c.ToString()));

        // The drift of services the change does not touch is repaired by the next full pass (the
        // watch loop's resync), which reads the whole table.
        var resync = await reconciler.ApplyAsync(changed, cancel);
        Assert.True(resync.Succeeded);
        Assert.Equal(
        [
            $"+ server tcp/{Vip(7)}:80 {Server(7, 1)}:8080 forward=masq weight=1",
            $"+ service tcp/{Vip(20)}:80 scheduler=wlc",
            $"+ server tcp/{Vip(20)}:80 {Server(20, 0)}:8080 forward=masq weight=1",
            $"+ server tcp/{Vip(20)}:80 {Server(20, 1)}:8080 forward=masq weight=1",
            $"+ server tcp/{Vip(20)}:80 {Server(20, 2)}:8080 forward=masq weight=1",
        ],
            resync.Plan.Changes.Select(c => c.ToString()));
        Assert.True((await reconciler.PlanAsync(changed, cancel)).Plan.IsInSync);

        // A version equal to the one in force except for one service (another object for every
        // service, as a fresh read gives): one service is looked at.
        var back = await reconciler.ApplyFileChangeAsync(Config(300, i => i == 10 ? (null, 5, null) : (null, 1, null)), cancel);
        Assert.Equal([$"~ service tcp/{Vip(11)}:80 scheduler rr -> wlc"], back.Plan.Changes.Select(c => c.ToString()));
        Assert.Contains(back.Timings, t => t.Key == "read real servers of 1 changed services");
        Assert.True((await reconciler.PlanAsync(Config(300, i => i == 10 ? (null, 5, null) : (null, 1, null)), cancel)).Plan.IsInSync);

        // Without ReuseTable, a file-change pass reads the whole table.
        var plain = new IpvsReconciler(client, new IpvsReconcilerOptions { NetworkNamespace = ns.Path, CheckKernelSupport = false });
        var full = await plain.ApplyFileChangeAsync(changed, cancel);
        Assert.Contains(full.Timings, t => t.Key.StartsWith("read table", StringComparison.Ordinal));
    }

    [Fact]
    public async Task FileChangePass_WithPrune_RemovesAServiceThatLeftTheFile_AndNothingElse()
    {
        KernelLab.Require();
        using var ns = new TestNamespace();
        using var client = ns.OpenClient();
        var cancel = TestContext.Current.CancellationToken;
        var reconciler = new IpvsReconciler(client, new IpvsReconcilerOptions { NetworkNamespace = ns.Path, ReuseTable = true, Prune = true, CheckKernelSupport = false });
        Assert.True((await reconciler.ApplyAsync(Config(3, _ => (null, 1, null)), cancel)).Succeeded);
        var two = IpvsConfigReader.Parse(
            $"services:\n  - service: tcp/{Vip(0)}:80\n    servers: [{Server(0, 0)}:8080, {Server(0, 1)}:8080, {Server(0, 2)}:8080]\n"
            + $"  - service: tcp/{Vip(2)}:80\n    servers: [{Server(2, 0)}:8080, {Server(2, 1)}:8080, {Server(2, 2)}:8080]\n",
            "two.yaml").GetConfigOrThrow();

        var pass = await reconciler.ApplyFileChangeAsync(two, cancel);

        Assert.True(pass.Succeeded);
        Assert.Equal([$"- service tcp/{Vip(1)}:80 (not in the file; its 3 real servers have no connections)"], pass.Plan.Changes.Select(c => c.ToString()));
        Assert.Contains(pass.Timings, t => t.Key == "compare with the configuration in force (1 services differ)");
        Assert.DoesNotContain(Vip(1), ns.Ipvsadm("-Sn"), StringComparison.Ordinal);

        var again = await reconciler.ApplyFileChangeAsync(two, cancel);
        Assert.True(again.Plan.IsEmpty);
        Assert.Contains(again.Timings, t => t.Key == "compare with the configuration in force (0 services differ)");
    }

    [Fact]
    public async Task FileChangePass_DrainsAServerWithAConnectionOpenedSinceTheLastRead_InsteadOfDeletingIt()
    {
        KernelLab.Require();
        using var net = new NatTopology();
        using var client = net.Director.OpenClient();
        using var listener = net.Listen(8080);
        var cancel = TestContext.Current.CancellationToken;
        var reconciler = new IpvsReconciler(client, new IpvsReconcilerOptions { NetworkNamespace = net.Director.Path, ReuseTable = true, CheckKernelSupport = false });
        const string WithA = "services:\n  - service: tcp/198.18.30.1:80\n    scheduler: rr\n    servers: [198.18.20.2:8080]\n";
        const string WithB = "services:\n  - service: tcp/198.18.30.1:80\n    scheduler: rr\n    servers: [198.18.20.3:8080]\n";
        Assert.True((await reconciler.ApplyAsync(IpvsConfigReader.Parse(WithA, "a.yaml").GetConfigOrThrow(), cancel)).Succeeded);

        // The remembered table says server A has no connections; now it gets one.
        var (clientEnd, serverEnd) = await net.ConnectAsync(listener, 80);
        Assert.Equal(NatTopology.ServerA.ToString(), ((System.Net.IPEndPoint)serverEnd.LocalEndPoint!).Address.ToString());

        var pass = await reconciler.ApplyFileChangeAsync(IpvsConfigReader.Parse(WithB, "b.yaml").GetConfigOrThrow(), cancel);

        Assert.True(pass.Succeeded);
        Assert.Equal(
        [
            "+ server tcp/198.18.30.1:80 198.18.20.3:8080 forward=masq weight=1",
            "~ server tcp/198.18.30.1:80 198.18.20.2:8080 weight 1 -> 0 (draining: 1 active, 0 inactive connections)",
        ],
            pass.Plan.Changes.Select(c => c.ToString()));
        Assert.Contains(pass.Timings, t => t.Key == "read real servers of 1 changed services");
        Assert.Contains("-a -t 198.18.30.1:80 -r 198.18.20.2:8080 -m -w 0", net.Director.Ipvsadm("-Sn"), StringComparison.Ordinal);
        await NatTopology.AssertCarriesAsync(clientEnd, serverEnd);
    }

    private static string Vip(int i) => $"198.18.{i / 250}.{(i % 250) + 1}";

    private static string Server(int i, int j) => $"198.19.{j}.{(i % 250) + 1}";

    // Services 198.18.X.Y:80 with three servers 198.19.J.Y:8080; per service: scheduler, the
    // first server's weight, and an extra server.
    private static IpvsConfig Config(int count, Func<int, (string? Scheduler, int Weight, string? Extra)> shape)
    {
        var text = new StringBuilder("services:\n");
        for (var i = 0; i < count; i++)
        {
            var (scheduler, weight, extra) = shape(i);
            text.Append(CultureInfo.InvariantCulture, $"  - service: tcp/{Vip(i)}:80\n    scheduler: {scheduler ?? "wlc"}\n    servers:\n");
            text.Append(CultureInfo.InvariantCulture, $"      - {{server: {Server(i, 0)}:8080, weight: {weight}}}\n");
            text.Append(CultureInfo.InvariantCulture, $"      - {Server(i, 1)}:8080\n      - {Server(i, 2)}:8080\n");
            if (extra is not null)
            {
                text.Append(CultureInfo.InvariantCulture, $"      - {extra}:8080\n");
            }
        }

        return IpvsConfigReader.Parse(text.ToString(), "reuse.yaml").GetConfigOrThrow();
    }
}
