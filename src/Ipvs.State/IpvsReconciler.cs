using Ipvs.Model;
using Ipvs.Netlink;
using Ipvs.ProcFs;

namespace Ipvs.State;

/// <summary>How <see cref="IpvsReconciler"/> makes the kernel match a configuration.</summary>
public sealed record IpvsReconcilerOptions
{
    /// <summary>Remove the kernel's services the configuration does not list (see <see cref="IpvsPlanOptions.Prune"/>).</summary>
    public bool Prune { get; init; }

    /// <summary>How long a removed real server may drain before it is deleted anyway; zero deletes at once.</summary>
    public TimeSpan DrainTimeout { get; init; } = IpvsPlanOptions.DefaultDrainTimeout;

    /// <summary>Where drain start times are remembered between passes and processes; null keeps them in this object only.</summary>
    public string? DrainStateFile { get; init; }

    /// <summary>The clock.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>The network namespace the client works on (its path), so that its connection table is read there; null for the caller's own.</summary>
    public string? NetworkNamespace { get; init; }

    /// <summary>Refuse the whole plan when one of its schedulers or persistence engines cannot be loaded (checked with modprobe before any change).</summary>
    public bool CheckKernelSupport { get; init; } = true;

    /// <summary>
    /// Remember the table and the configuration the kernel was made to match, so that a later pass
    /// made because only the file changed (<see cref="IpvsReconciler.ApplyFileChangeAsync"/>)
    /// looks only at the services that differ from it, not at the whole table. Used by the watch
    /// loop, whose timed passes still read everything (drift repair).
    /// </summary>
    public bool ReuseTable { get; init; }
}

/// <summary>The outcome of one reconciliation pass.</summary>
public sealed class IpvsReconcileResult
{
    internal IpvsReconcileResult(IpvsPlan plan, IpvsApplyResult? execution, IReadOnlyList<string> refusals, IReadOnlyList<string> warnings, IReadOnlyList<KeyValuePair<string, TimeSpan>>? timings = null)
    {
        Plan = plan;
        Execution = execution;
        Refusals = refusals;
        Warnings = warnings;
        Timings = timings ?? [];
    }

    /// <summary>How long each step took (read, plan, check, execute, save), for performance work.</summary>
    public IReadOnlyList<KeyValuePair<string, TimeSpan>> Timings { get; }

    /// <summary>The plan.</summary>
    public IpvsPlan Plan { get; }

    /// <summary>What was executed, or null when nothing was (a dry run, an empty plan, or a refusal).</summary>
    public IpvsApplyResult? Execution { get; }

    /// <summary>Why the plan was not executed at all (a scheduler this kernel lacks); empty otherwise.</summary>
    public IReadOnlyList<string> Refusals { get; }

    /// <summary>Things worth saying that did not stop anything (an unreadable drain state file).</summary>
    public IReadOnlyList<string> Warnings { get; }

    /// <summary>True when nothing was refused and every change was applied.</summary>
    public bool Succeeded => Refusals.Count == 0 && (Execution?.Succeeded ?? true);
}

/// <summary>
/// One pass of "make the kernel match the file": reads the table (and, for draining servers of
/// persistent services, the connection table's templates), plans with the remembered drain
/// state, checks the kernel can do it, executes, and remembers the new drain state. Used by
/// <c>ipvs apply</c>, <c>ipvs diff</c> and the watch loop.
/// </summary>
public sealed class IpvsReconciler
{
    private readonly IIpvs _client;
    private readonly IpvsReconcilerOptions _options;
    private readonly DrainStateStore? _store;
    private IReadOnlyDictionary<RealServerId, DateTimeOffset> _memory = new Dictionary<RealServerId, DateTimeOffset>();

    // With ReuseTable: the table as last read (or read back after a change), and the services of
    // the configuration the kernel was last made to match. Null: read the whole table next time.
    private Dictionary<VirtualServiceKey, IpvsTableEntry>? _known;
    private Dictionary<VirtualServiceKey, VirtualServiceConfig>? _inForce;

    /// <summary>Creates a reconciler working through <paramref name="client"/>.</summary>
    public IpvsReconciler(IIpvs client, IpvsReconcilerOptions? options = null)
    {
        _client = client ?? throw new ArgumentNullException(nameof(client));
        _options = options ?? new IpvsReconcilerOptions();
        _store = _options.DrainStateFile is { } path ? new DrainStateStore(path) : null;
    }

    /// <summary>The options.</summary>
    public IpvsReconcilerOptions Options => _options;

    /// <summary>Plans without changing anything (<c>ipvs diff</c>, <c>--dry-run</c>).</summary>
    public async Task<IpvsReconcileResult> PlanAsync(IpvsConfig desired, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(desired);
        var warnings = new List<string>();
        var timings = new Timings();
        var (plan, _) = await MakePlanAsync(desired, warnings, timings, reuse: false, cancellationToken).ConfigureAwait(false);
        return new IpvsReconcileResult(plan, null, [], warnings, timings.Items);
    }

