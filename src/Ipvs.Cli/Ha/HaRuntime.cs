using System.Net;
using Ipvs.Cli.Care;
using Ipvs.Ha;
using Ipvs.Model;
using Ipvs.State;

namespace Ipvs.Cli.Ha;

/// <summary>
/// The <c>ha</c> section at work inside a daemon (<c>ipvs care -f</c>, <c>ipvs apply --watch</c>):
/// starts the <see cref="HaFollower"/> after the host check, then keeps it going: the role at
/// once on every change (inotify), health into the track file within a quarter second of a
/// round, the sync daemons and tunables repaired every few seconds, the status served on the
/// status port (<c>GET /ha</c>, <c>GET /metrics</c>).
/// </summary>
internal sealed class HaRuntime : IAsyncDisposable
{
    private static readonly TimeSpan s_healthEvery = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan s_repairEvery = TimeSpan.FromSeconds(5);

    private readonly HaFollower _follower;
    private readonly Action<string> _log;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _stop = new();
    private MetricsServer? _server;
    private Task? _loop;

    private HaRuntime(HaFollower follower, Action<string> log, TimeProvider time)
    {
        _follower = follower;
        _log = log;
        _time = time;
    }

    public HaFollower Follower => _follower;

    /// <summary>Where service health comes from (care's keepers); null: no health tracking (apply --watch).</summary>
    public Func<IEnumerable<(VirtualServiceKey Service, int Healthy, int Total)>>? Health { get; set; }

    /// <summary>
    /// Checks the host and sets up the sync daemons. Null with <paramref name="error"/> set when
    /// the section cannot work here (nothing changed then, but for what <c>EnsureSync</c> reports).
    /// </summary>
    public static HaRuntime? Prepare(HaConfig ha, string? nodeName, string runDirectory, IIpvs client, Action<string> log, TimeProvider time, out string? error)
    {
        var node = HaFollower.ResolveNode(ha, nodeName, out var nodeError);
        if (node is null)
        {
            error = nodeError;
            return null;
        }

        var problems = HaFollower.CheckHost(ha);
        if (problems.Count > 0)
        {
            error = string.Join("\n", problems.Select(p => p.ToString()));
            return null;
        }

        error = null;
        return new HaRuntime(new HaFollower(ha, node, client, new HaPaths(runDirectory, ha.Instance, node.Name), time, log), log, time);
    }

    /// <summary>Starts the sync daemons, reads the role, starts the loop and the status server.</summary>
    public async Task<bool> StartAsync(CancellationToken cancellationToken)
    {
        var ha = _follower.Config;
        try
        {
            foreach (var change in await _follower.EnsureSyncAsync(cancellationToken).ConfigureAwait(false))
            {
                _log("ha: " + change);
            }
        }
        catch (IpvsException e)
        {
            _log("ha: cannot set up the sync daemons: " + e.Message);
            return false;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _log("ha: cannot set the sync tunables: " + e.Message);
            return false;
        }

        var role = _follower.RefreshRole();
        _follower.UpdateTrack();
        if (role is null)
        {
            _log($"ha: node {_follower.Node.Name} of {ha.Instance}, no role reported by keepalived yet ({_follower.Paths.RoleFile})");
        }

        _follower.WriteStatusFile();
        if (ha.StatusPort != 0)
        {
            var endpoint = new IPEndPoint(_follower.Node.Address, ha.StatusPort);
            try
            {
                _server = MetricsServer.Start(endpoint, RenderMetricsAsync, new Dictionary<string, (string, Func<CancellationToken, Task<string>>)>
                {
                    ["/ha"] = ("application/json", _ => Task.FromResult(_follower.Snapshot().ToJson())),
                });
                _log($"ha: status on http://{AddressPort.Format(endpoint.Address, ha.StatusPort)}/ha");
            }
            catch (System.Net.Sockets.SocketException e)
            {
                // The status is a convenience; the pair works without it.
                _log($"ha: cannot serve the status on {endpoint}: {e.Message}");
            }
        }

        _loop = Task.Run(() => LoopAsync(_stop.Token), CancellationToken.None);
        return true;
    }

