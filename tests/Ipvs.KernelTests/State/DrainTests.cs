using System.Diagnostics;
using Ipvs.Testing;

namespace Ipvs.KernelTests.State;

/// <summary>
/// Graceful draining with real connections: a client namespace holds a TCP connection through the
/// VIP to a real server namespace while the server leaves the file.
/// </summary>
public sealed class DrainTests
{
    private const string WithA = "services:\n  - service: tcp/198.18.30.1:80\n    scheduler: rr\n    servers: [198.18.20.2:8080]\n";
    private const string WithB = "services:\n  - service: tcp/198.18.30.1:80\n    scheduler: rr\n    servers: [198.18.20.3:8080]\n";

    [Fact]
    public async Task RemovedServer_StaysAtWeightZeroWhileItsConnectionIsOpen_AndLeavesOnceItCloses()
    {
        KernelLab.Require();
        using var net = new NatTopology();
        using var cli = new IpvsCli(net.Director);
        using var listener = net.Listen(8080);
        Assert.Equal(0, cli.Apply(cli.Write("a.yaml", WithA)).ExitCode);
        var (client, server) = await net.ConnectAsync(listener, 80);
        Assert.Equal(NatTopology.ServerA.ToString(), ((System.Net.IPEndPoint)server.LocalEndPoint!).Address.ToString());

        var b = cli.Write("b.yaml", WithB);
        var drain = cli.Apply(b);

        Assert.True(drain.ExitCode == 0, drain.ToString());
        Assert.Equal(
            "+ server tcp/198.18.30.1:80 198.18.20.3:8080 forward=masq weight=1\n"
            + "~ server tcp/198.18.30.1:80 198.18.20.2:8080 weight 1 -> 0 (draining: 1 active, 0 inactive connections)\n",
            drain.StandardOutput);
        Assert.Contains("server tcp/198.18.30.1:80 198.18.20.2:8080 draining since", drain.StandardError, StringComparison.Ordinal);
        Assert.Contains("1 real server still draining", drain.StandardError, StringComparison.Ordinal);
        Assert.Contains("-a -t 198.18.30.1:80 -r 198.18.20.2:8080 -m -w 0", cli.Saved(), StringComparison.Ordinal);

        // The held connection still works, and new clients go to the other server.
        await NatTopology.AssertCarriesAsync(client, server);
        await NatTopology.AssertCarriesAsync(server, client);
        var (_, fresh) = await net.ConnectAsync(listener, 80);
        Assert.Equal(NatTopology.ServerB.ToString(), ((System.Net.IPEndPoint)fresh.LocalEndPoint!).Address.ToString());

        // A later apply keeps it while the connection is open; diff says it still differs.
        var again = cli.Apply(b);
        Assert.Equal(string.Empty, again.StandardOutput);
        Assert.Contains("but 1 real server still draining", again.StandardError, StringComparison.Ordinal);
        var diff = cli.Diff(b);
        Assert.Equal(1, diff.ExitCode);
        Assert.StartsWith("- server tcp/198.18.30.1:80 198.18.20.2:8080 draining since", diff.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("198.18.20.2:8080", cli.Saved(), StringComparison.Ordinal);

        // Once the connection is gone (reset: IPVS forgets it after its CLOSE timeout), the server leaves.
        NatTopology.Reset(client);
        var output = await ApplyUntilAsync(cli, b, o => o.Contains("- server tcp/198.18.30.1:80 198.18.20.2:8080", StringComparison.Ordinal));
        Assert.Contains("- server tcp/198.18.30.1:80 198.18.20.2:8080 (drained)", output, StringComparison.Ordinal);
        Assert.Equal("-A -t 198.18.30.1:80 -s rr\n-a -t 198.18.30.1:80 -r 198.18.20.3:8080 -m -w 1\n", cli.Saved());
        Assert.False(File.Exists(cli.StateFile), "nothing is draining: the drain state file is gone");
        Assert.Equal(0, cli.Diff(b).ExitCode);
    }

    [Fact]
    public async Task RemovedServer_IsDeletedAtTheDrainTimeout_EvenWithAnOpenConnection()
    {
        KernelLab.Require();
        using var net = new NatTopology();
        using var cli = new IpvsCli(net.Director);
        using var listener = net.Listen(8080);
        Assert.Equal(0, cli.Apply(cli.Write("a.yaml", WithA)).ExitCode);
        await net.ConnectAsync(listener, 80);
        var b = cli.Write("b.yaml", WithB);

        var drain = cli.Apply(b, "--drain-timeout", "3s");
        Assert.Contains("weight 1 -> 0 (draining: 1 active", drain.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("198.18.20.2:8080", File.ReadAllText(cli.StateFile), StringComparison.Ordinal);

        // The start of the drain is remembered across processes: before 3 s, still there.
        var early = cli.Apply(b, "--drain-timeout", "3s");
        Assert.Contains("still draining", early.StandardError, StringComparison.Ordinal);
        await Task.Delay(TimeSpan.FromSeconds(3.5), TestContext.Current.CancellationToken);
        var late = cli.Apply(b, "--drain-timeout", "3s");

        Assert.True(late.ExitCode == 0, late.ToString());
        Assert.Equal("- server tcp/198.18.30.1:80 198.18.20.2:8080 (drain timeout passed with 1 active, 0 inactive connections)\n", late.StandardOutput);
        Assert.DoesNotContain("198.18.20.2", cli.Saved(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PersistentService_PersistenceTemplatesKeepTheServerDraining_AndAreReported()
    {
        KernelLab.Require();
        using var net = new NatTopology();
        using var cli = new IpvsCli(net.Director);
        using var listener = net.Listen(8080);
        Assert.Equal(0, cli.Apply(cli.Write("a.yaml", WithA + "    persistent: 2\n")).ExitCode);
        var (client, _) = await net.ConnectAsync(listener, 80);
        NatTopology.Reset(client);
        var b = cli.Write("b.yaml", WithB + "    persistent: 2\n");

        var drain = cli.Apply(b);

        // The connection is closed, but its persistence template still points at the server.
        Assert.True(drain.ExitCode == 0, drain.ToString());
        Assert.Matches(@"~ server tcp/198\.18\.30\.1:80 198\.18\.20\.2:8080 weight 1 -> 0 \(draining: 0 active, \d inactive connections, 1 persistence templates\)", drain.StandardOutput);
        Assert.True(
            drain.StandardError.Contains("its persistence templates expire within", StringComparison.Ordinal),
            drain + "\n" + net.Director.Exec("cat", "/proc/net/ip_vs_conn").StandardOutput);

        var output = await ApplyUntilAsync(cli, b, o => o.Contains("- server tcp/198.18.30.1:80 198.18.20.2:8080", StringComparison.Ordinal));
        Assert.Contains("(drained)", output, StringComparison.Ordinal);
    }

    private static async Task<string> ApplyUntilAsync(IpvsCli cli, string file, Func<string, bool> done)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            var result = cli.Apply(file);
            Assert.True(result.ExitCode == 0, result.ToString());
            if (done(result.StandardOutput))
            {
                return result.StandardOutput;
            }

            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(90), "still draining after 90 s: " + result);
            await Task.Delay(TimeSpan.FromSeconds(2), TestContext.Current.CancellationToken);
        }
    }
}
