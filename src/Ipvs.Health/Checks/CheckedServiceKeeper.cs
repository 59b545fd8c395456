using System.Net;
using System.Net.NetworkInformation;
using Ipvs.Model;

namespace Ipvs.Health.Checks;

/// <summary>One real server of a <see cref="CheckedServiceKeeper"/> and what its checks concluded.</summary>
public sealed class CheckedServerState
{
    internal CheckedServerState(CheckedRealServer configured)
    {
        Configured = configured;
        EffectiveWeight = configured.Server.Weight;
    }

    /// <summary>The server, its checks and scripts as configured.</summary>
    public CheckedRealServer Configured { get; }

    /// <summary>The server as configured.</summary>
    public RealServer Server => Configured.Server;

    /// <summary>ADDRESS:PORT.</summary>
    public string Endpoint => Server.Endpoint;

    /// <summary>Every check passes (keepalived: no failed checker).</summary>
    public bool IsAlive { get; internal set; }

    /// <summary>The configured weight changed by dynamic checks, within 0–65535.</summary>
    public int EffectiveWeight { get; internal set; }

    /// <summary>Why the last failed check failed (safe text); null when none has failed.</summary>
    public string? LastFailure { get; internal set; }

    internal CheckSubscription[] Subscriptions { get; set; } = [];
}

/// <summary>
/// Keeps one virtual service the keepalived way (keepalived's check/ipwrapper.c): each check of
/// each real server runs on its own timer (<see cref="CheckHub"/>, shared with other services);
/// a server is alive while all its checks pass and is then in the table with its effective
/// weight, otherwise removed (or weight 0 with inhibit_on_failure); alpha servers start down;
/// quorum is the total weight of live servers, gained at quorum + hysteresis and lost below
/// quorum − hysteresis (or at zero), when a sorry server takes the place of the real servers;
/// scripts run on each transition. Unlike keepalived, the table is also compared every
/// <see cref="CheckPolicy.RepairInterval"/> and put back (a deleted service or server, a changed
/// weight). Real servers it was not told about are left alone.
/// </summary>
public sealed class CheckedServiceKeeper : IDisposable
{
    /// <summary>IPVS's largest weight (IPVS_WEIGHT_MAX in keepalived).</summary>
    public const int MaxWeight = 65535;

    private static readonly ICheckedServiceObserver s_silent = new SilentObserver();

    private readonly IIpvs _client;
    private readonly CheckHub _hub;
    private readonly ICheckedServiceObserver _observer;
    private readonly IScriptRunner _scripts;
    private readonly Func<IPAddress, bool> _isLocal;
    private readonly CheckedServerState[] _servers;
    private readonly Lock _lock = new();
    private readonly CancellationTokenSource _stop = new();
    private bool _ensured;
    private bool _stopped;
    private bool _disposed;

    /// <summary>Creates a keeper; nothing is checked or sent to the kernel before <see cref="Ensure"/>.</summary>
    public CheckedServiceKeeper(
        IIpvs client,
        VirtualService service,
        IEnumerable<CheckedRealServer> servers,
        CheckPolicy policy,
        CheckHub hub,
        TimeProvider? timeProvider = null,
        ICheckedServiceObserver? observer = null,
        IScriptRunner? scripts = null,
        Func<IPAddress, bool>? isLocalAddress = null)
    {
        _client = client ?? throw new ArgumentNullException(nameof(client));
        Service = service ?? throw new ArgumentNullException(nameof(service));
        ArgumentNullException.ThrowIfNull(servers);
        Policy = policy ?? throw new ArgumentNullException(nameof(policy));
        _hub = hub ?? throw new ArgumentNullException(nameof(hub));
        timeProvider ??= TimeProvider.System;
        _observer = observer ?? s_silent;
        _scripts = scripts ?? ScriptRunners.Create(timeProvider);
        _isLocal = isLocalAddress ?? IsLocalAddress;
        _servers = servers.Select(s => new CheckedServerState(s)).ToArray();
        Scheduler = new RoundScheduler(policy.RepairInterval, timeProvider);
    }

    /// <summary>The virtual service as configured.</summary>
    public VirtualService Service { get; }

    /// <summary>The policy.</summary>
    public CheckPolicy Policy { get; }

    /// <summary>The real servers, in configuration order.</summary>
    public IReadOnlyList<CheckedServerState> Servers => _servers;

    /// <summary>The repair rounds.</summary>
    public RoundScheduler Scheduler { get; }

    /// <summary>True while the service has quorum (keepalived's quorum_state_up).</summary>
    public bool QuorumUp { get; private set; }