    private async Task LoopAsync(CancellationToken cancellationToken)
    {
        var lastRepair = _time.GetTimestamp();
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(s_healthEvery, _time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            try
            {
                if (Health is { } health)
                {
                    _follower.UpdateHealth(health());
                }
                else
                {
                    _follower.UpdateTrack();
                }

                if (_time.GetElapsedTime(lastRepair) >= s_repairEvery)
                {
                    lastRepair = _time.GetTimestamp();
                    foreach (var change in await _follower.EnsureSyncAsync(cancellationToken).ConfigureAwait(false))
                    {
                        _log("ha: repaired: " + change);
                    }

                    if (_follower.EnsureTrackFile())
                    {
                        _log("ha: repaired the track file " + _follower.Paths.TrackFile);
                    }

                    _follower.RefreshRole();
                    _follower.WriteStatusFile();
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception e) when (e is IpvsException or IOException or UnauthorizedAccessException)
            {
                _log("ha: " + e.Message);
            }
        }
    }

    /// <summary>The HA metrics, in Prometheus' text format.</summary>
    public Task<string> RenderMetricsAsync(CancellationToken cancellationToken)
    {
        var text = new PrometheusText();
        Render(text, _follower.Snapshot());
        return Task.FromResult(text.ToString());
    }

    /// <summary>Appends the HA metrics of <paramref name="status"/>.</summary>
    public static void Render(PrometheusText text, HaStatus status)
    {
        (string, string) instance = ("instance_name", status.Instance);
        (string, string) node = ("node", status.Node);
        text.Family("ipvs_ha_role", "gauge", "1 for the VRRP role keepalived last reported for this director (master, backup, fault, stop, unknown).");
        foreach (var state in new[] { HaRoleState.Master, HaRoleState.Backup, HaRoleState.Fault, HaRoleState.Stop, HaRoleState.Unknown })
        {
            text.Sample("ipvs_ha_role", status.Role == state ? 1 : 0, instance, node, ("role", HaRole.Name(state).ToLowerInvariant()));
        }

        text.Family("ipvs_ha_role_since_seconds", "gauge", "When keepalived reported the current role (Unix time).")
            .Sample("ipvs_ha_role_since_seconds", status.RoleSince?.ToUnixTimeMilliseconds() / 1000.0 ?? 0, instance, node);
        text.Family("ipvs_ha_transitions_total", "counter", "Role changes seen since the daemon started.")
            .Sample("ipvs_ha_transitions_total", status.Transitions, instance, node);
        text.Family("ipvs_ha_priority", "gauge", "This director's VRRP priority: configured (base) and after health (effective).")
            .Sample("ipvs_ha_priority", status.BasePriority, instance, node, ("kind", "base"))
            .Sample("ipvs_ha_priority", status.EffectivePriority, instance, node, ("kind", "effective"));
        text.Family("ipvs_ha_down_services", "gauge", "Services below their healthy minimum, each lowering the priority by the penalty.")
            .Sample("ipvs_ha_down_services", status.DownServices.Count, instance, node);
        text.Family("ipvs_ha_virtual_addresses_held", "gauge", "Virtual addresses local on this director now.")
            .Sample("ipvs_ha_virtual_addresses_held", status.HeldAddresses.Count, instance, node);
        text.Family("ipvs_ha_sync_daemon_running", "gauge", "1 while the kernel's sync daemon of that state runs.");
        foreach (var state in new[] { SyncDaemonState.Master, SyncDaemonState.Backup })
        {
            text.Sample("ipvs_ha_sync_daemon_running", status.SyncDaemons.Any(d => d.State == state) ? 1 : 0, instance, node, ("state", IpvsNames.Name(state)));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
        }

        if (_server is not null)
        {
            await _server.DisposeAsync().ConfigureAwait(false);
        }

        _follower.Dispose();
        _stop.Dispose();
    }
}
