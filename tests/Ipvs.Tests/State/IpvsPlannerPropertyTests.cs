using System.Net;
using FsCheck;
using FsCheck.Fluent;
using Ipvs.Model;
using Ipvs.State;

namespace Ipvs.Tests.State;

/// <summary>
/// Properties of the planner over random kernel tables and random configurations: executing the
/// plan on a simulated kernel gives the configuration, the plan touches exactly the objects that
/// differ, and draining keeps servers with connections.
/// </summary>
public sealed class IpvsPlannerPropertyTests
{
    private static readonly DateTimeOffset s_now = new(2025, 1, 1, 12, 0, 0, TimeSpan.Zero);

    private static readonly VirtualServiceKey[] s_keys =
    [
        VirtualServiceKey.Parse("tcp/198.51.100.1:80"),
        VirtualServiceKey.Parse("tcp/198.51.100.1:443"),
        VirtualServiceKey.Parse("udp/198.51.100.2:53"),
        VirtualServiceKey.Parse("fwmark/1"),
        VirtualServiceKey.Parse("fwmark6/2"),
        VirtualServiceKey.Parse("tcp/[2001:db8::1]:80"),
    ];

    private static readonly Config s_config = Config.QuickThrowOnFailure.WithMaxTest(400);

    [Fact]
    public void ExecutingThePlan_WithoutConnections_YieldsTheDesiredState() =>
        Prop.ForAll(Scenarios(withConnections: false).ToArbitrary(), scenario =>
        {
            var plan = IpvsPlanner.Plan(scenario.Current, scenario.Desired, Options(scenario.Prune));
            var result = Simulate(scenario.Current, plan);
            Assert.Empty(result.Failures);
            AssertMatches(scenario, result.Table);
            Assert.Empty(plan.Draining);
        }).Check(s_config);

    [Fact]
    public void ThePlan_IsMinimal_OneChangePerDifferingObject() =>
        Prop.ForAll(Scenarios(withConnections: false).ToArbitrary(), scenario =>
        {
            var plan = IpvsPlanner.Plan(scenario.Current, scenario.Desired, Options(scenario.Prune));
            Assert.Equal(ExpectedChangeCount(scenario), plan.Changes.Count);
            // No change may touch an object that already matches.
            foreach (var change in plan.Changes.Where(c => c.Action == ChangeAction.Update))
            {
                Assert.NotEmpty(change.Settings);
            }
        }).Check(s_config);

    [Fact]
    public void PlanningAgain_AfterExecuting_IsEmpty_AndPlansAreDeterministic() =>
        Prop.ForAll(Scenarios(withConnections: false).ToArbitrary(), scenario =>
        {
            var plan = IpvsPlanner.Plan(scenario.Current, scenario.Desired, Options(scenario.Prune));
            var again = IpvsPlanner.Plan(scenario.Current, scenario.Desired, Options(scenario.Prune));
            Assert.Equal(plan.Changes.Select(c => c.ToString()), again.Changes.Select(c => c.ToString()));

            var after = Simulate(scenario.Current, plan).Table;
            Assert.True(IpvsPlanner.Plan(after, scenario.Desired, Options(scenario.Prune)).IsInSync);
        }).Check(s_config);

    [Fact]
    public void RemovedServersWithConnections_AreDrainedNotDeleted_ThenDeletedOnceIdle() =>
        Prop.ForAll(Scenarios(withConnections: true).ToArbitrary(), scenario =>
        {
            var options = Options(scenario.Prune) with { DrainTimeout = TimeSpan.FromMinutes(5) };
            var plan = IpvsPlanner.Plan(scenario.Current, scenario.Desired, options);
            var first = Simulate(scenario.Current, plan);
            Assert.Empty(first.Failures);

            var leaving = Leaving(scenario);
            foreach (var (key, server) in leaving)
            {
                var id = new RealServerId(key, server.Address, server.Port);
                var stillThere = Find(first.Table, key, server);
                if (HasConnections(server))
                {
                    // Kept, at weight 0, remembered as draining since now.
                    Assert.NotNull(stillThere);
                    Assert.Equal(0, stillThere.Weight);
                    Assert.Equal(s_now, plan.DrainState[id]);
                    Assert.Contains(plan.Draining, d => d.Id == id);
                }
                else
                {
                    Assert.Null(stillThere);
                    Assert.False(plan.DrainState.ContainsKey(id));
                }
            }

            Assert.Equal(leaving.Count(l => HasConnections(l.Server)), plan.Draining.Count);

            // Once the connections are gone, the next pass deletes exactly the drained servers.
            var idle = first.Table.Select(e => e with { RealServers = [.. e.RealServers.Select(IpvsConfig.Desired)] }).ToList();
            var second = IpvsPlanner.Plan(idle, scenario.Desired, options with { Now = s_now.AddSeconds(30), DrainState = plan.DrainState });
            Assert.All(second.Changes, c => Assert.Equal(ChangeAction.Delete, c.Action));
            Assert.Empty(second.Draining);
            AssertMatches(scenario, Simulate(idle, second).Table);
        }).Check(s_config);

