using System.Collections.Frozen;
using System.Globalization;
using System.Net;
using Ipvs.Model;

namespace Ipvs.State;

/// <summary>How a plan is made.</summary>
public sealed record IpvsPlanOptions
{
    /// <summary>The default drain timeout: 5 minutes.</summary>
    public static readonly TimeSpan DefaultDrainTimeout = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Remove (after draining) the virtual services of the kernel that the configuration does
    /// not list. Without it they are left alone. Real servers of listed services are always
    /// made to match the configuration.
    /// </summary>
    public bool Prune { get; init; }

    /// <summary>
    /// How long a removed real server may drain (weight 0, kept while it has connections) before
    /// it is deleted anyway. <see cref="TimeSpan.Zero"/> deletes at once.
    /// </summary>
    public TimeSpan DrainTimeout { get; init; } = DefaultDrainTimeout;

    /// <summary>The time the plan is made at (drain deadlines count from it).</summary>
    public DateTimeOffset Now { get; init; } = DateTimeOffset.UnixEpoch;

    /// <summary>When servers started draining, as remembered from earlier passes (see <see cref="DrainStateStore"/>).</summary>
    public IReadOnlyDictionary<RealServerId, DateTimeOffset> DrainState { get; init; } = FrozenDictionary<RealServerId, DateTimeOffset>.Empty;
}

/// <summary>
/// Computes the changes that make the kernel's table match a configuration: a pure function of
/// the table, the configuration and the options. The plan holds one operation per object that
/// differs and nothing else; its order is deterministic (the file's order for listed services
/// and their servers, then removals in ipvsadm's sorted order).
/// </summary>
/// <remarks>
/// Draining: a real server that must go (no longer listed in its service, or its service is
/// pruned) is deleted at once when it has no connections (active, inactive, or persistence
/// templates, which keep sending clients to it even at weight 0). Otherwise its weight is set to
/// 0 and it stays until its connections end or the drain timeout passes, counted from when
/// draining started (<see cref="IpvsPlanOptions.DrainState"/>). A pruned service is deleted in
/// one operation once all its servers can go.
/// </remarks>
public static class IpvsPlanner
{
    /// <summary>Plans the changes from <paramref name="current"/> to <paramref name="desired"/>.</summary>
    public static IpvsPlan Plan(IReadOnlyList<IpvsTableEntry> current, IpvsConfig desired, IpvsPlanOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(desired);
        options ??= new IpvsPlanOptions();
        var context = new Context(options);
        var currentByKey = new Dictionary<VirtualServiceKey, IpvsTableEntry>(current.Count);
        var serverCount = 0;
        // Indexed loops: foreach over these interfaces allocates an enumerator per list, and a
        // plan walks tens of thousands of them.
        for (var i = 0; i < current.Count; i++)
        {
            var entry = current[i];
            currentByKey[entry.Service.Key] = entry;
            serverCount += entry.RealServers.Count;
        }

        var services = desired.Services;
        var listed = options.Prune ? new HashSet<VirtualServiceKey>(services.Count) : null;
        for (var i = 0; i < services.Count; i++)
        {
            var service = services[i];
            listed?.Add(service.Key);
            if (currentByKey.TryGetValue(service.Key, out var entry))
            {
                PlanExisting(context, entry, service);
            }
            else
            {
                PlanNew(context, service);
            }
        }

        if (options.Prune)
        {
            var unlisted = current.Where(e => !listed!.Contains(e.Service.Key)).ToList();
            unlisted.Sort((a, b) => IpvsOrder.Compare(a.Service.Key, b.Service.Key));
            foreach (var entry in unlisted)
            {
                PlanPrune(context, entry);
            }
        }

        return new IpvsPlan(context.Changes, context.Draining, context.DrainState, current.Count, serverCount);
    }