    /// <summary>
    /// Started by a reload (SIGHUP), not by the daemon's start: quorum starts as the servers find
    /// it, without a quorum-up script (keepalived's set_quorum_states on a reload); at the daemon's
    /// start quorum starts lost and is gained, with its script, when the live weight reaches it.
    /// </summary>
    public bool StartedByReload { get; init; }

    /// <summary>True while the sorry server replaces the real servers.</summary>
    public bool SorryServerInUse => Policy.SorryServer is not null && !QuorumUp;

    /// <summary>True while checks are suspended (ha_suspend and the virtual address not local).</summary>
    public bool Suspended { get; private set; }

    /// <summary>The total effective weight of live servers.</summary>
    public long LiveWeight => _servers.Where(s => s.IsAlive).Sum(s => (long)s.EffectiveWeight);

    /// <summary>Live servers.</summary>
    public int AliveCount => _servers.Count(s => s.IsAlive);

    /// <summary>Changes sent to the kernel to undo someone else's.</summary>
    public long Repairs { get; private set; }

    /// <summary>
    /// Subscribes to the checks (starting the runners not already running), sets each server's
    /// first state (up, or down with alpha, unless a shared check already has a verdict), then
    /// creates the service if missing and puts every server where it belongs.
    /// </summary>
    /// <exception cref="IpvsException">The service could not be created or read.</exception>
    /// <exception cref="NotSupportedException">A check's kind has no checker.</exception>
    public IReadOnlyList<IpvsOperationResult> Ensure(CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_ensured)
            {
                Subscribe();
                UpdateSuspend();
                foreach (var server in _servers)
                {
                    (server.IsAlive, server.EffectiveWeight) = Judge(server);
                }

                // keepalived at start: quorum is down until init_service_vs's update_quorum_state(init)
                // finds the live weight at quorum + hysteresis (quorum-up runs); below it, with a sorry
                // server, the sorry server goes in and quorum-down runs.
                QuorumUp = LiveWeight >= Policy.Quorum + Policy.Hysteresis;
                if (QuorumUp && !StartedByReload)
                {
                    _observer.QuorumChanged(Service.Key, true, LiveWeight, Policy.Quorum + Policy.Hysteresis, true);
                    RunScript("on-quorum-up", Policy.OnQuorumUp);
                }
                else if (!QuorumUp && Policy.SorryServer is not null)
                {
                    _observer.QuorumChanged(Service.Key, false, LiveWeight, Policy.Quorum + Policy.Hysteresis, true);
                    RunScript("on-quorum-down", Policy.OnQuorumDown);
                }

                _ensured = true;
            }

            var results = Reconcile(KernelChangeCause.Initial, cancellationToken);
            var failure = results.FirstOrDefault(r => r.Operation.Kind is IpvsOperationKind.AddService or IpvsOperationKind.UpdateService && !r.Succeeded);
            if (failure?.Error is { } error)
            {
                throw error;
            }

