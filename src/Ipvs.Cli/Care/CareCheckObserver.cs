using System.Collections.Concurrent;
using Ipvs.Health;
using Ipvs.Health.Checks;
using Ipvs.Model;

namespace Ipvs.Cli.Care;

/// <summary>
/// Log lines and metrics of the services kept with checks (keepalived's way): one line per
/// check verdict, server transition, quorum change, suspension and script; kernel changes are
/// logged as for the other services. Failure texts come already made safe by the checkers.
/// </summary>
internal sealed class CareCheckObserver : ICheckedServiceObserver
{
    private readonly CareLog _log;
    private readonly CareLogObserver _kernel;
    private readonly ConcurrentDictionary<(VirtualServiceKey, string, string, bool), long> _transitions = new();
    private readonly ConcurrentDictionary<VirtualServiceKey, long> _errors = new();

    public CareCheckObserver(CareLog log)
    {
        _log = log;
        _kernel = new CareLogObserver(log, null);
    }

    public void CheckChanged(VirtualServiceKey service, CheckedServerState server, CheckDefinition check, CheckResult result)
    {
        var name = CheckName(check, server.Server);
        _transitions.AddOrUpdate((service, server.Endpoint, name, result.IsUp), 1, static (_, n) => n + 1);
        if (result.IsUp)
        {
            _log.Info($"{name} check of {server.Endpoint} passed" + (result.Weight is { } w ? $" (weight {w})" : string.Empty), [("service", service), ("server", server.Endpoint), ("check", name)]);
        }
        else
        {
            _log.Warn($"{name} check of {server.Endpoint} failed after {check.Retry} retr{(check.Retry == 1 ? "y" : "ies")}: {result.Failure}", [("service", service), ("server", server.Endpoint), ("check", name)]);
        }
    }

    public void ServerChanged(VirtualServiceKey service, CheckedServerState server, bool wasAlive, int previousWeight)
    {
        if (server.IsAlive != wasAlive)
        {
            if (server.IsAlive)
            {
                _log.Info($"real server {server.Endpoint} is up: every check passes", [("service", service), ("server", server.Endpoint), ("weight", server.EffectiveWeight)]);
            }
            else
            {
                _log.Warn($"real server {server.Endpoint} is down: {server.LastFailure ?? "a check has not passed yet"}", [("service", service), ("server", server.Endpoint)]);
            }
        }
        else
        {
            _log.Info($"real server {server.Endpoint}: weight {previousWeight} → {server.EffectiveWeight} (dynamic check)", [("service", service), ("server", server.Endpoint)]);
        }
    }

    public void QuorumChanged(VirtualServiceKey service, bool up, long liveWeight, long threshold, bool sorryServerInUse)
    {
        if (up)
        {
            _log.Info($"{service} gained quorum: live weight {liveWeight} ≥ {threshold}", [("service", service)]);
        }
        else
        {
            _log.Warn($"{service} lost quorum: live weight {liveWeight} < {threshold}" + (sorryServerInUse ? "; the sorry server takes over" : string.Empty), [("service", service)]);
        }
    }

    public void SuspendChanged(VirtualServiceKey service, bool suspended) =>
        _log.Info(suspended ? $"{service}: the virtual address is not local: checks suspended (ha-suspend)" : $"{service}: the virtual address is local again: checks resumed", [("service", service)]);

    public void KernelChanged(VirtualServiceKey service, IpvsOperationResult result, KernelChangeCause cause)
    {
        if (!result.Succeeded)
        {
            _errors.AddOrUpdate(service, 1, static (_, n) => n + 1);
        }

        _kernel.KernelChanged(service, result, cause);
    }

