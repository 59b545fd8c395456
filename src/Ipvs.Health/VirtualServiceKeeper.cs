using System.Net;
using Ipvs.Model;

namespace Ipvs.Health;

/// <summary>
/// Keeps one virtual service in the kernel, with its configured real servers routed only while
/// they pass their health checks (the job of lvscare). Each round: put back what someone else
/// changed (the service, a real server, a weight), probe every server at once, then apply what
/// the health policy (<see cref="ServiceHealth"/>) decided. Real servers it was not told about
/// are left alone.
/// </summary>
public sealed class VirtualServiceKeeper
{
    private static readonly IVirtualServiceKeeperObserver s_silent = new SilentObserver();

    private readonly IIpvs _client;
    private readonly IHealthProber _prober;
    private readonly IVirtualServiceKeeperObserver _observer;
    private readonly RoundScheduler _scheduler;
    private IReadOnlyList<DesiredRealServer> _applied;

    /// <summary>Creates a keeper; nothing is sent to the kernel until <see cref="Ensure"/> or <see cref="RunAsync"/>.</summary>
    public VirtualServiceKeeper(
        IIpvs client,
        VirtualService service,
        IEnumerable<RealServer> servers,
        HealthCheckOptions options,
        IHealthProber prober,
        TimeProvider? timeProvider = null,
        IVirtualServiceKeeperObserver? observer = null)
    {
        _client = client ?? throw new ArgumentNullException(nameof(client));
        Service = service ?? throw new ArgumentNullException(nameof(service));
        _prober = prober ?? throw new ArgumentNullException(nameof(prober));
        _observer = observer ?? s_silent;
        Health = new ServiceHealth(servers, options);
        _scheduler = new RoundScheduler(options.Interval, timeProvider);
        _applied = Health.Desired(TimeSpan.Zero);
    }

    /// <summary>The virtual service as configured.</summary>
    public VirtualService Service { get; }

    /// <summary>The health of its real servers.</summary>
    public ServiceHealth Health { get; }

    /// <summary>The round scheduler (rounds so far, whether a round is running and for how long).</summary>
    public RoundScheduler Scheduler => _scheduler;

    /// <summary>Changes sent to the kernel to undo someone else's (a deleted service or server, a changed weight).</summary>
    public long Repairs { get; private set; }

    /// <summary>How long the last round took.</summary>
    public TimeSpan LastRoundDuration { get; private set; }

    /// <summary>Where each configured server was last put.</summary>
    public IReadOnlyList<DesiredRealServer> Applied => _applied;

    /// <summary>
    /// Creates the service if missing (or corrects its scheduler), and adds every configured real
    /// server that is missing with its weight, as lvscare does before its first probe.
    /// </summary>
    /// <returns>The changes sent and their results.</returns>
    /// <exception cref="IpvsException">The service could not be created or read.</exception>
    public IReadOnlyList<IpvsOperationResult> Ensure(CancellationToken cancellationToken = default)
    {
        var results = Reconcile(_applied, KernelChangeCause.Initial, cancellationToken);
        var serviceFailure = results.FirstOrDefault(r => r.Operation.Kind is IpvsOperationKind.AddService or IpvsOperationKind.UpdateService && !r.Succeeded);
        if (serviceFailure?.Error is { } error)
        {
            throw error;
        }

        return results;
    }

    /// <summary>Runs rounds every interval until cancelled.</summary>
    public Task RunAsync(CancellationToken cancellationToken) => _scheduler.RunAsync(RunRoundAsync, cancellationToken);

    /// <summary>Starts the next round now.</summary>
    public void RequestRound() => _scheduler.Wake();