            return results;
        }
    }

    /// <summary>Repairs the table every <see cref="CheckPolicy.RepairInterval"/> until cancelled (checks run on their own timers).</summary>
    public Task RunAsync(CancellationToken cancellationToken) => Scheduler.RunAsync(RunRoundAsync, cancellationToken);

    /// <summary>Starts the next repair round now.</summary>
    public void RequestRound() => Scheduler.Wake();

    /// <summary>One repair round: ha_suspend looked at, then the table put back where it drifted.</summary>
    public Task RunRoundAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_disposed || _stopped || !_ensured)
            {
                return Task.CompletedTask;
            }

            try
            {
                if (UpdateSuspend() && !Suspended)
                {
                    Evaluate(cancellationToken);
                }

                Repairs += Reconcile(KernelChangeCause.Repair, cancellationToken).Count;
            }
            catch (Exception e) when (e is IpvsException or TimeoutException or IOException or InvalidOperationException)
            {
                _observer.RoundFailed(Service.Key, e);
            }
        }

        return Task.CompletedTask;
    }

    /// <summary>
    /// Stops acting: no more changes to the table, no scripts; the checks stay subscribed until
    /// <see cref="Dispose"/>, so a reload can subscribe the new configuration first and keep
    /// the runners it shares.
    /// </summary>
    public void Stop()
    {
        lock (_lock)
        {
            _stopped = true;
        }
    }

    /// <summary>Deletes the virtual service (and so its real servers).</summary>
    /// <returns>False when it did not exist.</returns>
    public bool Delete(CancellationToken cancellationToken = default)
    {
        try
        {
            _client.DeleteService(Service.Key, cancellationToken);
            return true;
        }
        catch (ServiceNotFoundException)
        {
            return false;
        }
    }

    /// <summary>Releases the checks (a runner no other service uses stops) and stops running scripts.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            foreach (var server in _servers)
            {
                foreach (var subscription in server.Subscriptions)
                {
                    subscription.Dispose();
                }
            }
        }

        _stop.Cancel();
        _stop.Dispose();
    }

    private void Subscribe()
    {
        foreach (var server in _servers)
        {
            var subscriptions = new List<CheckSubscription>(server.Configured.Checks.Count);
            try
            {
                foreach (var check in server.Configured.Checks)
                {
                    subscriptions.Add(_hub.Subscribe(check, TargetOf(server.Server, check), OnCheckChanged));
                }
            }
            catch
            {
                subscriptions.ForEach(s => s.Dispose());
                throw;
            }

            server.Subscriptions = [.. subscriptions];
        }
    }

    /// <summary>Where a check of <paramref name="server"/> goes: connect_ip and connect_port, else the server's.</summary>
    public static CheckTarget TargetOf(RealServer server, CheckDefinition check)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(check);
        return new CheckTarget(check.ConnectAddress ?? server.Address, check.ConnectPort ?? server.Port, server.Weight);
    }

    private void OnCheckChanged(CheckRunner runner, CheckResult result)
    {
        lock (_lock)
        {
            if (_disposed || _stopped || !_ensured)
            {
                return;
            }

            // keepalived (update_svr_checker_state): an alpha checker's first verdict, down, runs
            // notify_down although the server was already down.
            List<CheckedServerState>? alphaFirstDown = null;
            foreach (var server in _servers)
            {
                for (var i = 0; i < server.Subscriptions.Length; i++)
                {
                    var subscription = server.Subscriptions[i];
                    if (!ReferenceEquals(subscription.Runner, runner))
                    {
                        continue;
                    }

                    if (!result.IsUp)
                    {
                        server.LastFailure = result.Failure;
                        if (AlphaOf(server, i) && !subscription.SawVerdict && !server.IsAlive)
                        {
                            (alphaFirstDown ??= []).Add(server);
                        }
                    }

                    subscription.SawVerdict = true;
                    _observer.CheckChanged(Service.Key, server, runner.Definition, result);
                }
            }

            foreach (var server in alphaFirstDown ?? [])
            {
                RunScript("on-down " + server.Endpoint, server.Configured.OnDown);
            }

            // Suspended (ha_suspend): a runner shared with an active service may still report; acted on at resume.
            if (Suspended)
            {
                return;
            }

            try
            {
                Evaluate(_stop.Token);
            }
            catch (Exception e) when (e is IpvsException or TimeoutException or IOException or InvalidOperationException)
            {
                _observer.RoundFailed(Service.Key, e);
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    // perform_svr_state / update_svr_wgt for each server whose checks changed, then update_quorum_state.
    private void Evaluate(CancellationToken cancellationToken)
    {
        foreach (var server in _servers)
        {
            var (alive, weight) = Judge(server);
            var wasAlive = server.IsAlive;
            var previousWeight = server.EffectiveWeight;
            if (alive == wasAlive && weight == previousWeight)
            {
                continue;
            }

            server.IsAlive = alive;
            server.EffectiveWeight = weight;
            _observer.ServerChanged(Service.Key, server, wasAlive, previousWeight);
            if (alive != wasAlive)
            {
                RunScript((alive ? "on-up " : "on-down ") + server.Endpoint, alive ? server.Configured.OnUp : server.Configured.OnDown);
            }
        }

        UpdateQuorum();
        Reconcile(KernelChangeCause.Health, cancellationToken);
    }

    // keepalived's update_quorum_state: the threshold moves by the hysteresis away from the current state.
    private void UpdateQuorum()
    {
        var live = LiveWeight;
        if (!QuorumUp)
        {
            var threshold = Policy.Quorum + Policy.Hysteresis;
            if (live >= threshold)
            {
                QuorumUp = true;
                _observer.QuorumChanged(Service.Key, true, live, threshold, false);
                RunScript("on-quorum-up", Policy.OnQuorumUp);
            }
        }
        else
        {
            var threshold = Policy.Quorum - Policy.Hysteresis;
            if (live == 0 || live < threshold)
            {
                QuorumUp = false;
                _observer.QuorumChanged(Service.Key, false, live, threshold, Policy.SorryServer is not null);
                RunScript("on-quorum-down", Policy.OnQuorumDown);
            }
        }
    }

    // Alive when no check has failed; a check without a verdict yet counts as failed with alpha.
    private (bool Alive, int Weight) Judge(CheckedServerState server)
    {
        var configured = server.Server.Weight;
        long weight = configured;
        var alive = true;
        for (var i = 0; i < server.Subscriptions.Length; i++)
        {
            var runner = server.Subscriptions[i].Runner;
            if (!runner.HasRun)
            {
                alive &= !AlphaOf(server, i);
                continue;
            }

            alive &= runner.IsUp;

            // Each dynamic check moves the weight by its own change (keepalived adds them up).
            if (runner.Weight is { } dynamic)
            {
                weight += dynamic - configured;
            }
        }

        return (alive, (int)Math.Clamp(weight, 0, MaxWeight));
    }

    // keepalived inherits alpha from the virtual server to the real server to each checker.
    private bool AlphaOf(CheckedServerState server, int check) =>
        server.Configured.Checks[check].Alpha ?? server.Configured.Alpha ?? Policy.Alpha;

    /// <returns>True when the suspension changed.</returns>
    private bool UpdateSuspend()
    {
        var suspended = Policy.HaSuspend && Service.Key.Address is { } address && !_isLocal(address);
        foreach (var server in _servers)
        {
            foreach (var subscription in server.Subscriptions)
            {
                subscription.Enabled = !suspended;
            }
        }

        if (suspended == Suspended)
        {
            return false;
        }

        Suspended = suspended;
        _observer.SuspendChanged(Service.Key, suspended);
        return true;
    }

    /// <summary>Where every configured server (and the sorry server) should be: present with a weight, or absent (null).</summary>
    internal List<(RealServer Server, bool Present)> Desired()
    {
        var desired = new List<(RealServer, bool)>(_servers.Length + 1);
        var sorry = SorryServerInUse;
        foreach (var server in _servers)
        {
            if (server.IsAlive && !sorry)
            {
                desired.Add((server.Server with { Weight = server.EffectiveWeight }, true));
            }
            else
            {
                desired.Add((server.Server with { Weight = 0 }, server.Configured.InhibitOnFailure ?? Policy.InhibitOnFailure));
            }
        }

        if (Policy.SorryServer is { } sorryServer)
        {
            desired.Add(sorry ? (sorryServer, true) : (sorryServer with { Weight = 0 }, Policy.SorryServerInhibit));
        }

        return desired;
    }

    private List<IpvsOperationResult> Reconcile(KernelChangeCause cause, CancellationToken cancellationToken)
    {
        var actual = _client.GetService(Service.Key, cancellationToken);
        var present = actual is null ? [] : _client.GetRealServers(Service.Key, cancellationToken);
        var operations = new List<IpvsOperation>();
        if (actual is null)
        {
            operations.Add(IpvsOperation.AddService(Service));
            present = [];
        }
        else if (!actual.HasSameSettings(Service))
        {
            operations.Add(IpvsOperation.UpdateService(Service));
        }

        var index = present.ToDictionary(s => (s.Address, s.Port));
        foreach (var (server, wanted) in Desired())
        {
            index.TryGetValue((server.Address, server.Port), out var found);
            if (!wanted)
            {
                if (found is not null)
                {
                    operations.Add(IpvsOperation.DeleteRealServer(Service.Key, server.Address, server.Port));
                }
            }
            else if (found is null)
            {
                operations.Add(IpvsOperation.AddRealServer(Service.Key, server));
            }
            else if (!found.HasSameSettings(server))
            {
                operations.Add(IpvsOperation.UpdateRealServer(Service.Key, server));
            }
        }

        if (operations.Count == 0)
        {
            return [];
        }

        var results = _client.Execute(operations, cancellationToken);
        foreach (var result in results)
        {
            _observer.KernelChanged(Service.Key, result, cause);
        }

        return [.. results];
    }

    private void RunScript(string what, ScriptCommand? script)
    {
        if (script is null || _disposed)
        {
            return;
        }

        // Not awaited: a script never holds up the checks or the table.
        _ = RunScriptAsync(what, script, _stop.Token);
    }

    private async Task RunScriptAsync(string what, ScriptCommand script, CancellationToken cancellationToken)
    {
        ScriptResult result;
        try
        {
            result = await _scripts.RunAsync(script, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            result = new ScriptResult(-1, false, SafeText.From(e.Message));
        }

        _observer.ScriptFinished(Service.Key, what, script, result);
    }

    private static bool IsLocalAddress(IPAddress address)
    {
        try
        {
            return NetworkInterface.GetAllNetworkInterfaces().Any(i => i.GetIPProperties().UnicastAddresses.Any(a => a.Address.Equals(address)));
        }
        catch (NetworkInformationException)
        {
            return false;
        }
    }

    private sealed class SilentObserver : ICheckedServiceObserver
    {
    }
}
