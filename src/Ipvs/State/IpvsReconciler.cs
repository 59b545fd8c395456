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
        var plan = await MakePlanAsync(desired, warnings, timings, cancellationToken).ConfigureAwait(false);
        return new IpvsReconcileResult(plan, null, [], warnings, timings.Items);
    }

    /// <summary>Plans and executes, then remembers which servers are draining.</summary>
    public async Task<IpvsReconcileResult> ApplyAsync(IpvsConfig desired, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(desired);
        var warnings = new List<string>();
        var timings = new Timings();
        var plan = await MakePlanAsync(desired, warnings, timings, cancellationToken).ConfigureAwait(false);
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
        SaveDrainState(execution.DrainState, warnings);
        timings.Mark("save drain state");
        return new IpvsReconcileResult(plan, execution, [], warnings, timings.Items);
    }

    private async Task<IpvsPlan> MakePlanAsync(IpvsConfig desired, List<string> warnings, Timings timings, CancellationToken cancellationToken)
    {
        var ringDumps = _client.Socket.RingDumps;
        var table = await _client.GetTableAsync(cancellationToken).ConfigureAwait(false);
        ringDumps = _client.Socket.RingDumps - ringDumps;
        timings.Mark(ringDumps > 0 ? $"read table ({ringDumps} dumps through io_uring)" : "read table");
        var drainState = LoadDrainState(warnings);
        var plan = IpvsPlanner.Plan(table, desired, new IpvsPlanOptions
        {
            Prune = _options.Prune,
            DrainTimeout = _options.DrainTimeout,
            Now = _options.TimeProvider.GetUtcNow(),
            DrainState = drainState,
        });
        timings.Mark("plan");
        plan = await AddTemplateExpiryAsync(plan, cancellationToken).ConfigureAwait(false);
        timings.Mark("read templates");
        return plan;
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
