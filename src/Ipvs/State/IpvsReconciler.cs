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
    /// Remember the real servers read by a pass, so that a later pass made because only the file
    /// changed (<see cref="IpvsReconciler.ApplyFileChangeAsync"/>) reads the list of services and
    /// the real servers of the services it changes, not the whole table. Used by the watch loop,
    /// whose timed passes still read everything (drift repair).
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
    private readonly IpvsClient _client;
    private readonly IpvsReconcilerOptions _options;
    private readonly DrainStateStore? _store;
    private IReadOnlyDictionary<RealServerId, DateTimeOffset> _memory = new Dictionary<RealServerId, DateTimeOffset>();

    // With ReuseTable: the real servers of each service as the kernel listed them, for the
    // services no pass has changed since (null: read the whole table next time).
    private Dictionary<VirtualServiceKey, IReadOnlyList<RealServer>>? _knownServers;

    /// <summary>Creates a reconciler working through <paramref name="client"/>.</summary>
    public IpvsReconciler(IpvsClient client, IpvsReconcilerOptions? options = null)
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
        var plan = await MakePlanAsync(desired, warnings, timings, reuse: false, cancellationToken).ConfigureAwait(false);
        return new IpvsReconcileResult(plan, null, [], warnings, timings.Items);
    }

    /// <summary>Plans and executes, then remembers which servers are draining.</summary>
    public Task<IpvsReconcileResult> ApplyAsync(IpvsConfig desired, CancellationToken cancellationToken = default) =>
        ApplyCoreAsync(desired, reuse: false, cancellationToken);

    /// <summary>
    /// Like <see cref="ApplyAsync(IpvsConfig, CancellationToken)"/>, for a pass made because the
    /// file changed: with <see cref="IpvsReconcilerOptions.ReuseTable"/>, after a first pass, it
    /// reads the list of services (so services that appeared or went, and changed settings, are
    /// seen), takes the real servers of the others as the last pass saw them, and reads again the
    /// real servers of every service the plan touches before planning it for good: a server is
    /// never deleted on connection counts that were not just read. Drift among real servers of
    /// untouched services waits for the next full pass; a failed change makes the next pass a full one.
    /// </summary>
    public Task<IpvsReconcileResult> ApplyFileChangeAsync(IpvsConfig desired, CancellationToken cancellationToken = default) =>
        ApplyCoreAsync(desired, reuse: _options.ReuseTable, cancellationToken);

    private async Task<IpvsReconcileResult> ApplyCoreAsync(IpvsConfig desired, bool reuse, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(desired);
        var warnings = new List<string>();
        var timings = new Timings();
        var plan = await MakePlanAsync(desired, warnings, timings, reuse, cancellationToken).ConfigureAwait(false);
        if (plan.IsEmpty)
        {
            SaveDrainState(plan.DrainState, warnings);
            timings.Mark("save drain state");
            return new IpvsReconcileResult(plan, null, [], warnings, timings.Items);
        }

        var refusals = _options.CheckKernelSupport ? IpvsPlanExecutor.CheckKernelSupport(plan) : [];
        timings.Mark("check kernel support");
        if (refusals.Count > 0)
        {
            return new IpvsReconcileResult(plan, null, refusals, warnings, timings.Items);
        }

        var execution = await IpvsPlanExecutor.ExecuteAsync(_client, plan, cancellationToken).ConfigureAwait(false);
        timings.Mark("execute");
        await RememberChangedAsync(plan, execution.Succeeded, timings, cancellationToken).ConfigureAwait(false);
        SaveDrainState(execution.DrainState, warnings);
        timings.Mark("save drain state");
        return new IpvsReconcileResult(plan, execution, [], warnings, timings.Items);
    }

    private async Task<IpvsPlan> MakePlanAsync(IpvsConfig desired, List<string> warnings, Timings timings, bool reuse, CancellationToken cancellationToken)
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
        if (reuse && _knownServers is { } known)
        {
            plan = await PlanFromKnownAsync(desired, known, planOptions, timings, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            var ringDumps = _client.Socket.RingDumps;
            var table = await _client.GetTableAsync(cancellationToken).ConfigureAwait(false);
            ringDumps = _client.Socket.RingDumps - ringDumps;
            timings.Mark(ringDumps > 0 ? $"read table ({ringDumps} dumps through io_uring)" : "read table");
            if (_options.ReuseTable)
            {
                known = new Dictionary<VirtualServiceKey, IReadOnlyList<RealServer>>(table.Count);
                foreach (var entry in table)
                {
                    known[entry.Service.Key] = entry.RealServers;
                }

                _knownServers = known;
            }

            plan = IpvsPlanner.Plan(table, desired, planOptions);
            timings.Mark("plan");
        }

        plan = await AddTemplateExpiryAsync(plan, cancellationToken).ConfigureAwait(false);
        timings.Mark("read templates");
        return plan;
    }

    // A pass on the services' list and the remembered real servers: plan, read again the real
    // servers of the services that plan touches (their counts decide draining), plan again.
    private async Task<IpvsPlan> PlanFromKnownAsync(IpvsConfig desired, Dictionary<VirtualServiceKey, IReadOnlyList<RealServer>> known, IpvsPlanOptions planOptions, Timings timings, CancellationToken cancellationToken)
    {
        var services = await _client.GetServicesAsync(cancellationToken).ConfigureAwait(false);
        timings.Mark("read services (" + services.Count.ToString(System.Globalization.CultureInfo.InvariantCulture) + ")");
        var table = new IpvsTableEntry[services.Count];
        var index = new Dictionary<VirtualServiceKey, int>(services.Count);
        var unknown = new List<int>();
        for (var i = 0; i < services.Count; i++)
        {
            var key = services[i].Key;
            index[key] = i;
            if (known.TryGetValue(key, out var servers))
            {
                table[i] = new IpvsTableEntry(services[i], servers);
            }
            else
            {
                unknown.Add(i);
            }
        }

        // Forget services that are gone (updated in place: a resident process keeps one map).
        if (known.Count > services.Count - unknown.Count)
        {
            foreach (var key in known.Keys.Where(k => !index.ContainsKey(k)).ToList())
            {
                known.Remove(key);
            }
        }

        var fresh = known;

        if (unknown.Count > 0)
        {
            await ReadServersAsync(services, unknown, table, fresh, cancellationToken).ConfigureAwait(false);
            timings.Mark("read real servers of " + unknown.Count.ToString(System.Globalization.CultureInfo.InvariantCulture) + " services not remembered");
        }

        var plan = IpvsPlanner.Plan(table, desired, planOptions);
        timings.Mark("plan");

        // Every service this plan changes, and every service with a server draining, gets its
        // real servers read now (unless just read): the second plan decides on current counts.
        var justRead = new HashSet<int>(unknown);
        var stale = new List<int>();
        foreach (var change in plan.Changes)
        {
            if (index.TryGetValue(change.Service, out var i) && justRead.Add(i))
            {
                stale.Add(i);
            }
        }

        foreach (var id in planOptions.DrainState.Keys)
        {
            if (index.TryGetValue(id.Service, out var i) && justRead.Add(i))
            {
                stale.Add(i);
            }
        }

        if (stale.Count > 0)
        {
            var remembered = new IReadOnlyList<RealServer>[stale.Count];
            for (var i = 0; i < stale.Count; i++)
            {
                remembered[i] = table[stale[i]].RealServers;
            }

            await ReadServersAsync(services, stale, table, fresh, cancellationToken).ConfigureAwait(false);
            timings.Mark("read real servers of " + stale.Count.ToString(System.Globalization.CultureInfo.InvariantCulture) + " changed services");
            var same = true;
            for (var i = 0; i < stale.Count && same; i++)
            {
                same = SamePlanInputs(remembered[i], table[stale[i]].RealServers);
            }

            // Nothing the planner looks at moved since the last read: the plan stands.
            if (!same)
            {
                plan = IpvsPlanner.Plan(table, desired, planOptions);
                timings.Mark("plan again");
            }
        }

        return plan;
    }

    // Same servers in the same order, with the same settings and connection counts.
    private static bool SamePlanInputs(IReadOnlyList<RealServer> before, IReadOnlyList<RealServer> now)
    {
        if (before.Count != now.Count)
        {
            return false;
        }

        for (var i = 0; i < before.Count; i++)
        {
            var a = before[i];
            var b = now[i];
            if (a.Port != b.Port || !a.Address.Equals(b.Address) || !a.HasSameSettings(b)
                || a.ActiveConnections != b.ActiveConnections || a.InactiveConnections != b.InactiveConnections
                || a.PersistentConnections != b.PersistentConnections)
            {
                return false;
            }
        }

        return true;
    }

    private async Task ReadServersAsync(IReadOnlyList<VirtualService> services, List<int> which, IpvsTableEntry[] table, Dictionary<VirtualServiceKey, IReadOnlyList<RealServer>> fresh, CancellationToken cancellationToken)
    {
        if (which.Count == 0)
        {
            return;
        }

        var keys = new VirtualServiceKey[which.Count];
        for (var i = 0; i < keys.Length; i++)
        {
            keys[i] = services[which[i]].Key;
        }

        var servers = await _client.GetRealServersAsync(keys, cancellationToken).ConfigureAwait(false);
        for (var i = 0; i < keys.Length; i++)
        {
            table[which[i]] = new IpvsTableEntry(services[which[i]], servers[i]);
            fresh[keys[i]] = servers[i];
        }
    }

    // After a pass changed services, what the kernel now has is read back for them (the truth,
    // rather than a simulation of the changes); after a failure, the whole table is read next time.
    private async Task RememberChangedAsync(IpvsPlan plan, bool succeeded, Timings timings, CancellationToken cancellationToken)
    {
        if (_knownServers is not { } known)
        {
            return;
        }

        if (!succeeded)
        {
            _knownServers = null;
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
            servers = await _client.GetRealServersAsync(keys, cancellationToken).ConfigureAwait(false);
        }
        catch (IpvsException)
        {
            // The changes are made; what they left will be read with the whole table next time.
            _knownServers = null;
            return;
        }

        for (var i = 0; i < keys.Count; i++)
        {
            known[keys[i]] = servers[i];
        }

        timings.Mark("read back real servers of " + keys.Count.ToString(System.Globalization.CultureInfo.InvariantCulture) + " changed services");
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
            warnings.Add($"cannot read the drain state {_store.Path} ({e.Message}); servers still draining start their timeout again");
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
