using System.Collections.Concurrent;
using System.Globalization;
using Ipvs.Health;
using Ipvs.Model;

namespace Ipvs.Cli.Care;

/// <summary>
/// The daemon's Prometheus metrics: per real server its health state, placement, weight, probe
/// counts and latency histogram; per service panic, rounds and repairs; and the kernel's own
/// counters, read when scraped.
/// </summary>
internal sealed class CareMetrics : IVirtualServiceKeeperObserver
{
    private static readonly double[] s_buckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    // The HELP of each total the counters' table exports (IpvsCounterName.Metric).
    private static readonly Dictionary<string, string> s_serviceHelp = new(StringComparer.Ordinal)
    {
        ["connections"] = "Connections the kernel scheduled for the virtual service.",
        ["packets"] = "Packets through the virtual service.",
        ["bytes"] = "Bytes through the virtual service.",
    };

    private static readonly Dictionary<string, string> s_serverHelp = new(StringComparer.Ordinal)
    {
        ["connections"] = "Connections the kernel scheduled to the real server.",
        ["packets"] = "Packets to and from the real server.",
        ["bytes"] = "Bytes to and from the real server.",
    };

    private readonly ConcurrentDictionary<RealServerHealth, Histogram> _latency = new();
    private readonly ConcurrentDictionary<VirtualServiceKey, long> _kernelErrors = new();
    private readonly Func<IReadOnlyList<VirtualServiceKeeper>> _keepers;
    private readonly IIpvs? _client;

    public CareMetrics(Func<IReadOnlyList<VirtualServiceKeeper>> keepers, IIpvs? client)
    {
        _keepers = keepers;
        _client = client;
    }

    public void ProbeCompleted(VirtualServiceKey service, RealServerHealth server, ProbeResult result) =>
        _latency.GetOrAdd(server, static _ => new Histogram(s_buckets.Length)).Observe(result.Duration.TotalSeconds);

    public void KernelChanged(VirtualServiceKey service, IpvsOperationResult result, KernelChangeCause cause)
    {
        if (!result.Succeeded)
        {
            _kernelErrors.AddOrUpdate(service, 1, static (_, n) => n + 1);
        }
    }

    public void RoundFailed(VirtualServiceKey service, Exception error) => _kernelErrors.AddOrUpdate(service, 1, static (_, n) => n + 1);

    /// <summary>More metrics written before the kernel's counters (the checked services').</summary>
    public Action<PrometheusText>? Extra { get; set; }

    /// <summary>More services whose kernel counters are exported (the checked services).</summary>
    public Func<IEnumerable<VirtualServiceKey>>? ExtraServices { get; set; }

