using System.Net;
using System.Net.NetworkInformation;
using System.Runtime.InteropServices;
using Ipvs.Health;
using Ipvs.Health.Checks;
using Ipvs.Model;
using Ipvs.Netlink;

namespace Ipvs.Cli.Care;

/// <summary>
/// Runs <c>ipvs care</c>: creates the virtual servers and the route or link, then keeps them —
/// probes, drains, removes, restores, repairs — until SIGTERM or SIGINT; SIGHUP re-reads the file.
/// Also <c>--run-once</c> (set up and exit) and <c>--clean</c> (remove and exit).
/// </summary>
internal sealed class CareDaemon
{
    private readonly CareLog _log;
    private readonly TimeProvider _timeProvider;
    private readonly Func<string, string?> _getVariable;
    private readonly Lock _lock = new();
    private CareOptions _options;
    private List<Running> _running = [];
    private IRuler? _ruler;
    private IIpvs? _client;
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _reload = new(0);
    private CareMetrics? _metrics;
    private Ha.HaRuntime? _ha;
    private CheckHub? _hub;
    private CareCheckObserver? _checkObserver;

    public CareDaemon(CareOptions options, CareLog log, TimeProvider timeProvider, Func<string, string?> getVariable)
    {
        _options = options;
        _log = log;
        _timeProvider = timeProvider;
        _getVariable = getVariable;
    }

    /// <summary>Opens the IPVS table to keep; tests give an in-memory one (default: the kernel's).</summary>
    public Func<IIpvs> OpenIpvs { get; init; } = static () => IpvsClient.Open();

    /// <summary>Where the record for <c>--clean</c> is kept (tests put it in a directory of theirs).</summary>
    public string RecordPath { get; init; } = CareRecord.PathForThisNamespace();

    /// <summary>Creates the checker of a check (default: <see cref="Checkers.Create"/>); tests give fakes.</summary>
    public Func<CheckDefinition, IChecker>? CheckerFactory { get; init; }

    /// <summary>Runs the checked services' scripts (default: spawned programs).</summary>
    public IScriptRunner? ScriptRunner { get; init; }

    /// <summary>Says whether an address is local (ha-suspend); default: the host's interfaces.</summary>
    public Func<IPAddress, bool>? IsLocalAddress { get; init; }

    /// <summary>A random delay up to its argument (the checks' warmup); default uniform.</summary>
    public Func<TimeSpan, TimeSpan>? RandomDelay { get; init; }

    /// <summary>The shared checks (null before the daemon starts).</summary>
    internal CheckHub? Hub => _hub;

    /// <summary>The services kept with checks.</summary>
    internal IReadOnlyList<CheckedServiceKeeper> CheckedKeepers()
    {
        lock (_lock)
        {
            return _running.Where(r => r.Checked is not null).Select(r => r.Checked!).ToArray();
        }
    }

    /// <summary>As SIGHUP does: re-read the configuration (or probe now).</summary>
    public void RequestReload() => _reload.Release();

    /// <summary>As SIGTERM does: stop, removing what the daemon created.</summary>
    public void RequestStop() => _stop.Cancel();

    /// <summary>A hook for tests: parses the file again on SIGHUP (null: reload is not possible).</summary>
    public Func<CareOptions, (CareOptions? Options, string? Error)>? Reloader { get; init; }