    /// <summary>True when an update would change nothing: scheduler, flags, netmask and engine are equal, and so is the timeout of a persistent service.</summary>
    public static bool HasSameSettings(VirtualService current, VirtualService desired)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(desired);
        // One rule for "same settings": the model's (services of one key).
        return current.HasSameSettings(desired with { Key = current.Key });
    }

    /// <summary>The settings that differ between two versions of a service, in the file's words.</summary>
    public static IReadOnlyList<SettingChange> Compare(VirtualService current, VirtualService desired)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(desired);
        var changes = new List<SettingChange>(2);
        if (!string.Equals(current.Scheduler, desired.Scheduler, StringComparison.Ordinal))
        {
            changes.Add(new("scheduler", current.Scheduler, desired.Scheduler));
        }

        var currentFlags = IpvsNames.FormatSchedulerFlags(current.Scheduler, current.Flags);
        var desiredFlags = IpvsNames.FormatSchedulerFlags(desired.Scheduler, desired.Flags);
        if (((current.Flags ^ desired.Flags) & (ServiceFlags.Scheduler1 | ServiceFlags.Scheduler2 | ServiceFlags.Scheduler3)) != 0)
        {
            changes.Add(new("flags", "[" + string.Join(',', currentFlags) + "]", "[" + string.Join(',', desiredFlags) + "]"));
        }

        if (current.IsPersistent != desired.IsPersistent || (desired.IsPersistent && current.Timeout != desired.Timeout))
        {
            changes.Add(new("persistent", Persistence(current), Persistence(desired)));
        }

        if (current.Netmask != desired.Netmask)
        {
            changes.Add(new("netmask", current.Netmask.ToString(), desired.Netmask.ToString()));
        }

        if (!string.Equals(current.PersistenceEngine ?? string.Empty, desired.PersistenceEngine ?? string.Empty, StringComparison.Ordinal))
        {
            changes.Add(new("pe", current.PersistenceEngine ?? "none", desired.PersistenceEngine ?? "none"));
        }

        if (((current.Flags ^ desired.Flags) & ServiceFlags.OnePacket) != 0)
        {
            changes.Add(new("one-packet", ((current.Flags & ServiceFlags.OnePacket) != 0) ? "true" : "false", ((desired.Flags & ServiceFlags.OnePacket) != 0) ? "true" : "false"));
        }

        return changes;
    }

    /// <summary>The settings that differ between two versions of a real server, in the file's words.</summary>
    public static IReadOnlyList<SettingChange> Compare(RealServer current, RealServer desired)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(desired);
        var changes = new List<SettingChange>(1);
        if (current.ForwardingMethod != desired.ForwardingMethod)
        {
            changes.Add(new("forward", IpvsNames.ConfigName(current.ForwardingMethod), IpvsNames.ConfigName(desired.ForwardingMethod)));
        }

        if (current.Weight != desired.Weight)
        {
            changes.Add(new("weight", Number(current.Weight), Number(desired.Weight)));
        }

        if (current.UpperThreshold != desired.UpperThreshold)
        {
            changes.Add(new("upper-threshold", Number(current.UpperThreshold), Number(desired.UpperThreshold)));
        }

        if (current.LowerThreshold != desired.LowerThreshold)
        {
            changes.Add(new("lower-threshold", Number(current.LowerThreshold), Number(desired.LowerThreshold)));
        }

        if (current.TunnelType != desired.TunnelType || current.TunnelPort != desired.TunnelPort || current.TunnelFlags != desired.TunnelFlags)
        {
            changes.Add(new("tunnel", PlannedChange.DescribeTunnel(current), PlannedChange.DescribeTunnel(desired)));
        }

        return changes;
    }

    private static void PlanNew(Context context, VirtualServiceConfig service)
    {
        context.Changes.Add(new PlannedChange
        {
            Action = ChangeAction.Add,
            Service = service.Key,
            Operation = IpvsOperation.AddService(service.Service),
            Location = service.Location,
        });
        foreach (var server in service.RealServers)
        {
            context.Changes.Add(new PlannedChange
            {
                Action = ChangeAction.Add,
                Service = service.Key,
                Server = server.Server,
                Operation = IpvsOperation.AddRealServer(service.Key, server.Server),
                Location = server.Location,
            });
        }
    }

    private static void PlanExisting(Context context, IpvsTableEntry entry, VirtualServiceConfig service)
    {
        var key = service.Key;
        if (!HasSameSettings(entry.Service, service.Service))
        {
            context.Changes.Add(new PlannedChange
            {
                Action = ChangeAction.Update,
                Service = key,
                Operation = IpvsOperation.UpdateService(service.Service),
                Settings = Compare(entry.Service, service.Service),
                Location = service.Location,
            });
        }

        // Servers are matched by address and port. Services have a few servers each: a linear
        // search over them allocates nothing, where a dictionary per service cost more than the
        // whole comparison (tens of thousands of services per plan).
        var current = entry.RealServers;
        var matched = current.Count <= 64 ? stackalloc bool[current.Count] : new bool[current.Count];
        Dictionary<(IPAddress, ushort), int>? index = null;
        if (current.Count > 64)
        {
            index = new Dictionary<(IPAddress, ushort), int>(current.Count);
            for (var i = 0; i < current.Count; i++)
            {
                index[(current[i].Address, current[i].Port)] = i;
            }
        }

        var left = current.Count;
        var desiredServers = service.RealServers;
        for (var d = 0; d < desiredServers.Count; d++)
        {
            var desired = desiredServers[d];
            var server = desired.Server;
            var found = Find(current, index, matched, server.Address, server.Port);
            if (found < 0)
            {
                context.Changes.Add(new PlannedChange
                {
                    Action = ChangeAction.Add,
                    Service = key,
                    Server = server,
                    Operation = IpvsOperation.AddRealServer(key, server),
                    Location = desired.Location,
                });
                continue;
            }

            matched[found] = true;
            left--;
            var existing = current[found];
            if (!existing.HasSameSettings(server))
            {
                context.Changes.Add(new PlannedChange
                {
                    Action = ChangeAction.Update,
                    Service = key,
                    Server = server,
                    Operation = IpvsOperation.UpdateRealServer(key, server),
                    Settings = Compare(existing, server),
                    Location = desired.Location,
                });
            }
        }

        if (left > 0)
        {
            var leaving = new List<RealServer>(left);
            for (var i = 0; i < current.Count; i++)
            {
                if (!matched[i])
                {
                    leaving.Add(current[i]);
                }
            }

            leaving.Sort(IpvsOrder.Compare);
            foreach (var server in leaving)
            {
                PlanRemoval(context, key, server);
            }
        }
    }

    // The index of the kernel's server at that address and port not matched yet, or -1.
    private static int Find(IReadOnlyList<RealServer> current, Dictionary<(IPAddress, ushort), int>? index, Span<bool> matched, IPAddress address, ushort port)
    {
        if (index is not null)
        {
            return index.TryGetValue((address, port), out var i) && !matched[i] ? i : -1;
        }

        for (var i = 0; i < current.Count; i++)
        {
            var candidate = current[i];
            if (!matched[i] && candidate.Port == port && candidate.Address.Equals(address))
            {
                return i;
            }
        }

        return -1;
    }

    private static void PlanPrune(Context context, IpvsTableEntry entry)
    {
        var key = entry.Service.Key;
        var servers = entry.RealServers.ToList();
        servers.Sort(IpvsOrder.Compare);
        if (servers.TrueForAll(s => Decide(context, key, s).Stage != DrainStage.Started))
        {
            context.Changes.Add(new PlannedChange
            {
                Action = ChangeAction.Delete,
                Service = key,
                Operation = IpvsOperation.DeleteService(key),
                Note = "not in the file; " + (servers.Count == 0 ? "no real servers" : servers.Count == 1 ? "its real server has no connections" : $"its {servers.Count} real servers have no connections"),
            });
            return;
        }

        // Some servers still have connections: drain them, delete the idle ones; the service goes on a later pass.
        foreach (var server in servers)
        {
            PlanRemoval(context, key, server);
        }
    }

    private static void PlanRemoval(Context context, VirtualServiceKey key, RealServer server)
    {
        var (stage, since, deadline) = Decide(context, key, server);
        var id = new RealServerId(key, server.Address, server.Port);
        if (stage == DrainStage.Started)
        {
            context.DrainState[id] = since;
            context.Draining.Add(new DrainingServer(id, server, since, deadline));
            if (server.Weight != 0)
            {
                context.Changes.Add(new PlannedChange
                {
                    Action = ChangeAction.Update,
                    Service = key,
                    Server = server,
                    Operation = IpvsOperation.UpdateRealServer(key, IpvsConfig.Desired(server) with { Weight = 0 }),
                    Settings = [new("weight", Number(server.Weight), "0")],
                    Drain = DrainStage.Started,
                    Note = "draining: " + DrainingServer.DescribeCounts(server),
                });
            }

            return;
        }

        context.Changes.Add(new PlannedChange
        {
            Action = ChangeAction.Delete,
            Service = key,
            Server = server,
            Operation = IpvsOperation.DeleteRealServer(key, server.Address, server.Port),
            Drain = stage,
            Note = stage switch
            {
                DrainStage.Drained => since == context.Options.Now ? "no connections" : "drained",
                DrainStage.TimedOut => "drain timeout passed with " + DrainingServer.DescribeCounts(server),
                _ => "not drained, drain timeout 0: " + DrainingServer.DescribeCounts(server),
            },
        });
    }

    private static (DrainStage Stage, DateTimeOffset Since, DateTimeOffset Deadline) Decide(Context context, VirtualServiceKey key, RealServer server)
    {
        var options = context.Options;
        var since = options.DrainState.TryGetValue(new RealServerId(key, server.Address, server.Port), out var started) && started <= options.Now
            ? started
            : options.Now;
        var deadline = since + options.DrainTimeout;
        if (server.ActiveConnections == 0 && server.InactiveConnections == 0 && server.PersistentConnections == 0)
        {
            return (DrainStage.Drained, since, deadline);
        }

        if (options.DrainTimeout <= TimeSpan.Zero)
        {
            return (DrainStage.Immediate, since, deadline);
        }

        return options.Now >= deadline ? (DrainStage.TimedOut, since, deadline) : (DrainStage.Started, since, deadline);
    }

    private static string Persistence(VirtualService service) =>
        service.IsPersistent ? ((long)service.Timeout.TotalSeconds).ToString(CultureInfo.InvariantCulture) : "false";

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    private sealed class Context(IpvsPlanOptions options)
    {
        public IpvsPlanOptions Options { get; } = options;

        public List<PlannedChange> Changes { get; } = [];

        public List<DrainingServer> Draining { get; } = [];

        public Dictionary<RealServerId, DateTimeOffset> DrainState { get; } = [];
    }
}