    public void ScriptFinished(VirtualServiceKey service, string what, ScriptCommand script, ScriptResult result)
    {
        var command = Health.Checks.SafeText.From(script.ToString());
        if (result.Error is not null)
        {
            _log.Error($"{what} script {command} could not run: {result.Error}", [("service", service)]);
        }
        else if (result.TimedOut)
        {
            _log.Warn($"{what} script {command} was killed after {HealthCheckOptions.Format(script.Timeout)}", [("service", service)]);
        }
        else if (result.ExitStatus != 0)
        {
            _log.Warn($"{what} script {command} exited with status {result.ExitStatus}", [("service", service)]);
        }
        else
        {
            _log.Debug($"{what} script {command} done", [("service", service)]);
        }
    }

    public void RoundFailed(VirtualServiceKey service, Exception error)
    {
        _errors.AddOrUpdate(service, 1, static (_, n) => n + 1);
        _log.Error($"cannot keep {service}: {error.Message}", [("service", service)]);
    }

    /// <summary>The checked services' metrics.</summary>
    public void Render(PrometheusText text, IReadOnlyList<CheckedServiceKeeper> keepers, int runners)
    {
        if (keepers.Count == 0)
        {
            return;
        }

        text.Family("ipvs_care_check_runners", "gauge", "Checks running: one per distinct check and target, shared by every service that names it.")
            .Sample("ipvs_care_check_runners", runners);
        foreach (var keeper in keepers)
        {
            var service = keeper.Service.Key.ToString();
            text.Family("ipvs_care_service_quorum", "gauge", "1 while the service has quorum (the live weight reached quorum + hysteresis).")
                .Sample("ipvs_care_service_quorum", keeper.QuorumUp ? 1 : 0, ("service", service));
            text.Family("ipvs_care_service_live_weight", "gauge", "The total weight of live real servers.")
                .Sample("ipvs_care_service_live_weight", keeper.LiveWeight, ("service", service));
            text.Family("ipvs_care_service_suspended", "gauge", "1 while checks are suspended (ha-suspend: the virtual address is not local).")
                .Sample("ipvs_care_service_suspended", keeper.Suspended ? 1 : 0, ("service", service));
            text.Family("ipvs_care_checked_repairs_total", "counter", "Changes made to undo someone else's (a deleted service or real server, a changed weight).")
                .Sample("ipvs_care_checked_repairs_total", keeper.Repairs, ("service", service));
            text.Family("ipvs_care_checked_errors_total", "counter", "Kernel changes refused and rounds that failed.")
                .Sample("ipvs_care_checked_errors_total", _errors.GetValueOrDefault(keeper.Service.Key), ("service", service));
            foreach (var server in keeper.Servers)
            {
                text.Family("ipvs_care_checked_real_server_up", "gauge", "1 while every check of the real server passes.")
                    .Sample("ipvs_care_checked_real_server_up", server.IsAlive ? 1 : 0, ("service", service), ("server", server.Endpoint));
                text.Family("ipvs_care_checked_real_server_weight", "gauge", "The weight the daemon gave the real server (0 while down, inhibited or replaced by the sorry server).")
                    .Sample("ipvs_care_checked_real_server_weight", server.IsAlive && !keeper.SorryServerInUse ? server.EffectiveWeight : 0, ("service", service), ("server", server.Endpoint));
            }
        }

        text.Family("ipvs_care_check_transitions_total", "counter", "Check verdicts that changed, by check and result.");
        foreach (var ((service, server, check, up), count) in _transitions.OrderBy(e => e.Key.Item1.ToString()).ThenBy(e => e.Key.Item2).ThenBy(e => e.Key.Item3))
        {
            text.Sample("ipvs_care_check_transitions_total", count, ("service", service.ToString()), ("server", server), ("check", check), ("result", up ? "up" : "down"));
        }
    }

    /// <summary>A check's name for logs and labels: its kind and, when it goes elsewhere, its target.</summary>
    public static string CheckName(CheckDefinition check, RealServer server)
    {
        var target = CheckedServiceKeeper.TargetOf(server, check);
        var kind = check.Kind.ToString().ToLowerInvariant();
        return target.Address.Equals(server.Address) && target.Port == server.Port ? kind : $"{kind}@{AddressPort.Format(target.Address, target.Port)}";
    }
}