    public async Task<int> RunAsync()
    {
        if (_log.IsEnabled(LogLevel.Debug))
        {
            foreach (var (name, value) in _options.FlagValues)
            {
                _log.Debug($"FLAG: --{name}=\"{value}\"");
            }
        }

        if (_options.Clean)
        {
            return await CleanAsync().ConfigureAwait(false);
        }

        try
        {
            _client = OpenIpvs();
        }
        catch (IpvsException e)
        {
            _log.Error("cannot open IPVS: " + e.Message);
            return 1;
        }

        using var owner = _client as IDisposable;
        var client = _client;
        _metrics = new CareMetrics(Keepers, client);
        var observer = new CareLogObserver(_log, _metrics);
        var checkerFactory = CheckerFactory ?? (definition => Checkers.Create(definition, _timeProvider));
        if (!CanCheck(_options, checkerFactory))
        {
            return 2;
        }

        using var hub = new CheckHub(checkerFactory, _timeProvider, RandomDelay);
        _hub = hub;
        _checkObserver = new CareCheckObserver(_log);
        _metrics.Extra = text => _checkObserver.Render(text, CheckedKeepers(), hub.RunnerCount);
        _metrics.ExtraServices = () => CheckedKeepers().Select(k => k.Service.Key);

        // 1. What the route or link mode needs is checked before anything changes.
        _ruler = CreateRuler(_options);
        try
        {
            _ruler?.Check();
        }
        catch (Exception e) when (IsSetupFailure(e))
        {
            _log.Error($"cannot use {_ruler!.Name} mode: {e.Message}");
            return 1;
        }

        // The ha section: this node and its interfaces, checked before anything changes.
        if (_options.Ha is { } ha)
        {
            _ha = Ha.HaRuntime.Prepare(ha, _options.HaNode, Ipvs.Ha.HaPaths.DefaultRunDirectory, client, line => _log.Info(line), _timeProvider, out var haError);
            if (_ha is null)
            {
                _log.Error($"the ha section of {_options.File} cannot work on this host; nothing was changed: {haError}");
                return 1;
            }

            _ha.Health = () => Keepers().Select(k => (k.Service.Key, k.Health.AvailableCount, k.Health.Servers.Count))
                .Concat(CheckedKeepers().Select(k => (k.Service.Key, k.SorryServerInUse ? 0 : k.AliveCount, k.Servers.Count)));
        }

        // 2. The virtual servers and their real servers, as lvscare does before its first probe.
        foreach (var service in _options.Services)
        {
            var keeper = CreateKeeper(client, service, observer);
            try
            {
                keeper.Ensure(CancellationToken.None);
            }
            catch (IpvsException e)
            {
                keeper.Dispose();
                _log.Error($"cannot create virtual server {service.Service.Key}: {e.Message}");
                StopAll();
                return 1;
            }

            _running.Add(keeper);
        }

        // 3. The route or the link.
        if (_ruler is not null)
        {
            try
            {
                _ruler.Setup();
                _log.Info($"{_ruler.Name} mode set up", [("addresses", string.Join(',', _ruler.Addresses)), .. (_ruler is LinkRuler link ? new[] { ("masquerade", (object?)link.MasqueradeBackend) } : [])]);
            }
            catch (Exception e) when (IsSetupFailure(e))
            {
                _log.Error($"cannot set up {_ruler.Name} mode: {e.Message}");
                StopAll();
                return 1;
            }
        }

        SaveRecord();
        if (_ha is not null && _options.RunOnce)
        {
            try
            {
                foreach (var change in await _ha.Follower.EnsureSyncAsync().ConfigureAwait(false))
                {
                    _log.Info("ha: " + change);
                }
            }
            catch (Exception e) when (e is IpvsException or IOException or UnauthorizedAccessException)
            {
                _log.Error("ha: cannot set up the sync daemons: " + e.Message);
                await _ha.DisposeAsync().ConfigureAwait(false);
                StopAll();
                return 1;
            }

            await _ha.DisposeAsync().ConfigureAwait(false);
            _ha = null;
        }

        if (_options.RunOnce)
        {
            _log.Info("rules created; exiting (--run-once)", [("services", _running.Count)]);
            StopAll();
            return 0;
        }

        return await RunDaemonAsync().ConfigureAwait(false);
    }

    private async Task<int> RunDaemonAsync()
    {
        var stop = _stop;
        var reload = _reload;
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var sigquit = PosixSignalRegistration.Create(PosixSignal.SIGQUIT, Stop);
        using var sighup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
        {
            context.Cancel = true;
            reload.Release();
        });

        MetricsServer? metricsServer = null;
        if (_options.MetricsAddress is { } address)
        {
            try
            {
                metricsServer = MetricsServer.Start(address, RenderMetricsAsync);
                _log.Info($"serving metrics on http://{AddressPort.Format(metricsServer.LocalEndPoint.Address, (ushort)metricsServer.LocalEndPoint.Port)}/metrics");
            }
            catch (System.Net.Sockets.SocketException e)
            {
                _log.Error($"cannot serve metrics on {address}: {e.Message}");
                StopAll();
                return 1;
            }
        }

        if (_ha is not null && !await _ha.StartAsync(stop.Token).ConfigureAwait(false))
        {
            await _ha.DisposeAsync().ConfigureAwait(false);
            if (metricsServer is not null)
            {
                await metricsServer.DisposeAsync().ConfigureAwait(false);
            }

            StopAll();
            return 1;
        }

