using System.Collections.Concurrent;
using System.Net;
using Ipvs.Cli.Care;
using Ipvs.Health.Checks;
using Ipvs.Model;
using Microsoft.Extensions.Time.Testing;

namespace Ipvs.Tests.Care;

/// <summary>
/// <c>ipvs care -f</c> with checks, as a daemon over <see cref="InMemoryIpvs"/> with fake checkers
/// and a clock that moves only when told: one runner for two services, a failure acted on by
/// both, a reload that keeps the runner, and bad checks refused before anything changes.
/// </summary>
public sealed class CareDaemonChecksTests : IDisposable
{
    private static readonly VirtualServiceKey Web = VirtualServiceKey.Parse("tcp/198.18.0.1:80");
    private static readonly VirtualServiceKey Api = VirtualServiceKey.Parse("tcp/198.18.0.2:80");
    private readonly string _file = Path.Combine(Path.GetTempPath(), $"ipvs-care-checks-{Guid.NewGuid():N}.yaml");

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        File.Delete(_file);
        File.Delete(_file + ".record");
    }

    private static string File2(string apiScheduler) => $"""
        services:
          - service: tcp/198.18.0.1:80
            scheduler: wrr
            servers: [198.18.1.1:80]
            health: {"{"}interval: 5s, checks: [{"{"}type: tcp, warmup: 0s, retry: 0{"}"}]{"}"}
          - service: tcp/198.18.0.2:80
            scheduler: {apiScheduler}
            servers: [198.18.1.1:80]
            health: {"{"}interval: 5s, checks: [{"{"}type: tcp, warmup: 0s, retry: 0{"}"}]{"}"}
        """;

    [Fact]
    public async Task TwoServices_OneRunner_BothActOnIt_AndAReloadKeepsIt()
    {
        File.WriteAllText(_file, File2("wrr"));
        string[] args = ["-f", _file, "--mode", ""];
        Assert.True(CareFlags.TryParse(args, null, _ => null, out var options, out _, out var error), error);
        var ipvs = new InMemoryIpvs();
        var time = new FakeTimeProvider();
        var down = new ConcurrentDictionary<IPAddress, bool>();
        var attempts = 0;
        using var output = new StringWriter();
        var daemon = new CareDaemon(options, new CareLog(TextWriter.Synchronized(output), LogLevel.Info, json: false, showPath: false, time), time, _ => null)
        {
            OpenIpvs = () => ipvs,
            RecordPath = _file + ".record",
            CheckerFactory = definition => new FakeChecker(definition, target =>
            {
                Interlocked.Increment(ref attempts);
                return !down.GetValueOrDefault(target.Address);
            }),
            Reloader = current => CareFlags.TryParse(args, null, _ => null, out var reloaded, out _, out var reloadError) ? (reloaded, null) : (null, reloadError),
        };

        var run = Task.Run(daemon.RunAsync, Token);
        await Until(() => ipvs.GetServices(Token).Count == 2 && daemon.Hub is { RunnerCount: 1 });
        var runner = daemon.Hub!.Runners.Single();

        // One attempt at 1 s serves both services; a failure at 6 s takes the server out of both.
        await Advance(time, 1);
        await Until(() => Volatile.Read(ref attempts) == 1);
        down[IPAddress.Parse("198.18.1.1")] = true;
        await Advance(time, 5);
        await Until(() => ipvs.GetRealServers(Web, Token).Count == 0 && ipvs.GetRealServers(Api, Token).Count == 0);
        Assert.Equal(2, Volatile.Read(ref attempts));
        Assert.Contains("tcp check of 198.18.1.1:80 failed", output.ToString(), StringComparison.Ordinal);

        // A reload that changes Api's scheduler: Api is recreated, the runner (same check, same target) stays, with its state.
        File.WriteAllText(_file, File2("rr"));
        daemon.RequestReload();
        await Until(() => ipvs.GetService(Api, Token)?.Scheduler == "rr");
        Assert.Same(runner, daemon.Hub.Runners.Single());
        Assert.Empty(ipvs.GetRealServers(Api, Token)); // still down: the shared verdict, not a fresh "up"

        daemon.RequestStop();
        Assert.Equal(0, await run.WaitAsync(TimeSpan.FromSeconds(30), Token));
    }

    [Fact]
    public async Task ACheckWithoutAChecker_IsRefused_BeforeAnythingChanges()
    {
        File.WriteAllText(_file, File2("wrr"));
        string[] args = ["-f", _file, "--mode", ""];
        Assert.True(CareFlags.TryParse(args, null, _ => null, out var options, out _, out var error), error);
        var ipvs = new InMemoryIpvs();
        var time = new FakeTimeProvider();
        using var output = new StringWriter();
        var daemon = new CareDaemon(options, new CareLog(TextWriter.Synchronized(output), LogLevel.Info, json: false, showPath: false, time), time, _ => null)
        {
            OpenIpvs = () => ipvs,
            RecordPath = _file + ".record",
            CheckerFactory = definition => throw new NotSupportedException($"{definition.Kind} checks are not available yet"),
        };

        Assert.Equal(2, await daemon.RunAsync().WaitAsync(TimeSpan.FromSeconds(30), Token));
        Assert.Empty(ipvs.GetServices(Token));
        Assert.Contains("Tcp checks are not available yet; nothing was changed", output.ToString(), StringComparison.Ordinal);
    }

    private static async Task Advance(FakeTimeProvider time, double seconds)
    {
        for (var i = 0; i < (int)Math.Round(seconds * 10); i++)
        {
            time.Advance(TimeSpan.FromMilliseconds(100));
            await Task.Delay(1, Token);
        }
    }

    private static async Task Until(Func<bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!done())
        {
            Assert.True(DateTime.UtcNow < deadline, "not reached within 20 s");
            await Task.Delay(10, Token);
        }
    }

    private sealed class FakeChecker(CheckDefinition definition, Func<CheckTarget, bool> up) : IChecker
    {
        public CheckDefinition Definition => definition;

        public ValueTask<CheckResult> CheckAsync(CheckTarget target, CancellationToken cancellationToken) =>
            ValueTask.FromResult(up(target) ? CheckResult.Up(TimeSpan.Zero) : CheckResult.Down(TimeSpan.Zero, "connection refused"));

        public void Dispose()
        {
        }
    }
}
