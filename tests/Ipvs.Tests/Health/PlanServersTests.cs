using System.Net;
using Ipvs.Health;
using Ipvs.Model;

namespace Ipvs.Tests.Health;

public sealed class PlanServersTests
{
    private static readonly VirtualServiceKey s_key = VirtualServiceKey.Parse("tcp/198.18.200.1:443");

    [Fact]
    public void Plan_AddsMissing_UpdatesChanged_DeletesRemoved_LeavesOthersAlone()
    {
        var health = ServiceHealthTests.Create(4, new HealthCheckOptions { DrainTimeout = TimeSpan.Zero });
        health.Record([ProbeResult.Healthy(TimeSpan.Zero), ProbeResult.Healthy(TimeSpan.Zero), ProbeResult.Healthy(TimeSpan.Zero), ProbeResult.Unhealthy(TimeSpan.Zero, "x")], TimeSpan.Zero);
        var desired = health.Desired(TimeSpan.Zero);
        RealServer[] present =
        [
            // 1 missing; 2 weight changed by someone; 3 forwarding changed; 4 must go; 5 is not ours.
            new RealServer(IPAddress.Parse("198.18.2.2"), 443) { Weight = 9 },
            new RealServer(IPAddress.Parse("198.18.3.2"), 443) { ForwardingMethod = ForwardingMethod.DirectRoute },
            new RealServer(IPAddress.Parse("198.18.4.2"), 443),
            new RealServer(IPAddress.Parse("198.18.5.2"), 443),
        ];
        var operations = VirtualServiceKeeper.PlanServers(s_key, present, desired).ToList();
        Assert.Collection(
            operations,
            o => Assert.Equal(IpvsOperation.AddRealServer(s_key, new RealServer(IPAddress.Parse("198.18.1.2"), 443)), o),
            o => Assert.Equal(IpvsOperation.UpdateRealServer(s_key, new RealServer(IPAddress.Parse("198.18.2.2"), 443)), o),
            o => Assert.Equal(IpvsOperation.UpdateRealServer(s_key, new RealServer(IPAddress.Parse("198.18.3.2"), 443)), o),
            o => Assert.Equal(IpvsOperation.DeleteRealServer(s_key, IPAddress.Parse("198.18.4.2"), 443), o));
    }

    [Fact]
    public void Plan_MissingService_CreatesItThenEveryServer()
    {
        var health = ServiceHealthTests.Create(2, new HealthCheckOptions());
        var service = new VirtualService(s_key) { Scheduler = "rr" };
        var operations = VirtualServiceKeeper.Plan(null, service, [new RealServer(IPAddress.Parse("198.18.9.9"), 443)], health.Desired(TimeSpan.Zero));
        Assert.Equal(3, operations.Count);
        Assert.Equal(IpvsOperation.AddService(service), operations[0]);
        Assert.All(operations.Skip(1), o => Assert.IsType<AddRealServerOperation>(o));
    }

    [Fact]
    public void Plan_SchedulerChanged_UpdatesTheService_NothingElseWhenTheTableMatches()
    {
        var health = ServiceHealthTests.Create(1, new HealthCheckOptions());
        var service = new VirtualService(s_key) { Scheduler = "rr" };
        var present = new[] { new RealServer(IPAddress.Parse("198.18.1.2"), 443) { ActiveConnections = 4 } };
        Assert.Empty(VirtualServiceKeeper.Plan(service, service, present, health.Desired(TimeSpan.Zero)));
        var operations = VirtualServiceKeeper.Plan(service with { Scheduler = "wlc" }, service, present, health.Desired(TimeSpan.Zero));
        Assert.Equal([IpvsOperation.UpdateService(service)], operations);
    }
}