    /// <summary>Renders every metric.</summary>
    public async Task<string> RenderAsync(CancellationToken cancellationToken)
    {
        var text = new PrometheusText();
        text.Family("ipvs_care_build_info", "gauge", "The ipvs care daemon's version.")
            .Sample("ipvs_care_build_info", 1, ("version", typeof(CareMetrics).Assembly.GetName().Version?.ToString(3) ?? "0"));
        var keepers = _keepers();
        foreach (var keeper in keepers)
        {
            var service = keeper.Service.Key.ToString();
            var health = keeper.Health;
            text.Family("ipvs_care_service_panic", "gauge", "1 while every real server of the service is unhealthy and all are kept in service.")
                .Sample("ipvs_care_service_panic", health.InPanic ? 1 : 0, ("service", service));
            text.Family("ipvs_care_rounds_total", "counter", "Probe rounds started.")
                .Sample("ipvs_care_rounds_total", keeper.Scheduler.Rounds, ("service", service));
            text.Family("ipvs_care_round_duration_seconds", "gauge", "How long the last probe round took.")
                .Sample("ipvs_care_round_duration_seconds", keeper.LastRoundDuration.TotalSeconds, ("service", service));
            text.Family("ipvs_care_repairs_total", "counter", "Changes made to undo someone else's (a deleted service or real server, a changed weight).")
                .Sample("ipvs_care_repairs_total", keeper.Repairs, ("service", service));
            text.Family("ipvs_care_errors_total", "counter", "Kernel changes refused and rounds that failed.")
                .Sample("ipvs_care_errors_total", _kernelErrors.GetValueOrDefault(keeper.Service.Key), ("service", service));
            text.Family("ipvs_care_real_servers", "gauge", "Configured real servers by health state.");
            foreach (var state in new[] { RealServerHealthState.Unknown, RealServerHealthState.Healthy, RealServerHealthState.Unhealthy })
            {
                text.Sample("ipvs_care_real_servers", health.Servers.Count(s => s.State == state), ("service", service), ("state", StateName(state)));
            }
        }

        foreach (var keeper in keepers)
        {
            var service = keeper.Service.Key.ToString();
            foreach (var desired in keeper.Applied)
            {
                var server = desired.Health;
                var endpoint = server.Endpoint;
                text.Family("ipvs_care_real_server_up", "gauge", "1 when the real server is healthy (or not probed yet), 0 when unhealthy.")
                    .Sample("ipvs_care_real_server_up", server.State == RealServerHealthState.Unhealthy ? 0 : 1, ("service", service), ("server", endpoint));
                text.Family("ipvs_care_real_server_health", "gauge", "The real server's health state (one of unknown, healthy, unhealthy is 1).");
                foreach (var state in new[] { RealServerHealthState.Unknown, RealServerHealthState.Healthy, RealServerHealthState.Unhealthy })
                {
                    text.Sample("ipvs_care_real_server_health", server.State == state ? 1 : 0, ("service", service), ("server", endpoint), ("state", StateName(state)));
                }

                text.Family("ipvs_care_real_server_phase", "gauge", "Where the daemon put the real server (one of serving, draining, removed is 1).");
                foreach (var phase in new[] { RealServerPhase.Serving, RealServerPhase.Draining, RealServerPhase.Removed })
                {
                    text.Sample("ipvs_care_real_server_phase", desired.Phase == phase ? 1 : 0, ("service", service), ("server", endpoint), ("phase", PhaseName(phase)));
                }

                text.Family("ipvs_care_real_server_weight", "gauge", "The weight the daemon gave the real server (0 while draining or removed).")
                    .Sample("ipvs_care_real_server_weight", desired.Phase == RealServerPhase.Removed ? 0 : desired.Weight, ("service", service), ("server", endpoint));
                text.Family("ipvs_care_probes_total", "counter", "Probes by result.")
                    .Sample("ipvs_care_probes_total", server.SuccessCount, ("service", service), ("server", endpoint), ("result", "success"))
                    .Sample("ipvs_care_probes_total", server.FailureCount, ("service", service), ("server", endpoint), ("result", "failure"));
            }
        }

        text.Family("ipvs_care_probe_duration_seconds", "histogram", "Probe latency (a failed probe counts the time until it failed).");
        foreach (var keeper in keepers)
        {
            var service = keeper.Service.Key.ToString();
            foreach (var server in keeper.Health.Servers)
            {
                if (!_latency.TryGetValue(server, out var histogram))
                {
                    continue;
                }

                var endpoint = server.Endpoint;
                var cumulative = 0L;
                for (var i = 0; i < s_buckets.Length; i++)
                {
                    cumulative += histogram.Bucket(i);
                    text.Sample("ipvs_care_probe_duration_seconds_bucket", cumulative, ("service", service), ("server", endpoint), ("le", PrometheusText.FormatValue(s_buckets[i])));
                }

                text.Sample("ipvs_care_probe_duration_seconds_bucket", histogram.Count, ("service", service), ("server", endpoint), ("le", "+Inf"));
                text.Sample("ipvs_care_probe_duration_seconds_sum", histogram.Sum, ("service", service), ("server", endpoint));
                text.Sample("ipvs_care_probe_duration_seconds_count", histogram.Count, ("service", service), ("server", endpoint));
            }
        }

        Extra?.Invoke(text);
        if (_client is not null)
        {
            await WriteKernelCountersAsync(text, keepers.Select(k => k.Service.Key).Concat(ExtraServices?.Invoke() ?? []).ToList(), cancellationToken).ConfigureAwait(false);
        }

        return text.ToString();
    }