    /// <summary>One round: repair, probe, apply. Failures are reported to the observer, not thrown (cancellation excepted).</summary>
    public async Task RunRoundAsync(CancellationToken cancellationToken)
    {
        var started = _scheduler.Now;
        try
        {
            // 1. Repair drift first, so a deleted service is back within one interval even while probes hang.
            var repaired = Reconcile(_applied, KernelChangeCause.Repair, cancellationToken);
            Repairs += repaired.Count;

            // 2. Probe every server at once.
            var results = await ProbeAllAsync(cancellationToken).ConfigureAwait(false);

            // 3. Count the results and apply what changed.
            var outcome = Health.Record(results, started);
            foreach (var transition in outcome.Transitions)
            {
                _observer.HealthChanged(Service.Key, transition.Health, transition.Previous, Health);
            }

            if (outcome.PanicChanged)
            {
                _observer.PanicChanged(Service.Key, Health.InPanic, Health);
            }

            var desired = Health.Desired(started);
            if (!SamePlacement(desired, _applied))
            {
                Reconcile(desired, KernelChangeCause.Health, cancellationToken);
            }

            _applied = desired;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e) when (e is IpvsException or TimeoutException or IOException or InvalidOperationException)
        {
            _observer.RoundFailed(Service.Key, e);
        }
        finally
        {
            LastRoundDuration = _scheduler.Now - started;
        }

        _observer.RoundCompleted(Service.Key, LastRoundDuration, Health);
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

    private async Task<ProbeResult[]> ProbeAllAsync(CancellationToken cancellationToken)
    {
        var servers = Health.Servers;
        var tasks = new Task<ProbeResult>[servers.Count];
        for (var i = 0; i < tasks.Length; i++)
        {
            tasks[i] = ProbeOneAsync(servers[i], cancellationToken);
        }

        return await Task.WhenAll(tasks).ConfigureAwait(false);
    }

    private async Task<ProbeResult> ProbeOneAsync(RealServerHealth server, CancellationToken cancellationToken)
    {
        ProbeResult result;
        try
        {
            result = await _prober.ProbeAsync(server.Server.Address, server.Server.Port, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A prober bug must not stop the round: count it as a failed probe.
            result = ProbeResult.Unhealthy(TimeSpan.Zero, e.Message);
        }

        _observer.ProbeCompleted(Service.Key, server, result);
        return result;
    }

    private IReadOnlyList<IpvsOperationResult> Reconcile(IReadOnlyList<DesiredRealServer> desired, KernelChangeCause cause, CancellationToken cancellationToken)
    {
        var actual = _client.GetService(Service.Key, cancellationToken);
        var present = actual is null ? [] : _client.GetRealServers(Service.Key, cancellationToken);
        var planned = Plan(actual, Service, present, desired);
        if (planned.Count == 0)
        {
            return [];
        }

        var results = _client.Execute(planned, cancellationToken);
        foreach (var result in results)
        {
            _observer.KernelChanged(Service.Key, result, cause);
        }

        return results.ToArray();
    }

    /// <summary>
    /// The changes that make the kernel match: the service (created when <paramref name="actual"/>
    /// is null, updated when its settings differ), then each configured server added, updated or
    /// deleted as its phase says.
    /// </summary>
    internal static List<IpvsOperation> Plan(VirtualService? actual, VirtualService service, IReadOnlyList<RealServer> present, IReadOnlyList<DesiredRealServer> desired)
    {
        var operations = new List<IpvsOperation>();
        if (actual is null)
        {
            operations.Add(IpvsOperation.AddService(service));
            present = [];
        }
        else if (!actual.HasSameSettings(service))
        {
            operations.Add(IpvsOperation.UpdateService(service));
        }

        operations.AddRange(PlanServers(service.Key, present, desired));
        return operations;
    }

    /// <summary>The real-server changes that make <paramref name="present"/> match <paramref name="desired"/>; other servers are untouched.</summary>
    internal static IEnumerable<IpvsOperation> PlanServers(VirtualServiceKey key, IReadOnlyList<RealServer> present, IReadOnlyList<DesiredRealServer> desired)
    {
        var index = new Dictionary<(IPAddress, ushort), RealServer>(present.Count);
        foreach (var server in present)
        {
            index[(server.Address, server.Port)] = server;
        }

        foreach (var want in desired)
        {
            var configured = want.Health.Server;
            index.TryGetValue((configured.Address, configured.Port), out var found);
            if (want.Phase == RealServerPhase.Removed)
            {
                if (found is not null)
                {
                    yield return IpvsOperation.DeleteRealServer(key, configured.Address, configured.Port);
                }

                continue;
            }

            var target = want.ToRealServer();
            if (found is null)
            {
                yield return IpvsOperation.AddRealServer(key, target);
            }
            else if (!found.HasSameSettings(target))
            {
                yield return IpvsOperation.UpdateRealServer(key, target);
            }
        }
    }

    private static bool SamePlacement(IReadOnlyList<DesiredRealServer> a, IReadOnlyList<DesiredRealServer> b)
    {
        if (a.Count != b.Count)
        {
            return false;
        }

        for (var i = 0; i < a.Count; i++)
        {
            if (a[i].Phase != b[i].Phase || !ReferenceEquals(a[i].Health, b[i].Health))
            {
                return false;
            }
        }

        return true;
    }

    private sealed class SilentObserver : IVirtualServiceKeeperObserver
    {
    }
}