        using var notifier = SystemdNotifier.FromEnvironment(_getVariable, Environment.ProcessId);
        lock (_lock)
        {
            foreach (var keeper in _running)
            {
                keeper.Start(stop.Token);
            }
        }

        // ha-suspend follows the virtual address when the kernel announces a change (keepalived
        // listens to netlink too), not at the next repair round, which may be seconds away.
        NetworkChange.NetworkAddressChanged += OnAddressChanged;
        var rulerLoop = RunRulerRepairAsync(stop.Token);
        notifier?.Notify("READY=1\nSTATUS=" + Status());
        _log.Info("care started", [("services", _running.Count), ("interval", _options.BaseInterval), ("mode", ModeName(_options.Mode))]);
        var watchdog = notifier?.WatchdogInterval is { } every ? FeedWatchdogAsync(notifier, every, stop.Token) : Task.CompletedTask;

        var stopped = WaitAsync(stop.Token);
        while (true)
        {
            var reloadRequested = reload.WaitAsync(stop.Token);
            var first = await Task.WhenAny(stopped, reloadRequested).ConfigureAwait(false);
            if (first == stopped || stop.IsCancellationRequested)
            {
                break;
            }

            notifier?.Notify("RELOADING=1");
            await ReloadAsync(stop.Token).ConfigureAwait(false);
            notifier?.Notify("READY=1\nSTATUS=" + Status());
        }

        _log.Info("stopping: probes end" + (_options.CleanOnExit ? "; removing the rules (--clean-on-exit)" : "; the rules stay (--clean-on-exit removes them)"));
        notifier?.Notify("STOPPING=1");
        List<Running> running;
        lock (_lock)
        {
            running = [.. _running];
        }

        NetworkChange.NetworkAddressChanged -= OnAddressChanged;
        await Task.WhenAll(running.Select(r => r.StopAsync()).Append(Quietly(rulerLoop)).Append(Quietly(watchdog))).ConfigureAwait(false);
        if (metricsServer is not null)
        {
            await metricsServer.DisposeAsync().ConfigureAwait(false);
        }

        if (_ha is not null)
        {
            await _ha.DisposeAsync().ConfigureAwait(false);
        }

        var status = 0;
        if (_options.CleanOnExit)
        {
            status = await RemoveAsync(_client!, running.Select(r => r.Key).ToList(), _ruler).ConfigureAwait(false);
        }

