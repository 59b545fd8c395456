using System.Net;
using Ipvs.Cli.Care;
using Ipvs.Model;
using Microsoft.Extensions.Time.Testing;

namespace Ipvs.Tests.Care;

/// <summary>
/// <c>ipvs care -f</c> as a daemon over <see cref="InMemoryIpvs"/>, with a clock that moves only
/// when told: the rules it creates, drift put back at the next round, a reload that keeps what did
/// not change, and the clean-up on stop. The lab keeps what needs real servers and signals.
/// </summary>
public sealed class CareDaemonInMemoryTests : IDisposable
{
    private static readonly VirtualServiceKey Web = VirtualServiceKey.Parse("tcp/198.18.0.1:80");
    private static readonly VirtualServiceKey Api = VirtualServiceKey.Parse("tcp/198.18.0.2:443");
    private static readonly VirtualServiceKey Dns = VirtualServiceKey.Parse("udp/198.18.0.3:53");
    private readonly string _file = Path.Combine(Path.GetTempPath(), $"ipvs-care-{Guid.NewGuid():N}.yaml");

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        File.Delete(_file);
        File.Delete(_file + ".record");
    }

    [Fact]
    public async Task Daemon_KeepsTheFile_RepairsDrift_ReloadsWhatChanged_AndCleansUpOnStop()
    {
        File.WriteAllText(_file, """
            services:
              - service: tcp/198.18.0.1:80
                scheduler: rr
                servers: [198.18.1.1:8080, 198.18.1.2:8080]
                health: {type: none, interval: 5s}
              - service: tcp/198.18.0.2:443
                servers: [198.18.1.3:8443]
                health: {type: none, interval: 5s}
            """);
        // No route or link mode (an empty --mode): nothing of the host is touched.
        string[] args = ["-f", _file, "--mode", "", "--clean-on-exit"];
        Assert.True(CareFlags.TryParse(args, null, _ => null, out var options, out _, out var error), error);
        var ipvs = new InMemoryIpvs();
        var time = new FakeTimeProvider();
        using var output = new StringWriter();
        var daemon = new CareDaemon(options, new CareLog(TextWriter.Synchronized(output), LogLevel.Info, json: false, showPath: false, time), time, _ => null)
        {
            OpenIpvs = () => ipvs,
            RecordPath = _file + ".record",
            Reloader = current => CareFlags.TryParse(args, null, _ => null, out var reloaded, out _, out var reloadError) ? (reloaded, null) : (null, reloadError),
        };

        var run = Task.Run(daemon.RunAsync, Token);
        await Until(() => ipvs.GetServices(Token).Count == 2);
        Assert.Equal(["198.18.1.1:8080", "198.18.1.2:8080"], Servers(ipvs, Web));

        // Someone deletes a real server: the next round (5 s later) puts it back.
        ipvs.DeleteRealServer(Web, IPAddress.Parse("198.18.1.2"), 8080, Token);
        await Until(() =>
        {
            time.Advance(TimeSpan.FromSeconds(1));
            return Servers(ipvs, Web).Count == 2;
        });

        // A reload: Web unchanged (kept, not recreated: its counters survive), Api gone, Dns new.
        ipvs.SetStatistics(Web, new IpvsStatistics { Connections = 42 });
        File.WriteAllText(_file, """
            services:
              - service: tcp/198.18.0.1:80
                scheduler: rr
                servers: [198.18.1.1:8080, 198.18.1.2:8080]
                health: {type: none, interval: 5s}
              - service: udp/198.18.0.3:53
                servers: [198.18.1.4]
                health: {type: none, interval: 5s}
            """);
        daemon.RequestReload();
        await Until(() => ipvs.GetService(Dns, Token) is not null && ipvs.GetService(Api, Token) is null);
        Assert.Equal(42ul, ipvs.GetService(Web, Token)!.Statistics!.Connections);

        daemon.RequestStop();
        Assert.Equal(0, await run.WaitAsync(TimeSpan.FromSeconds(30), Token));
        Assert.Empty(ipvs.GetServices(Token));
        Assert.Contains("SIGHUP: re-read", output.ToString(), StringComparison.Ordinal);
    }

    private static List<string> Servers(InMemoryIpvs ipvs, VirtualServiceKey key) =>
        [.. IpvsOrder.Servers(ipvs.GetRealServers(key, Token)).Select(s => s.Endpoint)];

    // The daemon runs on its own threads: wait (in real time, bounded) for what it must do.
    private static async Task Until(Func<bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!done())
        {
            Assert.True(DateTime.UtcNow < deadline, "not reached within 20 s");
            await Task.Delay(10, Token);
        }
    }
}
