using System.Net;
using Ipvs.Health;
using Ipvs.Model;

namespace Ipvs.Tests.Health;

public sealed class ServiceHealthTests
{
    private static readonly TimeSpan s_interval = TimeSpan.FromSeconds(5);
    private static readonly ProbeResult s_ok = ProbeResult.Healthy(TimeSpan.FromMilliseconds(3));
    private static readonly ProbeResult s_fail = ProbeResult.Unhealthy(TimeSpan.FromMilliseconds(3), "connection refused");

    [Fact]
    public void Defaults_ReproduceLvscare_FailureDrains_NextFailureRemoves_SuccessRestores()
    {
        var health = Create(2, new HealthCheckOptions { Interval = s_interval });
        Assert.All(health.Desired(T(0)), d => Assert.Equal(RealServerPhase.Serving, d.Phase));

        health.Record([s_ok, s_ok], T(0));
        health.Record([s_ok, s_fail], T(1));
        Assert.Equal([RealServerPhase.Serving, RealServerPhase.Draining], Phases(health, T(1)));
        Assert.Equal(0, health.Desired(T(1))[1].Weight);
        health.Record([s_ok, s_fail], T(2));
        Assert.Equal([RealServerPhase.Serving, RealServerPhase.Removed], Phases(health, T(2)));
        health.Record([s_ok, s_ok], T(3));
        Assert.Equal([RealServerPhase.Serving, RealServerPhase.Serving], Phases(health, T(3)));
        Assert.Equal(RealServerHealthState.Healthy, health.Servers[1].State);
    }

    [Fact]
    public void NotYetProbed_IsServed_FirstSuccessMakesItHealthy()
    {
        var health = Create(1, new HealthCheckOptions { Rise = 3 });
        Assert.Equal(RealServerHealthState.Unknown, health.Servers[0].State);
        Assert.Equal(RealServerPhase.Serving, health.Desired(T(0))[0].Phase);
        var outcome = health.Record([s_ok], T(0));
        Assert.Equal(RealServerHealthState.Healthy, health.Servers[0].State);
        Assert.Equal(RealServerHealthState.Unknown, Assert.Single(outcome.Transitions).Previous);
    }

    [Fact]
    public void Fall_NeedsThatManyConsecutiveFailures_ASuccessResetsTheCount()
    {
        var health = Create(2, new HealthCheckOptions { Interval = s_interval, Fall = 3 });
        health.Record([s_ok, s_ok], T(0));
        health.Record([s_ok, s_fail], T(1));
        health.Record([s_ok, s_fail], T(2));
        health.Record([s_ok, s_ok], T(3));
        health.Record([s_ok, s_fail], T(4));
        health.Record([s_ok, s_fail], T(5));
        Assert.Equal(RealServerHealthState.Healthy, health.Servers[1].State);
        var outcome = health.Record([s_ok, s_fail], T(6));
        Assert.Equal(RealServerHealthState.Unhealthy, health.Servers[1].State);
        Assert.Equal(3, health.Servers[1].ConsecutiveFailures);
        Assert.Single(outcome.Transitions);
        Assert.Equal(RealServerPhase.Draining, health.Desired(T(6))[1].Phase);
    }

    [Fact]
    public void Rise_NeedsThatManyConsecutiveSuccesses()
    {
        var health = Create(2, new HealthCheckOptions { Interval = s_interval, Rise = 2 });
        health.Record([s_ok, s_fail], T(0));
        health.Record([s_ok, s_ok], T(1));
        Assert.Equal(RealServerHealthState.Unhealthy, health.Servers[1].State);
        health.Record([s_ok, s_fail], T(2));
        health.Record([s_ok, s_ok], T(3));
        Assert.Equal(RealServerHealthState.Unhealthy, health.Servers[1].State);
        health.Record([s_ok, s_ok], T(4));
        Assert.Equal(RealServerHealthState.Healthy, health.Servers[1].State);
        Assert.Equal(RealServerPhase.Serving, health.Desired(T(4))[1].Phase);
    }

    [Fact]
    public void DrainTimeout_KeepsWeightZeroUntilItEnds_CountedInRounds()
    {
        var health = Create(2, new HealthCheckOptions { Interval = s_interval, DrainTimeout = TimeSpan.FromSeconds(12) });
        health.Record([s_ok, s_fail], T(0));
        for (var round = 1; round <= 2; round++)
        {
            health.Record([s_ok, s_fail], T(round));
            Assert.Equal(RealServerPhase.Draining, health.Desired(T(round))[1].Phase);
        }

        // 15 s after the drain began (the first round at or past 12 s).
        health.Record([s_ok, s_fail], T(3));
        Assert.Equal(RealServerPhase.Removed, health.Desired(T(3))[1].Phase);
    }

