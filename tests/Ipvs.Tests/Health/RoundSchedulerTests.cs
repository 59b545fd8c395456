using Ipvs.Health;

namespace Ipvs.Tests.Health;

public sealed class RoundSchedulerTests
{
    private static readonly TimeSpan s_interval = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task Rounds_StartEveryInterval_AtAFixedRate()
    {
        var time = new ManualTimeProvider();
        var scheduler = new RoundScheduler(s_interval, time);
        var starts = new List<TimeSpan>();
        using var stop = new CancellationTokenSource();
        var run = scheduler.RunAsync(_ => { lock (starts) { starts.Add(scheduler.Now); } return Task.CompletedTask; }, stop.Token);
        WaitFor(() => scheduler.Rounds == 1 && time.PendingTimers == 1);
        for (var i = 2; i <= 4; i++)
        {
            time.Advance(TimeSpan.FromSeconds(4.9));
            Assert.Equal(i - 1, scheduler.Rounds);
            time.Advance(TimeSpan.FromSeconds(0.1));
            WaitFor(() => scheduler.Rounds == i && time.PendingTimers == 1);
        }

        Assert.Equal([TimeSpan.Zero, s_interval, s_interval * 2, s_interval * 3], starts);
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
    }

    [Fact]
    public async Task OverrunningRound_NextStartsWhenItEnds_NeverTwoAtOnce_MissedTicksAreNotQueued()
    {
        var time = new ManualTimeProvider();
        var scheduler = new RoundScheduler(s_interval, time);
        var starts = new List<TimeSpan>();
        var running = 0;
        var maxRunning = 0;
        var slow = new TaskCompletionSource();
        using var stop = new CancellationTokenSource();
        var run = scheduler.RunAsync(
            async _ =>
            {
                var now = Interlocked.Increment(ref running);
                maxRunning = Math.Max(maxRunning, now);
                lock (starts)
                {
                    starts.Add(scheduler.Now);
                }

                if (starts.Count == 2)
                {
                    await slow.Task;
                }

                Interlocked.Decrement(ref running);
            },
            stop.Token);
        WaitFor(() => scheduler.Rounds == 1 && time.PendingTimers == 1);
        time.Advance(s_interval);
        WaitFor(() => scheduler.Rounds == 2);

        // The second round takes 12 s: the ticks at 10 s and 15 s pass during it.
        time.Advance(TimeSpan.FromSeconds(12));
        Assert.Equal(2, scheduler.Rounds);
        Assert.NotNull(scheduler.CurrentRoundAge);
        slow.SetResult();
        WaitFor(() => scheduler.Rounds == 3 && time.PendingTimers == 1);
        time.Advance(s_interval);
        WaitFor(() => scheduler.Rounds == 4);

        Assert.Equal([TimeSpan.Zero, s_interval, TimeSpan.FromSeconds(17), TimeSpan.FromSeconds(22)], starts);
        Assert.Equal(1, maxRunning);
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
    }

    [Fact]
    public async Task Wake_StartsTheNextRoundNow()
    {
        var time = new ManualTimeProvider();
        var scheduler = new RoundScheduler(s_interval, time);
        using var stop = new CancellationTokenSource();
        var run = scheduler.RunAsync(_ => Task.CompletedTask, stop.Token);
        WaitFor(() => scheduler.Rounds == 1 && time.PendingTimers == 1);
        time.Advance(TimeSpan.FromSeconds(1));
        scheduler.Wake();
        WaitFor(() => scheduler.Rounds == 2);
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
    }

    [Fact]
    public void Interval_MustBePositive() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new RoundScheduler(TimeSpan.Zero));

    /// <summary>
    /// The timing the lab asserts, on a fake clock: a server that stops at 3.5 s with interval
    /// 1 s, timeout 0.9 s, fall 2, rise 2 is drained within fall × interval + timeout, removed
    /// one interval later, and served again within rise × interval of coming back at 9.2 s.
    /// </summary>
    [Fact]
    public async Task StoppedServer_DrainedWithinFallTimesIntervalPlusTimeout_BackWithinRiseTimesInterval()
    {
        var time = new ManualTimeProvider();
        var options = new HealthCheckOptions { Interval = TimeSpan.FromSeconds(1), Timeout = TimeSpan.FromSeconds(10), Fall = 2, Rise = 2 };
        Assert.Equal(TimeSpan.FromSeconds(0.9), options.EffectiveTimeout);
        var health = ServiceHealthTests.Create(2, options);
        var scheduler = new RoundScheduler(options.Interval, time);
        var phases = new List<(TimeSpan At, RealServerPhase Phase)>();
        using var stop = new CancellationTokenSource();
        var run = scheduler.RunAsync(
            _ =>
            {
                var now = scheduler.Now;
                var down = now >= TimeSpan.FromSeconds(3.5) && now < TimeSpan.FromSeconds(9.2);
                health.Record([ProbeResult.Healthy(TimeSpan.Zero), down ? ProbeResult.Unhealthy(options.EffectiveTimeout, "timed out") : ProbeResult.Healthy(TimeSpan.Zero)], now);
                lock (phases)
                {
                    phases.Add((now, health.Desired(now)[1].Phase));
                }

                return Task.CompletedTask;
            },
            stop.Token);
        for (var i = 1; i <= 14; i++)
        {
            WaitFor(() => scheduler.Rounds == i && time.PendingTimers == 1);
            time.Advance(options.Interval);
        }

        var drained = phases.First(p => p.Phase == RealServerPhase.Draining).At;
        var removed = phases.First(p => p.Phase == RealServerPhase.Removed).At;
        var back = phases.First(p => p.At > removed && p.Phase == RealServerPhase.Serving).At;
        Assert.Equal(TimeSpan.FromSeconds(5), drained);
        Assert.True(drained - TimeSpan.FromSeconds(3.5) <= (options.Interval * options.Fall) + options.EffectiveTimeout);
        Assert.Equal(TimeSpan.FromSeconds(6), removed);
        Assert.Equal(TimeSpan.FromSeconds(11), back);
        Assert.True(back - TimeSpan.FromSeconds(9.2) <= options.Interval * options.Rise);
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
    }

    /// <summary>Waits (in real time, briefly) for the scheduler's continuations, which run on the thread pool.</summary>
    private static void WaitFor(Func<bool> condition)
    {
        var deadline = Environment.TickCount64 + 10_000;
        while (!condition())
        {
            Assert.True(Environment.TickCount64 < deadline, "timed out waiting for the scheduler");
            Thread.Sleep(1);
        }
    }
}