    private async Task WriteKernelCountersAsync(PrometheusText text, IReadOnlyList<VirtualServiceKey> keys, CancellationToken cancellationToken)
    {
        foreach (var key in keys)
        {
            var service = key.ToString();
            VirtualService? actual;
            IReadOnlyList<RealServer> servers;
            try
            {
                actual = _client!.GetService(key, cancellationToken);
                servers = actual is null ? [] : _client.GetRealServers(key, cancellationToken);
            }
            catch (IpvsException)
            {
                continue;
            }

            text.Family("ipvs_service_present", "gauge", "1 when the virtual service exists in the kernel.")
                .Sample("ipvs_service_present", actual is null ? 0 : 1, ("service", service));
            if (actual?.Statistics is { } stats)
            {
                Totals(text, "ipvs_service_", s_serviceHelp, stats, ("service", service));
            }

            foreach (var server in servers)
            {
                var endpoint = server.Endpoint;
                text.Family("ipvs_real_server_weight", "gauge", "The real server's weight in the kernel.")
                    .Sample("ipvs_real_server_weight", server.Weight, ("service", service), ("server", endpoint));
                text.Family("ipvs_real_server_active_connections", "gauge", "Active connections to the real server.")
                    .Sample("ipvs_real_server_active_connections", server.ActiveConnections, ("service", service), ("server", endpoint));
                text.Family("ipvs_real_server_inactive_connections", "gauge", "Inactive connections to the real server.")
                    .Sample("ipvs_real_server_inactive_connections", server.InactiveConnections, ("service", service), ("server", endpoint));
                if (server.Statistics is { } serverStats)
                {
                    Totals(text, "ipvs_real_server_", s_serverHelp, serverStats, ("service", service), ("server", endpoint));
                }

                // The same three numbers under node_exporter's names and labels, so that dashboards
                // and alerts written for its ipvs collector work unchanged.
                var backend = NodeExporterLabels(key, server);
                text.Family("node_ipvs_backend_connections_active", "gauge", "The current active connections by local and remote address.")
                    .Sample("node_ipvs_backend_connections_active", server.ActiveConnections, backend);
                text.Family("node_ipvs_backend_connections_inactive", "gauge", "The current inactive connections by local and remote address.")
                    .Sample("node_ipvs_backend_connections_inactive", server.InactiveConnections, backend);
                text.Family("node_ipvs_backend_weight", "gauge", "The current backend weight by local and remote address.")
                    .Sample("node_ipvs_backend_weight", server.Weight, backend);
            }
        }
    }

    /// <summary>
    /// node_exporter's backend labels, valued as it values them from /proc/net/ip_vs: the
    /// protocol as that file names it (TCP, UDP, SCTP, FWM), the mark as its eight hex digits,
    /// no local address or port for a firewall-mark service.
    /// </summary>
    internal static (string Name, string Value)[] NodeExporterLabels(VirtualServiceKey key, RealServer server)
    {
        var fwmark = key.Address is null;
        return
        [
            ("local_address", key.Address?.ToString() ?? string.Empty),
            ("local_port", fwmark ? string.Empty : key.Port.ToString(CultureInfo.InvariantCulture)),
            ("remote_address", server.Address.ToString()),
            ("remote_port", server.Port.ToString(CultureInfo.InvariantCulture)),
            ("proto", fwmark ? "FWM" : (IpvsNames.Find(key.Protocol)?.Name ?? key.Protocol.ToString()).ToUpperInvariant()),
            ("local_mark", fwmark ? key.FirewallMark.ToString("X8", CultureInfo.InvariantCulture) : string.Empty),
        ];
    }

    internal static string StateName(RealServerHealthState state) => state switch
    {
        RealServerHealthState.Healthy => "healthy",
        RealServerHealthState.Unhealthy => "unhealthy",
        _ => "unknown",
    };

    internal static string PhaseName(RealServerPhase phase) => phase switch
    {
        RealServerPhase.Serving => "serving",
        RealServerPhase.Draining => "draining",
        _ => "removed",
    };

    /// <summary>Counts per bucket (not cumulative), a count and a sum; updated without locks.</summary>
    private sealed class Histogram(int buckets)
    {
        private readonly long[] _counts = new long[buckets];
        private long _count;
        private long _sumMicroseconds;

        public long Count => Interlocked.Read(ref _count);

        public double Sum => Interlocked.Read(ref _sumMicroseconds) / 1e6;

        public long Bucket(int index) => Interlocked.Read(ref _counts[index]);

        public void Observe(double seconds)
        {
            var index = Array.FindIndex(s_buckets, b => seconds <= b);
            if (index >= 0)
            {
                Interlocked.Increment(ref _counts[index]);
            }

            Interlocked.Add(ref _sumMicroseconds, (long)(seconds * 1e6));
            Interlocked.Increment(ref _count);
        }
    }

    /// <summary>The counters' totals as families <paramref name="prefix"/>METRIC_total, with a direction label where the table gives one.</summary>
    private static void Totals(PrometheusText text, string prefix, Dictionary<string, string> help, IpvsStatistics stats, params (string Name, string Value)[] labels)
    {
        foreach (var counter in IpvsStatistics.Counters)
        {
            if (counter.Metric is not { } metric)
            {
                continue;
            }

            var name = prefix + metric + "_total";
            (string, string)[] sampleLabels = counter.Direction is { } direction ? [.. labels, ("direction", direction)] : labels;
            text.Family(name, "counter", help[metric]).Sample(name, stats[counter.Counter], sampleLabels);
        }
    }
}