    [Fact]
    public void DrainTimeoutZero_RemovesAtOnce()
    {
        var health = Create(2, new HealthCheckOptions { DrainTimeout = TimeSpan.Zero });
        health.Record([s_ok, s_fail], T(0));
        Assert.Equal(RealServerPhase.Removed, health.Desired(T(0))[1].Phase);
    }

    [Fact]
    public void EveryServerUnhealthy_PanicKeepsThemAllServing_LeavingPanicRestartsTheDrain()
    {
        var health = Create(3, new HealthCheckOptions { Interval = s_interval });
        health.Record([s_ok, s_fail, s_fail], T(0));
        health.Record([s_ok, s_fail, s_fail], T(1));
        Assert.Equal([RealServerPhase.Serving, RealServerPhase.Removed, RealServerPhase.Removed], Phases(health, T(1)));

        var outcome = health.Record([s_fail, s_fail, s_fail], T(2));
        Assert.True(outcome.PanicChanged);
        Assert.True(health.InPanic);
        Assert.All(health.Desired(T(2)), d => Assert.Equal(RealServerPhase.Serving, d.Phase));
        Assert.All(health.Desired(T(2)), d => Assert.Equal(1, d.Weight));

        health.Record([s_fail, s_fail, s_fail], T(3));
        Assert.True(health.InPanic);
        Assert.All(health.Desired(T(3)), d => Assert.Equal(RealServerPhase.Serving, d.Phase));

        // One recovers: the others drain from now, and go one interval later.
        outcome = health.Record([s_fail, s_ok, s_fail], T(4));
        Assert.True(outcome.PanicChanged);
        Assert.False(health.InPanic);
        Assert.Equal([RealServerPhase.Draining, RealServerPhase.Serving, RealServerPhase.Draining], Phases(health, T(4)));
        health.Record([s_fail, s_ok, s_fail], T(5));
        Assert.Equal([RealServerPhase.Removed, RealServerPhase.Serving, RealServerPhase.Removed], Phases(health, T(5)));
    }

    [Fact]
    public void FailClosed_EveryServerUnhealthy_DrainsAndRemovesThemAll()
    {
        var health = Create(2, new HealthCheckOptions { Interval = s_interval, FailClosed = true });
        var outcome = health.Record([s_fail, s_fail], T(0));
        Assert.False(outcome.PanicChanged);
        Assert.False(health.InPanic);
        Assert.Equal([RealServerPhase.Draining, RealServerPhase.Draining], Phases(health, T(0)));
        health.Record([s_fail, s_fail], T(1));
        Assert.Equal([RealServerPhase.Removed, RealServerPhase.Removed], Phases(health, T(1)));
    }

    [Fact]
    public void SingleServer_PanicKeepsIt()
    {
        var health = Create(1, new HealthCheckOptions());
        health.Record([s_fail], T(0));
        health.Record([s_fail], T(1));
        Assert.True(health.InPanic);
        Assert.Equal(RealServerPhase.Serving, health.Desired(T(1))[0].Phase);
    }

    [Fact]
    public void Weight_IsTheConfiguredOneWhenServing()
    {
        var health = new ServiceHealth([new RealServer(IPAddress.Parse("198.18.1.2"), 443) { Weight = 7 }, new RealServer(IPAddress.Parse("198.18.1.3"), 443)], new HealthCheckOptions());
        health.Record([s_ok, s_ok], T(0));
        Assert.Equal(7, health.Desired(T(0))[0].Weight);
        Assert.Equal(7, health.Desired(T(0))[0].ToRealServer().Weight);
        health.Record([s_fail, s_ok], T(1));
        Assert.Equal(0, health.Desired(T(1))[0].ToRealServer().Weight);
    }

    [Fact]
    public void Record_WrongNumberOfResults_Throws()
    {
        var health = Create(2, new HealthCheckOptions());
        Assert.Throws<ArgumentException>(() => health.Record([s_ok], T(0)));
    }

    [Fact]
    public void Counters_CountEveryProbe()
    {
        var health = Create(1, new HealthCheckOptions());
        health.Record([s_ok], T(0));
        health.Record([s_fail], T(1));
        health.Record([s_ok], T(2));
        Assert.Equal(2, health.Servers[0].SuccessCount);
        Assert.Equal(1, health.Servers[0].FailureCount);
        Assert.Equal(s_ok, health.Servers[0].LastProbe);
    }

    internal static ServiceHealth Create(int servers, HealthCheckOptions options) =>
        new(Enumerable.Range(1, servers).Select(i => new RealServer(IPAddress.Parse($"198.18.{i}.2"), 443)), options);

    private static TimeSpan T(int round) => s_interval * round;

    private static RealServerPhase[] Phases(ServiceHealth health, TimeSpan now) => health.Desired(now).Select(d => d.Phase).ToArray();
}