    [Fact]
    public void DrainTimeout_DeletesServersStillConnected() =>
        Prop.ForAll(Scenarios(withConnections: true).ToArbitrary(), scenario =>
        {
            var options = Options(scenario.Prune) with { DrainTimeout = TimeSpan.FromMinutes(5) };
            var first = IpvsPlanner.Plan(scenario.Current, scenario.Desired, options);
            var after = Simulate(scenario.Current, first).Table;

            // Connections never end; 5 minutes later the deadline has passed.
            var late = IpvsPlanner.Plan(after, scenario.Desired, options with { Now = s_now.AddMinutes(5), DrainState = first.DrainState });
            Assert.Empty(late.Draining);
            Assert.All(late.Changes, c => Assert.Equal(ChangeAction.Delete, c.Action));
            Assert.All(late.Changes.Where(c => c.Server is not null), c => Assert.Equal(DrainStage.TimedOut, c.Drain));
            AssertMatches(scenario, Simulate(after, late).Table);

            // A minute earlier they were still draining, and nothing changed.
            var early = IpvsPlanner.Plan(after, scenario.Desired, options with { Now = s_now.AddMinutes(4), DrainState = first.DrainState });
            Assert.Empty(early.Changes);
            Assert.Equal(first.Draining.Count, early.Draining.Count);
        }).Check(s_config);

    [Fact]
    public void DrainTimeoutZero_DeletesAtOnce() =>
        Prop.ForAll(Scenarios(withConnections: true).ToArbitrary(), scenario =>
        {
            var plan = IpvsPlanner.Plan(scenario.Current, scenario.Desired, Options(scenario.Prune) with { DrainTimeout = TimeSpan.Zero });
            Assert.Empty(plan.Draining);
            AssertMatches(scenario, Simulate(scenario.Current, plan).Table);
        }).Check(s_config);

    // ---- the model ----

    internal sealed record Scenario(List<IpvsTableEntry> Current, IpvsConfig Desired, bool Prune)
    {
        public override string ToString() =>
            $"prune={Prune}\ncurrent:\n{string.Join('\n', Current.Select(e => $"  {e.Service.Key} {PlannedChange.Describe(e.Service)}: {string.Join(", ", e.RealServers.Select(s => s.Endpoint + " " + PlannedChange.Describe(s) + $" c={s.ActiveConnections}/{s.InactiveConnections}/{s.PersistentConnections}"))}"))}\ndesired:\n{IpvsConfigWriter.ToYaml(Desired)}";
    }

    private static IpvsPlanOptions Options(bool prune) => new() { Prune = prune, Now = s_now, DrainTimeout = TimeSpan.FromMinutes(5) };

    private static Gen<Scenario> Scenarios(bool withConnections) =>
        from current in Gen.SubListOf(s_keys).SelectMany(keys => Gen.CollectToList(keys.Select(k => Entry(k, withConnections))))
        from desired in Gen.SubListOf(s_keys).SelectMany(keys => Gen.Shuffle(keys.ToArray())).SelectMany(keys => Gen.CollectToList(keys.Select(DesiredService)))
        from prune in Gen.Elements(true, false)
        select new Scenario([.. current], new IpvsConfig([.. desired]), prune);

    private static Gen<IpvsTableEntry> Entry(VirtualServiceKey key, bool withConnections) =>
        from service in ServiceSettings(key)
        from servers in Gen.SubListOf(ServerPool(key)).SelectMany(pool => Gen.CollectToList(pool.Select(e => Server(e.Address, e.Port, key, withConnections))))
        select new IpvsTableEntry(service, [.. servers]);

    private static Gen<VirtualServiceConfig> DesiredService(VirtualServiceKey key) =>
        from service in ServiceSettings(key)
        from servers in Gen.SubListOf(ServerPool(key)).SelectMany(pool => Gen.Shuffle(pool.ToArray())).SelectMany(pool => Gen.CollectToList(pool.Select(e => Server(e.Address, e.Port, key, false))))
        select new VirtualServiceConfig(service, [.. servers.Select(s => new RealServerConfig(s))]);