        StopAll();
        return status;

        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            _log.Info($"received {context.Signal}");
            stop.Cancel();
        }
    }

    // Care's metrics, with the pair's when the file has an ha section.
    private async Task<string> RenderMetricsAsync(CancellationToken cancellationToken)
    {
        var text = await _metrics!.RenderAsync(cancellationToken).ConfigureAwait(false);
        return _ha is null ? text : text + await _ha.RenderMetricsAsync(cancellationToken).ConfigureAwait(false);
    }

    private static Task WaitAsync(CancellationToken token)
    {
        var completion = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        token.Register(() => completion.TrySetResult());
        return completion.Task;
    }

    private static async Task Quietly(Task task)
    {
        try
        {
            await task.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void OnAddressChanged(object? sender, EventArgs e)
    {
        foreach (var keeper in CheckedKeepers().Where(k => k.Policy.HaSuspend))
        {
            keeper.RequestRound();
        }
    }

    private IReadOnlyList<VirtualServiceKeeper> Keepers()
    {
        lock (_lock)
        {
            return _running.Where(r => r.Keeper is not null).Select(r => r.Keeper!).ToArray();
        }
    }

    private string Status()
    {
        var keepers = Keepers();
        var checkedKeepers = CheckedKeepers();
        var available = keepers.Sum(k => k.Health.AvailableCount) + checkedKeepers.Sum(k => k.AliveCount);
        var total = keepers.Sum(k => k.Health.Servers.Count) + checkedKeepers.Sum(k => k.Servers.Count);
        return $"{keepers.Count + checkedKeepers.Count} virtual server(s), {available} of {total} real server(s) available";
    }

    // Every check must have a checker before anything changes.
    private bool CanCheck(CareOptions options, Func<CheckDefinition, IChecker> factory)
    {
        foreach (var definition in options.Services.Where(s => s.Checked is not null).SelectMany(s => s.Checked!.Servers.SelectMany(r => r.Checks)).Distinct())
        {
            try
            {
                factory(definition).Dispose();
            }
            catch (NotSupportedException e)
            {
                _log.Error($"cannot check: {e.Message}; nothing was changed");
                return false;
            }
        }

        return true;
    }

    private Running CreateKeeper(IIpvs client, CaredService service, IVirtualServiceKeeperObserver observer, bool reloaded = false)
    {
        if (service.Checked is { } checks)
        {
            var keeperOfChecks = new CheckedServiceKeeper(client, service.Service, checks.Servers, checks.Policy, _hub!, _timeProvider, _checkObserver, ScriptRunner, IsLocalAddress) { StartedByReload = reloaded };
            return new Running(null, null, keeperOfChecks, service);
        }

        var prober = HealthProbers.Create(service.Health, _timeProvider);
        var keeper = new VirtualServiceKeeper(client, service.Service, service.RealServers, service.Health, prober, _timeProvider, observer);
        if (service.Health.Timeout > service.Health.EffectiveTimeout)
        {
            _log.Info(
                $"{service.Service.Key}: probes time out after {HealthCheckOptions.Format(service.Health.EffectiveTimeout)}, not {HealthCheckOptions.Format(service.Health.Timeout)}: a probe must end before the next round ({HealthCheckOptions.Format(service.Health.Interval)})");
        }

        return new Running(keeper, prober, null, service);
    }

    private IRuler? CreateRuler(CareOptions options)
    {
        var keys = options.Services.Select(s => s.Service.Key).Where(k => !k.IsFirewallMark).ToList();
        switch (options.Mode)
        {
            case CareMode.Route:
                if (options.Gateway is null)
                {
                    _log.Warn($"route mode without a gateway (--ip, or {HostsFile.LvscareNodeName} in /etc/hosts): no route is added");
                    return null;
                }

                return new RouteRuler(Masquerade.Addresses(keys), options.Gateway);
            case CareMode.Link:
                return new LinkRuler(options.Interface, keys, options.MasqueradeMark);
            default:
                return null;
        }
    }

    private static bool IsSetupFailure(Exception e) =>
        e is NetlinkException or InvalidOperationException or IOException or UnauthorizedAccessException or ArgumentException;

    private async Task RunRulerRepairAsync(CancellationToken cancellationToken)
    {
        var scheduler = new RoundScheduler(_options.BaseInterval, _timeProvider);
        await scheduler.RunAsync(
            _ =>
            {
                IRuler? ruler;
                lock (_lock)
                {
                    ruler = _ruler;
                }

                if (ruler is null)
                {
                    return Task.CompletedTask;
                }

                try
                {
                    foreach (var what in ruler.Repair())
                    {
                        _log.Warn($"repaired a change made behind our back: {what}", [("cause", "repair")]);
                    }
                }
                catch (Exception e) when (IsSetupFailure(e))
                {
                    _log.Error($"cannot check the {ruler.Name} mode's rules: {e.Message}");
                }

                return Task.CompletedTask;
            },
            cancellationToken).ConfigureAwait(false);
    }

    private async Task FeedWatchdogAsync(SystemdNotifier notifier, TimeSpan every, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            // Fed only while no round is stuck: a hung daemon is what the watchdog is for.
            var stuck = Keepers().FirstOrDefault(k => k.Scheduler.CurrentRoundAge is { } age && age > k.Health.Options.Interval + k.Health.Options.EffectiveTimeout + TimeSpan.FromSeconds(30));
            if (stuck is null)
            {
                notifier.Notify("WATCHDOG=1\nSTATUS=" + Status());
            }
            else
            {
                _log.Warn($"the round of {stuck.Service.Key} has been running for {HealthCheckOptions.Format(stuck.Scheduler.CurrentRoundAge ?? TimeSpan.Zero)}: not feeding the watchdog");
            }

            await Task.Delay(every, _timeProvider, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task ReloadAsync(CancellationToken cancellationToken)
    {
        if (_options.File is null || Reloader is null)
        {
            _log.Info("SIGHUP: no configuration file to re-read (-f); probing now");
            foreach (var keeper in Keepers())
            {
                keeper.RequestRound();
            }

            foreach (var keeper in CheckedKeepers())
            {
                keeper.RequestRound();
            }

            return;
        }

        var (reloaded, error) = Reloader(_options);
        if (reloaded is null)
        {
            _log.Error($"SIGHUP: {error}; keeping the current configuration");
            return;
        }

        _log.Info($"SIGHUP: re-read {_options.File}", [("services", reloaded.Services.Count)]);
        var client = _client!;
        var observer = new CareLogObserver(_log, _metrics);
        var keep = new List<Running>();
        var retired = new List<Running>();
        var next = reloaded.Services.ToDictionary(s => s.Service.Key);
        var checkerFactory = CheckerFactory ?? (definition => Checkers.Create(definition, _timeProvider));
        if (!CanCheck(reloaded, checkerFactory))
        {
            _log.Error("SIGHUP: keeping the current configuration");
            return;
        }

        List<Running> current;
        lock (_lock)
        {
            current = [.. _running];
        }

        foreach (var running in current)
        {
            if (next.TryGetValue(running.Key, out var wanted) && running.Definition.IsSameAs(wanted))
            {
                keep.Add(running);
                next.Remove(wanted.Service.Key);
            }
            else
            {
                retired.Add(running);
            }
        }

        // Stop what changed or went away; delete what went away, and real servers a changed service no longer lists.
        foreach (var running in retired)
        {
            await running.StopAsync().ConfigureAwait(false);
            var key = running.Key;
            if (!reloaded.Services.Any(s => s.Service.Key == key))
            {
                if (running.Delete(cancellationToken))
                {
                    _log.Info($"deleted virtual server {key}: no longer in {_options.File}");
                }
            }
            else
            {
                var wanted = reloaded.Services.First(s => s.Service.Key == key);
                foreach (var old in running.Definition.RealServers.Concat(running.Definition.Checked?.Policy.SorryServer is { } sorry ? [sorry] : []))
                {
                    if (!wanted.RealServers.Concat(wanted.Checked?.Policy.SorryServer is { } keptSorry ? [keptSorry] : []).Any(s => s.Address.Equals(old.Address) && s.Port == old.Port))
                    {
                        try
                        {
                            client.DeleteRealServer(key, old.Address, old.Port, cancellationToken);
                            _log.Info($"removed real server {old.Endpoint}: no longer in {_options.File}", [("service", key)]);
                        }
                        catch (IpvsException)
                        {
                            // already gone
                        }
                    }
                }
            }
        }

        // New and changed services subscribe to their checks before the retired ones let go:
        // a check that did not change keeps its runner and its state.
        foreach (var service in reloaded.Services.Where(s => !keep.Any(k => k.Key == s.Service.Key)))
        {
            var running = CreateKeeper(client, service, observer, reloaded: true);
            try
            {
                running.Ensure(cancellationToken);
            }
            catch (IpvsException e)
            {
                _log.Error($"cannot create virtual server {service.Service.Key}: {e.Message}");
                running.Dispose();
                continue;
            }

            keep.Add(running);
            running.Start(cancellationToken);
        }

        foreach (var running in retired)
        {
            running.Dispose();
        }

        // The route or link follows the new set of addresses.
        var ruler = CreateRuler(reloaded);
        var previous = _ruler;
        try
        {
            ruler?.Setup();
            var stale = previous?.Addresses.Except(ruler?.Addresses ?? []).ToList() ?? [];
            if (previous is not null && stale.Count > 0)
            {
                previous.Release(stale);
            }
        }
        catch (Exception e) when (IsSetupFailure(e))
        {
            _log.Error($"cannot update the {ruler?.Name} mode: {e.Message}");
        }

        lock (_lock)
        {
            _running = keep;
            _ruler = ruler;
            _options = reloaded;
        }

        SaveRecord();
    }

    private void SaveRecord()
    {
        var record = new CareRecord(Keepers().Select(k => k.Service.Key).Concat(CheckedKeepers().Select(k => k.Service.Key)).ToList(), _ruler is null ? CareMode.None : _options.Mode, _options.Interface, _options.Gateway);
        try
        {
            record.Save(RecordPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _log.Debug("cannot write the record for --clean: " + e.Message);
        }
    }

    private void StopAll()
    {
        lock (_lock)
        {
            foreach (var running in _running)
            {
                running.Dispose();
            }

            _running = [];
        }
    }

    private async Task<int> CleanAsync()
    {
        var options = _options;
        var services = options.Services.Select(s => s.Service.Key).ToList();
        var mode = options.Mode;
        var iface = options.Interface;
        var gateway = options.Gateway;
        var recordPath = RecordPath;
        var record = CareRecord.Load(recordPath);
        if (options.VirtualServer is null && options.File is null)
        {
            if (record is null)
            {
                if (mode != CareMode.Link)
                {
                    _log.Info("nothing to clean: no virtual server given (--vs) and none recorded by a daemon in this network namespace");
                    return 0;
                }
            }
            else
            {
                services = [.. record.Services];
                mode = record.Mode;
                iface = record.Interface;
                gateway = record.Gateway;
            }
        }

        IIpvs? client = null;
        try
        {
            client = services.Count > 0 ? OpenIpvs() : null;
        }
        catch (IpvsException e)
        {
            _log.Error("cannot open IPVS: " + e.Message);
            return 1;
        }

        using (client as IDisposable)
        {
            var cleanOptions = options with { Mode = mode, Interface = iface, Gateway = gateway, Services = services.Select(k => new CaredService(new VirtualService(k), [], new HealthCheckOptions())).ToList() };
            var ruler = CreateRuler(cleanOptions);
            var status = await RemoveAsync(client, services, ruler).ConfigureAwait(false);
            if (status == 0 && File.Exists(recordPath) && (record is null || record.Services.All(services.Contains)))
            {
                File.Delete(recordPath);
            }

            return status;
        }
    }

    private async Task<int> RemoveAsync(IIpvs? client, IReadOnlyList<VirtualServiceKey> services, IRuler? ruler)
    {
        var status = 0;
        foreach (var key in services)
        {
            try
            {
                client!.DeleteService(key);
                _log.Info($"deleted virtual server {key}");
            }
            catch (ServiceNotFoundException)
            {
                _log.Info($"virtual server {key} does not exist");
            }
            catch (IpvsException e)
            {
                _log.Error($"cannot delete virtual server {key}: {e.Message}");
                status = 1;
            }
        }

        if (ruler is not null)
        {
            try
            {
                ruler.Cleanup();
                _log.Info($"removed the {ruler.Name} mode's rules", [("addresses", string.Join(',', ruler.Addresses))]);
            }
            catch (Exception e) when (IsSetupFailure(e))
            {
                _log.Error($"cannot remove the {ruler.Name} mode's rules: {e.Message}");
                status = 1;
            }
        }

        return status;
    }

    private static string ModeName(CareMode mode) => mode switch
    {
        CareMode.Route => "route",
        CareMode.Link => "link",
        _ => "none",
    };

    /// <summary>A keeper (lvscare-style with its prober, or keepalived-style with checks), its definition and loop.</summary>
    private sealed class Running(VirtualServiceKeeper? keeper, IHealthProber? prober, CheckedServiceKeeper? checkedKeeper, CaredService definition) : IDisposable
    {
        private CancellationTokenSource? _stop;
        private Task? _loop;

        public VirtualServiceKeeper? Keeper { get; } = keeper;

        public CheckedServiceKeeper? Checked { get; } = checkedKeeper;

        public CaredService Definition { get; } = definition;

        public VirtualServiceKey Key => Definition.Service.Key;

        public void Ensure(CancellationToken cancellationToken)
        {
            if (Checked is not null)
            {
                Checked.Ensure(cancellationToken);
            }
            else
            {
                Keeper!.Ensure(cancellationToken);
            }
        }

        public bool Delete(CancellationToken cancellationToken) => Checked?.Delete(cancellationToken) ?? Keeper!.Delete(cancellationToken);

        public void Start(CancellationToken daemonStop)
        {
            _stop = CancellationTokenSource.CreateLinkedTokenSource(daemonStop);
            _loop = Task.Run(() => Checked is not null ? Checked.RunAsync(_stop.Token) : Keeper!.RunAsync(_stop.Token), CancellationToken.None);
        }

        public async Task StopAsync()
        {
            Checked?.Stop();
            if (_stop is null || _loop is null)
            {
                return;
            }

            await _stop.CancelAsync().ConfigureAwait(false);
            await Quietly(_loop).ConfigureAwait(false);
        }

        public void Dispose()
        {
            _stop?.Dispose();
            prober?.Dispose();
            Checked?.Dispose();
        }
    }
}