    /// <summary>Plans and executes, then remembers which servers are draining.</summary>
    public Task<IpvsReconcileResult> ApplyAsync(IpvsConfig desired, CancellationToken cancellationToken = default) =>
        ApplyCoreAsync(desired, reuse: false, cancellationToken);

    /// <summary>
    /// Like <see cref="ApplyAsync(IpvsConfig, CancellationToken)"/>, for a pass made because the
    /// file changed: with <see cref="IpvsReconcilerOptions.ReuseTable"/>, after a pass that made
    /// the kernel match a configuration, it plans only the services that differ from that
    /// configuration, that left the file, or that have a server draining; it reads their real
    /// servers again first (a server is never deleted on connection counts that were not just
    /// read), and takes their settings as the last pass left them. The work is in proportion to
    /// the change. Drift elsewhere (someone else's changes to services the file change does not
    /// touch) waits for the next full pass; a failed or refused change makes the next pass a full one.
    /// </summary>
    public Task<IpvsReconcileResult> ApplyFileChangeAsync(IpvsConfig desired, CancellationToken cancellationToken = default) =>
        ApplyCoreAsync(desired, reuse: _options.ReuseTable, cancellationToken);

    private async Task<IpvsReconcileResult> ApplyCoreAsync(IpvsConfig desired, bool reuse, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(desired);
        var warnings = new List<string>();
        var timings = new Timings();
        var (plan, changedOnly) = await MakePlanAsync(desired, warnings, timings, reuse, cancellationToken).ConfigureAwait(false);
        if (plan.IsEmpty)
        {
            RememberInForce(desired, changedOnly);
            SaveDrainState(plan.DrainState, warnings);
            timings.Mark("save drain state");
            return new IpvsReconcileResult(plan, null, [], warnings, timings.Items);
        }

        var refusals = _options.CheckKernelSupport ? IpvsPlanExecutor.CheckKernelSupport(plan) : [];
        timings.Mark("check kernel support");
        if (refusals.Count > 0)
        {
            Forget();
            return new IpvsReconcileResult(plan, null, refusals, warnings, timings.Items);
        }

        var execution = IpvsPlanExecutor.Execute(_client, plan, cancellationToken);
        timings.Mark("execute");
        if (execution.Succeeded)
        {
            RememberInForce(desired, changedOnly);
            await RememberChangedAsync(plan, timings, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            Forget();
        }

        SaveDrainState(execution.DrainState, warnings);
        timings.Mark("save drain state");
        return new IpvsReconcileResult(plan, execution, [], warnings, timings.Items);
    }

    // The plan, and for a pass that planned only what changed, what it planned (null: everything).
    private async Task<(IpvsPlan Plan, ChangedServices? ChangedOnly)> MakePlanAsync(IpvsConfig desired, List<string> warnings, Timings timings, bool reuse, CancellationToken cancellationToken)
    {
        var drainState = LoadDrainState(warnings);
        var planOptions = new IpvsPlanOptions
        {
            Prune = _options.Prune,
            DrainTimeout = _options.DrainTimeout,
            Now = _options.TimeProvider.GetUtcNow(),
            DrainState = drainState,
        };
        IpvsPlan plan;
        ChangedServices? changedOnly = null;
        if (reuse && _known is { } known && _inForce is { } inForce)
        {
            (plan, changedOnly) = await PlanChangedAsync(desired, known, inForce, planOptions, timings, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            // Only the kernel client reads through io_uring; the count shows in timings.
            var socket = (_client as IpvsClient)?.Socket;
            var ringDumps = socket?.RingDumps ?? 0;
            var table = _client.GetTable(cancellationToken);
            ringDumps = (socket?.RingDumps ?? 0) - ringDumps;
            timings.Mark(ringDumps > 0 ? $"read table ({ringDumps} dumps through io_uring)" : "read table");
            if (_options.ReuseTable)
            {
                _known = new Dictionary<VirtualServiceKey, IpvsTableEntry>(table.Count);
                foreach (var entry in table)
                {
                    _known[entry.Service.Key] = entry;
                }
            }

            plan = IpvsPlanner.Plan(table, desired, planOptions);
            timings.Mark("plan");
        }

        plan = await AddTemplateExpiryAsync(plan, cancellationToken).ConfigureAwait(false);
        timings.Mark("read templates");
        return (plan, changedOnly);
    }

    // A pass on what changed: the services of the file that differ from those the kernel was last
    // made to match, those that left the file, and those with a server draining. Their real
    // servers are read again (their connection counts decide draining); the others are known to
    // match the file already, as far as the remembered table goes, and are not looked at.
    private async Task<(IpvsPlan Plan, ChangedServices Changed)> PlanChangedAsync(IpvsConfig desired, Dictionary<VirtualServiceKey, IpvsTableEntry> known, Dictionary<VirtualServiceKey, VirtualServiceConfig> inForce, IpvsPlanOptions planOptions, Timings timings, CancellationToken cancellationToken)
    {
        var candidates = new HashSet<VirtualServiceKey>();
        var services = desired.Services;
        var matched = 0;
        for (var i = 0; i < services.Count; i++)
        {
            var service = services[i];
            if (inForce.TryGetValue(service.Key, out var before))
            {
                matched++;
                if (ReferenceEquals(before, service) || SameSettings(before, service))
                {
                    continue;
                }
            }

            candidates.Add(service.Key);
        }

        var departed = new List<VirtualServiceKey>();
        if (matched < inForce.Count)
        {
            // Services left the file: without --prune planning them changes nothing, with it they go.
            var listed = new HashSet<VirtualServiceKey>(services.Count);
            for (var i = 0; i < services.Count; i++)
            {
                listed.Add(services[i].Key);
            }

            foreach (var key in inForce.Keys)
            {
                if (!listed.Contains(key))
                {
                    candidates.Add(key);
                    departed.Add(key);
                }
            }
        }

        foreach (var id in planOptions.DrainState.Keys)
        {
            candidates.Add(id.Service);
        }

        // The services to plan, in the file's order.
        var changed = new List<VirtualServiceConfig>(candidates.Count);
        if (candidates.Count > 0)
        {
            for (var i = 0; i < services.Count; i++)
            {
                if (candidates.Contains(services[i].Key))
                {
                    changed.Add(services[i]);
                }
            }
        }

        timings.Mark("compare with the configuration in force (" + candidates.Count.ToString(System.Globalization.CultureInfo.InvariantCulture) + " services differ)");

        var keys = new List<VirtualServiceKey>(candidates.Count);
        foreach (var key in candidates)
        {
            if (known.ContainsKey(key))
            {
                keys.Add(key);
            }
        }

        var table = new List<IpvsTableEntry>(keys.Count);
        if (keys.Count > 0)
        {
            var servers = _client.GetRealServers(keys, cancellationToken);
            for (var i = 0; i < keys.Count; i++)
            {
                var entry = known[keys[i]] with { RealServers = servers[i] };
                known[keys[i]] = entry;
                table.Add(entry);
            }
        }

        timings.Mark("read real servers of " + keys.Count.ToString(System.Globalization.CultureInfo.InvariantCulture) + " changed services");

        var plan = IpvsPlanner.Plan(table, new IpvsConfig(changed), planOptions);
        var serverCount = 0;
        foreach (var entry in known.Values)
        {
            serverCount += entry.RealServers.Count;
        }

        timings.Mark("plan");
        return (new IpvsPlan(plan.Changes, plan.Draining, plan.DrainState, known.Count, serverCount), new ChangedServices(changed, departed));
    }

    // After a pass changed services, what the kernel now has is read back for their real servers
    // (the truth, rather than a simulation of the changes); their settings are the file's, which
    // the kernel accepted. Called after a successful execution, and RememberInForce.
    private async Task RememberChangedAsync(IpvsPlan plan, Timings timings, CancellationToken cancellationToken)
    {
        if (_known is not { } known)
        {
            return;
        }

        var keys = new List<VirtualServiceKey>();
        var seen = new HashSet<VirtualServiceKey>();
        foreach (var change in plan.Changes)
        {
            if (change.Server is null && change.Action == ChangeAction.Delete)
            {
                known.Remove(change.Service);
                seen.Add(change.Service);
            }
            else if (seen.Add(change.Service))
            {
                keys.Add(change.Service);
            }
        }

        IReadOnlyList<IReadOnlyList<RealServer>> servers;
        try
        {
            servers = _client.GetRealServers(keys, cancellationToken);
        }
        catch (IpvsException)
        {
            // The changes are made; what they left will be read with the whole table next time.
            Forget();
            return;
        }

        for (var i = 0; i < keys.Count; i++)
        {
            var service = _inForce is not null && _inForce.TryGetValue(keys[i], out var listed) ? listed.Service
                : known.TryGetValue(keys[i], out var entry) ? entry.Service
                : null;
            if (service is not null)
            {
                known[keys[i]] = new IpvsTableEntry(service, servers[i]);
            }
        }

        timings.Mark("read back real servers of " + keys.Count.ToString(System.Globalization.CultureInfo.InvariantCulture) + " changed services");
    }

    // The kernel now matches the file (draining aside): remember the file's services by key, the
    // reference a later pass compares with. A pass that planned only what changed updates them.
    private void RememberInForce(IpvsConfig desired, ChangedServices? changedOnly)
    {
        if (!_options.ReuseTable || _known is null)
        {
            return;
        }

        if (changedOnly is not null && _inForce is { } inForce)
        {
            foreach (var service in changedOnly.Planned)
            {
                inForce[service.Key] = service;
            }

            foreach (var key in changedOnly.Departed)
            {
                inForce.Remove(key);
            }

            return;
        }

        inForce = new Dictionary<VirtualServiceKey, VirtualServiceConfig>(desired.Services.Count);
        foreach (var service in desired.Services)
        {
            inForce[service.Key] = service;
        }

        _inForce = inForce;
    }

    private void Forget()
    {
        _known = null;
        _inForce = null;
    }

    // Equal settings and real servers (positions in the file aside).
    private static bool SameSettings(VirtualServiceConfig a, VirtualServiceConfig b)
    {
        if (a.Service != b.Service || a.RealServers.Count != b.RealServers.Count || a.Extensions.Count != 0 || b.Extensions.Count != 0)
        {
            return false;
        }

        for (var i = 0; i < a.RealServers.Count; i++)
        {
            if (a.RealServers[i].Server != b.RealServers[i].Server)
            {
                return false;
            }
        }

        return true;
    }

    private IReadOnlyDictionary<RealServerId, DateTimeOffset> LoadDrainState(List<string> warnings)
    {
        if (_store is null)
        {
            return _memory;
        }

        try
        {
            return _store.Load();
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            warnings.Add($"cannot read the drain state {_store.Path} ({Errno.Describe(e)}); servers still draining start their timeout again");
            return _memory;
        }
    }

    private void SaveDrainState(IReadOnlyDictionary<RealServerId, DateTimeOffset> state, List<string> warnings)
    {
        _memory = state;
        if (_store is null)
        {
            return;
        }

        try
        {
            _store.Save(state);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            warnings.Add($"cannot write the drain state {_store.Path} ({e.Message}); a later pass will not know when draining started");
        }
    }

    // Persistence templates keep sending their clients to a weight-0 server until they expire:
    // say when the last of them will, so that the operator knows how long draining can take.
    private async Task<IpvsPlan> AddTemplateExpiryAsync(IpvsPlan plan, CancellationToken cancellationToken)
    {
        if (!plan.Draining.Any(d => d.Server.PersistentConnections > 0))
        {
            return plan;
        }

        IReadOnlyList<IpvsConnection> connections;
        try
        {
            connections = _options.NetworkNamespace is { } ns
                ? NetworkNamespace.Run(ns, () => ConnectionTable.Parse(File.ReadAllText("/proc/thread-self/net/ip_vs_conn")))
                : await ConnectionTable.ReadAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NetlinkException)
        {
            return plan;
        }

        var draining = plan.Draining.Select(d => d.Server.PersistentConnections == 0 ? d : d with { TemplatesExpireIn = LatestTemplateExpiry(d.Id, connections) }).ToList();
        return new IpvsPlan(plan.Changes, draining, plan.DrainState, plan.CurrentServiceCount, plan.CurrentServerCount);
    }

    internal static TimeSpan? LatestTemplateExpiry(RealServerId id, IReadOnlyList<IpvsConnection> connections)
    {
        TimeSpan? latest = null;
        foreach (var c in connections)
        {
            // A template has client port 0 (its state reads NONE or ASSURED, depending on the
            // kernel); its virtual address is the service's (a firewall-mark service's templates
            // carry the mark instead, as protocol "IP").
            if (c.ClientPort != 0 || c.DestinationPort != id.Port || !c.DestinationAddress.Equals(id.Address))
            {
                continue;
            }

            var matches = id.Service.IsFirewallMark
                ? c.Protocol == "IP"
                : c.VirtualAddress.Equals(id.Service.Address) && (c.VirtualPort == id.Service.Port || c.VirtualPort == 0);
            if (matches && (latest is null || c.Expires > latest))
            {
                latest = c.Expires;
            }
        }

        return latest;
    }


    // What a pass that planned only what changed looked at: the file's services it planned, and
    // the services it found gone from the file.
    private sealed record ChangedServices(IReadOnlyList<VirtualServiceConfig> Planned, IReadOnlyList<VirtualServiceKey> Departed);

    private sealed class Timings
    {
        private readonly List<KeyValuePair<string, TimeSpan>> _items = [];
        private long _last = System.Diagnostics.Stopwatch.GetTimestamp();

        public IReadOnlyList<KeyValuePair<string, TimeSpan>> Items => _items;

        public void Mark(string step)
        {
            var now = System.Diagnostics.Stopwatch.GetTimestamp();
            _items.Add(new(step, System.Diagnostics.Stopwatch.GetElapsedTime(_last, now)));
            _last = now;
        }
    }
}
