using System.Collections.Concurrent;
using System.Net;
using Ipvs.Health.Checks;
using Microsoft.Extensions.Time.Testing;

namespace Ipvs.Tests.Health.Checks;

/// <summary>
/// HTTP_GET's per-URL timing (keepalived 2.2.7 check_http.c epilog), on a fake clock: one URL
/// per delay_loop, retries only while up, the failed URL alone while down, and every URL again
/// before the check is up.
/// </summary>
public sealed class CheckRunnerUrlTests : IDisposable
{
    private readonly FakeTimeProvider _time = new();
    private readonly StepChecker _checker = new();
    private readonly CheckHub _hub;
    private readonly CheckSubscription _subscription;

    public CheckRunnerUrlTests()
    {
        var check = new HttpCheck
        {
            Urls = [new HttpCheckUrl { Path = "/" }, new HttpCheckUrl { Path = "/ready" }],
            Interval = TimeSpan.FromSeconds(2),
            Retry = 1,
            DelayBeforeRetry = TimeSpan.FromSeconds(1),
            Warmup = TimeSpan.Zero,
        };
        _checker.Definition = check;
        _hub = new CheckHub(_ => _checker, _time, _ => TimeSpan.Zero);
        _subscription = _hub.Subscribe(check, new CheckTarget(IPAddress.Parse("198.18.1.1"), 80, 1), (_, _) => { });
    }

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private CheckRunner Runner => _subscription.Runner;

    public void Dispose()
    {
        _subscription.Dispose();
        _hub.Dispose();
    }

    [Fact]
    public async Task OneUrlPerDelayLoop_RetriesWhileUp_FailedUrlAloneWhileDown_AllUrlsBeforeUp()
    {
        // 1 s: "/" passes; 3 s: "/ready" passes: up (two URLs, a delay_loop apart).
        await AdvanceTo(1);
        await Until(1);
        Assert.False(Runner.HasRun);
        await AdvanceTo(3);
        await Until(2);
        Assert.True(Runner.HasRun && Runner.IsUp);
        Assert.Equal(["/", "/ready"], _checker.Log);

        // "/ready" starts failing. 5 s "/" passes; 7 s "/ready" fails (retry 1: still up); 8 s fails again: down.
        _checker.Failing["/ready"] = true;
        await AdvanceTo(7);
        await Until(4);
        Assert.True(Runner.IsUp);
        await AdvanceTo(8);
        await Until(5);
        Assert.False(Runner.IsUp);

        // While down only "/ready" is tried, every max(delay_before_retry, delay_loop) = 2 s, no retries.
        await AdvanceTo(10);
        await Until(6);
        Assert.Equal(["/", "/ready", "/", "/ready", "/ready", "/ready"], _checker.Log);
        _checker.Failing["/ready"] = false;

        // 12 s "/ready" passes: not yet up; 14 s "/" and 16 s "/ready": up.
        await AdvanceTo(12);
        await Until(7);
        Assert.False(Runner.IsUp);
        await AdvanceTo(14);
        await Until(8);
        Assert.False(Runner.IsUp);
        await AdvanceTo(16);
        await Until(9);
        Assert.True(Runner.IsUp);
        Assert.Equal(["/", "/ready", "/", "/ready", "/ready", "/ready", "/ready", "/", "/ready"], _checker.Log);
    }

    private double _now;

    private async Task AdvanceTo(double seconds)
    {
        while (_now < seconds - 1e-9)
        {
            _time.Advance(TimeSpan.FromMilliseconds(100));
            _now += 0.1;
            await Task.Delay(1, Token);
        }
    }

    private async Task Until(int attempts)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (Runner.Attempts < attempts)
        {
            Assert.True(DateTime.UtcNow < deadline, $"attempt {attempts} not made; made {Runner.Attempts}");
            await Task.Delay(5, Token);
        }

        Assert.Equal(attempts, Runner.Attempts);
    }

    private sealed class StepChecker : IStepwiseChecker
    {
        public CheckDefinition Definition { get; set; } = new TcpCheck();

        public ConcurrentDictionary<string, bool> Failing { get; } = new();

        public List<string> Log { get; } = [];

        public int StepCount => ((HttpCheck)Definition).Urls.Count;

        public ValueTask<CheckResult> CheckAsync(CheckTarget target, CancellationToken cancellationToken) => throw new InvalidOperationException("the runner goes URL by URL");

        public ValueTask<CheckResult> CheckStepAsync(CheckTarget target, int step, CancellationToken cancellationToken)
        {
            var path = ((HttpCheck)Definition).Urls[step].Path;
            lock (Log)
            {
                Log.Add(path);
            }

            return ValueTask.FromResult(Failing.GetValueOrDefault(path) ? CheckResult.Down(TimeSpan.Zero, "status 500") : CheckResult.Up(TimeSpan.Zero));
        }

        public void Dispose()
        {
        }
    }
}