    private static Gen<VirtualService> ServiceSettings(VirtualServiceKey key) =>
        from scheduler in Gen.Elements("rr", "wlc", "sh")
        from persistent in Gen.Elements(false, true)
        from timeout in Gen.Elements(60u, 360u)
        from stray in Gen.Elements(0u, 30u) // ipvsadm sends timeout 0 without persistence; others may not
        from port in Gen.Elements(ServiceFlags.None, ServiceFlags.Scheduler2)
        from onePacket in Gen.Elements(ServiceFlags.None, ServiceFlags.OnePacket)
        select new VirtualService(key)
        {
            Scheduler = scheduler,
            Flags = (persistent ? ServiceFlags.Persistent : ServiceFlags.None) | (scheduler == "sh" ? port : ServiceFlags.None) | onePacket,
            Timeout = TimeSpan.FromSeconds(persistent ? timeout : stray),
        };

    private static (IPAddress Address, ushort Port)[] ServerPool(VirtualServiceKey key)
    {
        var v6 = key.Family == System.Net.Sockets.AddressFamily.InterNetworkV6;
        return [.. Enumerable.Range(1, 4).SelectMany(i => new ushort[] { 80, 8080 }.Select(p => (IPAddress.Parse(v6 ? $"2001:db8:1::{i}" : $"192.0.2.{i}"), p)))];
    }

    private static Gen<RealServer> Server(IPAddress address, ushort port, VirtualServiceKey key, bool withConnections) =>
        from weight in Gen.Choose(0, 3)
        from forward in Gen.Elements(ForwardingMethod.Masquerade, ForwardingMethod.Tunnel)
        from upper in Gen.Elements(0u, 10u)
        from lower in Gen.Elements(0u, 5u)
        from active in withConnections ? Gen.Elements(0u, 0u, 2u) : Gen.Constant(0u)
        from inactive in withConnections ? Gen.Elements(0u, 1u) : Gen.Constant(0u)
        from templates in withConnections && key.IsFirewallMark ? Gen.Elements(0u, 1u) : Gen.Constant(0u)
        select new RealServer(address, port)
        {
            Weight = weight,
            ForwardingMethod = forward,
            UpperThreshold = upper,
            LowerThreshold = Math.Min(lower, upper),
            ActiveConnections = active,
            InactiveConnections = inactive,
            PersistentConnections = templates,
        };

    private static bool HasConnections(RealServer s) => s.ActiveConnections + s.InactiveConnections + s.PersistentConnections > 0;

    private static List<(VirtualServiceKey Key, RealServer Server)> Leaving(Scenario scenario)
    {
        var desired = scenario.Desired.Services.ToDictionary(s => s.Key);
        var leaving = new List<(VirtualServiceKey, RealServer)>();
        foreach (var entry in scenario.Current)
        {
            if (desired.TryGetValue(entry.Service.Key, out var service))
            {
                leaving.AddRange(entry.RealServers
                    .Where(s => !service.RealServers.Any(d => d.Server.Address.Equals(s.Address) && d.Server.Port == s.Port))
                    .Select(s => (entry.Service.Key, s)));
            }
            else if (scenario.Prune)
            {
                leaving.AddRange(entry.RealServers.Select(s => (entry.Service.Key, s)));
            }
        }

        return leaving;
    }

    private static int ExpectedChangeCount(Scenario scenario)
    {
        var current = scenario.Current.ToDictionary(e => e.Service.Key);
        var count = 0;
        foreach (var service in scenario.Desired.Services)
        {
            if (!current.TryGetValue(service.Key, out var entry))
            {
                count += 1 + service.RealServers.Count;
                continue;
            }

            var s = service.Service;
            var c = entry.Service;
            var sameService = s.Scheduler == c.Scheduler && s.Flags == c.Flags && s.Netmask == c.Netmask
                && (s.Timeout == c.Timeout || (!s.IsPersistent && !c.IsPersistent));
            count += sameService ? 0 : 1;
            foreach (var server in service.RealServers.Select(r => r.Server))
            {
                var existing = entry.RealServers.FirstOrDefault(r => r.Address.Equals(server.Address) && r.Port == server.Port);
                count += existing is null || !existing.HasSameSettings(server) ? 1 : 0;
            }

            count += entry.RealServers.Count(r => !service.RealServers.Any(d => d.Server.Address.Equals(r.Address) && d.Server.Port == r.Port));
        }

        if (scenario.Prune)
        {
            count += scenario.Current.Count(e => !scenario.Desired.Services.Any(d => d.Key == e.Service.Key));
        }

        return count;
    }

