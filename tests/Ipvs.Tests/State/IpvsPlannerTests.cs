using System.Net;
using Ipvs.Model;
using Ipvs.State;

namespace Ipvs.Tests.State;

public sealed class IpvsPlannerTests
{
    private static readonly DateTimeOffset s_now = new(2025, 1, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly VirtualServiceKey s_web = VirtualServiceKey.Parse("tcp/198.51.100.1:80");
    private static readonly VirtualServiceKey s_old = VirtualServiceKey.Parse("tcp/198.51.100.9:80");

    [Fact]
    public void Plan_LinesSayWhatChanges_InFileOrderThenRemovals()
    {
        var current = new List<IpvsTableEntry>
        {
            new(new VirtualService(s_web) { Scheduler = "wlc" },
            [
                Server("192.0.2.11", 8080, weight: 1),
                Server("192.0.2.13", 8080, weight: 2),
                Server("192.0.2.12", 8080, weight: 2, active: 5, inactive: 2),
            ]),
            new(new VirtualService(s_old), [Server("192.0.2.90", 80, weight: 1)]),
        };
        var desired = Config("""
            services:
              - service: tcp/198.51.100.1:80
                scheduler: rr
                persistent: 600
                servers:
                  - 192.0.2.10:8080
                  - {server: 192.0.2.11:8080, weight: 3, upper-threshold: 10}
              - service: udp/198.51.100.2:53
                one-packet: true
                servers: ["192.0.2.20"]
            """);

        var plan = IpvsPlanner.Plan(current, desired, new IpvsPlanOptions { Prune = true, Now = s_now });

        Assert.Equal(
        [
            "~ service tcp/198.51.100.1:80 scheduler wlc -> rr, persistent false -> 600",
            "+ server tcp/198.51.100.1:80 192.0.2.10:8080 forward=masq weight=1",
            "~ server tcp/198.51.100.1:80 192.0.2.11:8080 weight 1 -> 3, upper-threshold 0 -> 10",
            "~ server tcp/198.51.100.1:80 192.0.2.12:8080 weight 2 -> 0 (draining: 5 active, 2 inactive connections)",
            "- server tcp/198.51.100.1:80 192.0.2.13:8080 (no connections)",
            "+ service udp/198.51.100.2:53 scheduler=wlc one-packet",
            "+ server udp/198.51.100.2:53 192.0.2.20:53 forward=masq weight=1",
            "- service tcp/198.51.100.9:80 (not in the file; its real server has no connections)",
        ],
            plan.Changes.Select(c => c.ToString()));
        var draining = Assert.Single(plan.Draining);
        Assert.Equal(new RealServerId(s_web, IPAddress.Parse("192.0.2.12"), 8080), draining.Id);
        Assert.Equal(s_now + IpvsPlanOptions.DefaultDrainTimeout, draining.Deadline);
        Assert.Equal(new SourceLocation("x.yaml", 7, 9), plan.Changes[2].Location);
    }

    [Theory]
    [InlineData(10)]
    [InlineData(64)]
    [InlineData(65)]
    [InlineData(300)]
    public void Plan_MatchesServersByAddressAndPort_WhateverTheirNumber(int count)
    {
        // Both ways of matching (a linear search for up to 64 servers, an index above): the
        // kernel's servers .1 to .N; the file drops .1 and .2, changes .5's weight, adds two.
        var current = new List<IpvsTableEntry>
        {
            new(new VirtualService(s_web), [.. Enumerable.Range(1, count).Reverse().Select(i => Server(Address(i), 8080, weight: 1, active: i == 2 ? 1u : 0))]),
        };
        var servers = Enumerable.Range(3, count).Select(i => i == 5 ? $"{{server: {Address(i)}:8080, weight: 4}}" : Address(i) + ":8080");
        var desired = Config("services:\n  - service: tcp/198.51.100.1:80\n    servers: [" + string.Join(", ", servers) + "]\n");

        var plan = IpvsPlanner.Plan(current, desired, new IpvsPlanOptions { Now = s_now });

        Assert.Equal(
        [
            $"~ server tcp/198.51.100.1:80 {Address(5)}:8080 weight 1 -> 4",
            $"+ server tcp/198.51.100.1:80 {Address(count + 1)}:8080 forward=masq weight=1",
            $"+ server tcp/198.51.100.1:80 {Address(count + 2)}:8080 forward=masq weight=1",
            $"- server tcp/198.51.100.1:80 {Address(1)}:8080 (no connections)",
            $"~ server tcp/198.51.100.1:80 {Address(2)}:8080 weight 1 -> 0 (draining: 1 active, 0 inactive connections)",
        ],
            plan.Changes.Select(c => c.ToString()));

        static string Address(int i) => $"192.0.2.{i / 250}.{i % 250}".Replace("192.0.2.", "192.0.", StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_WithoutPrune_LeavesOtherServicesAlone()
    {
        var current = new List<IpvsTableEntry> { new(new VirtualService(s_old), [Server("192.0.2.90", 80, weight: 1)]) };

        var plan = IpvsPlanner.Plan(current, Config("services: []"), new IpvsPlanOptions { Now = s_now });

        Assert.True(plan.IsInSync);
    }

    [Fact]
    public void Prune_OfAServiceWithConnections_DrainsItsServers_AndKeepsIt()
    {
        var current = new List<IpvsTableEntry>
        {
            new(new VirtualService(s_old), [Server("192.0.2.90", 80, weight: 4, active: 1), Server("192.0.2.91", 80, weight: 1)]),
        };

        var plan = IpvsPlanner.Plan(current, Config("services: []"), new IpvsPlanOptions { Prune = true, Now = s_now });

        Assert.Equal(
        [
            "~ server tcp/198.51.100.9:80 192.0.2.90:80 weight 4 -> 0 (draining: 1 active, 0 inactive connections)",
            "- server tcp/198.51.100.9:80 192.0.2.91:80 (no connections)",
        ],
            plan.Changes.Select(c => c.ToString()));
    }

    [Fact]
    public void ServerAtWeightZero_NotInTheFile_IsDrainedFromWhenItIsFirstSeen_AndPersistenceTemplatesCount()
    {
        var current = new List<IpvsTableEntry>
        {
            new(new VirtualService(s_web) { Flags = ServiceFlags.Persistent, Timeout = TimeSpan.FromSeconds(300) }, [Server("192.0.2.12", 80, weight: 0, templates: 2)]),
        };
        var desired = Config("services:\n  - service: tcp/198.51.100.1:80\n    persistent: 300\n");

        var plan = IpvsPlanner.Plan(current, desired, new IpvsPlanOptions { Now = s_now });

        Assert.Empty(plan.Changes);
        var draining = Assert.Single(plan.Draining);
        Assert.Equal(s_now, draining.Since);
        Assert.Equal("0 active, 0 inactive connections, 2 persistence templates", draining.DescribeConnections());
    }

    [Fact]
    public void ServerBackInTheFile_GetsItsWeightBack_AndIsNoLongerDraining()
    {
        var current = new List<IpvsTableEntry> { new(new VirtualService(s_web), [Server("192.0.2.12", 80, weight: 0, active: 3)]) };
        var state = new Dictionary<RealServerId, DateTimeOffset> { [new(s_web, IPAddress.Parse("192.0.2.12"), 80)] = s_now.AddMinutes(-1) };

        var plan = IpvsPlanner.Plan(current, Config("services:\n  - service: tcp/198.51.100.1:80\n    servers: [192.0.2.12]\n"), new IpvsPlanOptions { Now = s_now, DrainState = state });

        Assert.Equal(["~ server tcp/198.51.100.1:80 192.0.2.12:80 weight 0 -> 1"], plan.Changes.Select(c => c.ToString()));
        Assert.Empty(plan.Draining);
        Assert.Empty(plan.DrainState);
    }

    [Fact]
    public void TimeoutWithoutPersistence_IsNotADifference()
    {
        var current = new List<IpvsTableEntry> { new(new VirtualService(s_web) { Timeout = TimeSpan.FromSeconds(30) }, []) };

        Assert.True(IpvsPlanner.Plan(current, Config("services: [tcp/198.51.100.1:80]"), new IpvsPlanOptions()).IsInSync);
    }

    private static RealServer Server(string address, ushort port, int weight, uint active = 0, uint inactive = 0, uint templates = 0) =>
        new(IPAddress.Parse(address), port) { Weight = weight, ActiveConnections = active, InactiveConnections = inactive, PersistentConnections = templates };

    private static IpvsConfig Config(string yaml) => IpvsConfigReader.Parse(yaml, "x.yaml").GetConfigOrThrow();
}
