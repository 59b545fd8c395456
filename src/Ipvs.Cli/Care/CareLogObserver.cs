using Ipvs.Health;
using Ipvs.Model;

namespace Ipvs.Cli.Care;

/// <summary>Turns what the keepers report into log lines, and forwards it to the metrics.</summary>
internal sealed class CareLogObserver : IVirtualServiceKeeperObserver
{
    private readonly CareLog _log;
    private readonly IVirtualServiceKeeperObserver? _next;
    private readonly HashSet<VirtualServiceKey> _firstRoundDone = [];

    public CareLogObserver(CareLog log, IVirtualServiceKeeperObserver? next)
    {
        _log = log;
        _next = next;
    }

    public void ProbeCompleted(VirtualServiceKey service, RealServerHealth server, ProbeResult result)
    {
        if (_log.IsEnabled(LogLevel.Debug))
        {
            if (result.IsHealthy)
            {
                _log.Debug("probe ok", [("service", service), ("server", server.Endpoint), ("latency", result.Duration)]);
            }
            else
            {
                _log.Debug("probe failed", [("service", service), ("server", server.Endpoint), ("latency", result.Duration), ("error", result.Failure)]);
            }
        }

        _next?.ProbeCompleted(service, server, result);
    }

    public void HealthChanged(VirtualServiceKey service, RealServerHealth server, RealServerHealthState previous, ServiceHealth health)
    {
        switch (server.State)
        {
            case RealServerHealthState.Unhealthy:
                _log.Warn(
                    $"real server {server.Endpoint} is unhealthy after {server.ConsecutiveFailures} failed probe(s): {server.LastProbe?.Failure}",
                    [("service", service), ("server", server.Endpoint), ("available", health.AvailableCount), ("total", health.Servers.Count)]);
                break;
            case RealServerHealthState.Healthy when previous == RealServerHealthState.Unhealthy:
                _log.Info(
                    $"real server {server.Endpoint} is healthy again after {server.ConsecutiveSuccesses} successful probe(s)",
                    [("service", service), ("server", server.Endpoint), ("available", health.AvailableCount), ("total", health.Servers.Count)]);
                break;
            default:
                _log.Debug($"real server {server.Endpoint} is {CareMetrics.StateName(server.State)}", [("service", service), ("server", server.Endpoint)]);
                break;
        }

        _next?.HealthChanged(service, server, previous, health);
    }

    public void PanicChanged(VirtualServiceKey service, bool inPanic, ServiceHealth health)
    {
        if (inPanic)
        {
            _log.Warn($"every real server of {service} is unhealthy: keeping all {health.Servers.Count} in service rather than none (panic; --fail-closed removes them instead)", [("service", service)]);
        }
        else
        {
            _log.Info($"{service} has a healthy real server again: leaving panic", [("service", service), ("available", health.AvailableCount)]);
        }

        _next?.PanicChanged(service, inPanic, health);
    }

    public void KernelChanged(VirtualServiceKey service, IpvsOperationResult result, KernelChangeCause cause)
    {
        var operation = result.Operation;
        var what = operation switch
        {
            AddServiceOperation add => $"created virtual server {add.Service.Key} (scheduler {add.Service.Scheduler})",
            UpdateServiceOperation update => $"updated virtual server {update.Service.Key} (scheduler {update.Service.Scheduler})",
            AddRealServerOperation add => $"added real server {add.Server.Endpoint} with weight {add.Server.Weight}",
            UpdateRealServerOperation update when update.Server.Weight == 0 => $"set the weight of real server {update.Server.Endpoint} to 0 (draining)",
            UpdateRealServerOperation update => $"set the weight of real server {update.Server.Endpoint} to {update.Server.Weight}",
            DeleteRealServerOperation delete => $"removed real server {AddressPort.Format(delete.Address, delete.Port)}",
            _ => operation.Kind + " " + operation.Describe(),
        };
        if (result.Error is { } error)
        {
            _log.Error($"could not apply: {what}: {error.Message}", [("service", service), ("cause", CauseName(cause))]);
        }
        else if (cause == KernelChangeCause.Repair)
        {
            _log.Warn($"repaired a change made behind our back: {what}", [("service", service), ("cause", "repair")]);
        }
        else
        {
            _log.Info(what, [("service", service), ("cause", CauseName(cause))]);
        }

        _next?.KernelChanged(service, result, cause);
    }

    public void RoundFailed(VirtualServiceKey service, Exception error)
    {
        _log.Error("health round failed: " + error.Message, [("service", service)]);
        _next?.RoundFailed(service, error);
    }

    public void RoundCompleted(VirtualServiceKey service, TimeSpan duration, ServiceHealth health)
    {
        NativeMemory.TrimAfterRound();
        bool first;
        lock (_firstRoundDone)
        {
            first = _firstRoundDone.Add(service);
        }

        if (first)
        {
            // Individual servers turning healthy at start are not news; the summary is.
            var failing = health.Servers.Where(s => s.LastProbe is { IsHealthy: false }).Select(s => $"{s.Endpoint} ({s.LastProbe?.Failure})").ToList();
            var healthy = health.Servers.Count(s => s.State == RealServerHealthState.Healthy);
            _log.Info(
                $"first probe round of {service}: {healthy} of {health.Servers.Count} real server(s) healthy" + (failing.Count == 0 ? string.Empty : "; failing: " + string.Join(", ", failing)),
                [("service", service), ("duration", duration)]);
        }

        if (_log.IsEnabled(LogLevel.Debug))
        {
            _log.Debug("round done", [("service", service), ("duration", duration), ("available", health.AvailableCount), ("total", health.Servers.Count), ("panic", health.InPanic)]);
        }

        _next?.RoundCompleted(service, duration, health);
    }

    private static string CauseName(KernelChangeCause cause) => cause switch
    {
        KernelChangeCause.Initial => "initial",
        KernelChangeCause.Repair => "repair",
        _ => "health",
    };
}