    private static void AssertMatches(Scenario scenario, IReadOnlyList<IpvsTableEntry> table)
    {
        var actual = table.ToDictionary(e => e.Service.Key);
        foreach (var service in scenario.Desired.Services)
        {
            Assert.True(actual.TryGetValue(service.Key, out var entry), $"{service.Key} is missing");
            Assert.True(IpvsPlanner.HasSameSettings(entry.Service, service.Service), $"{service.Key} has other settings");
            Assert.Equal(
                service.RealServers.Select(r => r.Server.Endpoint).Order(),
                entry.RealServers.Select(r => r.Endpoint).Order());
            foreach (var server in service.RealServers)
            {
                Assert.True(Find(table, service.Key, server.Server)!.HasSameSettings(server.Server), $"{server.Server.Endpoint} in {service.Key} has other settings");
            }
        }

        foreach (var entry in scenario.Current.Where(e => !scenario.Desired.Services.Any(d => d.Key == e.Service.Key)))
        {
            if (scenario.Prune)
            {
                Assert.False(actual.ContainsKey(entry.Service.Key), $"{entry.Service.Key} was not pruned");
            }
            else
            {
                // Left alone: same settings, same servers with the same settings.
                var left = actual[entry.Service.Key];
                Assert.Equal(entry.Service, left.Service);
                Assert.Equal(entry.RealServers.Count, left.RealServers.Count);
                Assert.All(entry.RealServers, s => Assert.True(Find(table, entry.Service.Key, s)?.HasSameSettings(s)));
            }
        }

        Assert.Equal(scenario.Desired.Services.Count + (scenario.Prune ? 0 : scenario.Current.Count(e => !scenario.Desired.Services.Any(d => d.Key == e.Service.Key))), actual.Count);
    }

    private static RealServer? Find(IReadOnlyList<IpvsTableEntry> table, VirtualServiceKey key, RealServer server) =>
        table.FirstOrDefault(e => e.Service.Key == key)?.RealServers.FirstOrDefault(s => s.Address.Equals(server.Address) && s.Port == server.Port);

    /// <summary>Executes operations the way the kernel does: each on its own, with its errors.</summary>
    private static (List<IpvsTableEntry> Table, List<string> Failures) Simulate(IReadOnlyList<IpvsTableEntry> current, IpvsPlan plan)
    {
        var table = current.ToList();
        var failures = new List<string>();
        int IndexOf(VirtualServiceKey key) => table.FindIndex(e => e.Service.Key == key);
        foreach (var operation in plan.Operations)
        {
            switch (operation)
            {
                case AddServiceOperation add when IndexOf(add.Service.Key) < 0:
                    table.Add(new IpvsTableEntry(add.Service, []));
                    break;
                case UpdateServiceOperation update when IndexOf(update.Service.Key) is var i and >= 0:
                    table[i] = table[i] with { Service = update.Service };
                    break;
                case DeleteServiceOperation delete when IndexOf(delete.Service) >= 0:
                    table.RemoveAt(IndexOf(delete.Service));
                    break;
                case AddRealServerOperation add when IndexOf(add.Service) is var i and >= 0
                    && !table[i].RealServers.Any(s => s.Address.Equals(add.Server.Address) && s.Port == add.Server.Port):
                    table[i] = table[i] with { RealServers = [.. table[i].RealServers, add.Server] };
                    break;
                case UpdateRealServerOperation update when IndexOf(update.Service) is var i and >= 0
                    && table[i].RealServers.Any(s => s.Address.Equals(update.Server.Address) && s.Port == update.Server.Port):
                    table[i] = table[i] with
                    {
                        RealServers = [.. table[i].RealServers.Select(s => s.Address.Equals(update.Server.Address) && s.Port == update.Server.Port
                            ? update.Server with { ActiveConnections = s.ActiveConnections, InactiveConnections = s.InactiveConnections, PersistentConnections = s.PersistentConnections }
                            : s)],
                    };
                    break;
                case DeleteRealServerOperation delete when IndexOf(delete.Service) is var i and >= 0
                    && table[i].RealServers.Any(s => s.Address.Equals(delete.Address) && s.Port == delete.Port):
                    table[i] = table[i] with { RealServers = [.. table[i].RealServers.Where(s => !(s.Address.Equals(delete.Address) && s.Port == delete.Port))] };
                    break;
                default:
                    failures.Add(operation.Kind + " " + operation.Describe());
                    break;
            }
        }

        return (table, failures);
    }
}
