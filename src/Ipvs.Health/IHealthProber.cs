using System.Net;

namespace Ipvs.Health;

/// <summary>Probes one real server. Implementations are thread-safe: a round probes every server at once.</summary>
public interface IHealthProber : IDisposable
{
    /// <summary>The probe's name, as in <c>--health-type</c>: https, http, tcp or none.</summary>
    string Name { get; }

    /// <summary>Probes <paramref name="address"/>:<paramref name="port"/>; never throws for a failed probe, only reports it.</summary>
    ValueTask<ProbeResult> ProbeAsync(IPAddress address, ushort port, CancellationToken cancellationToken);
}

/// <summary>Creates the prober that <see cref="HealthCheckOptions.Type"/> names.</summary>
public static class HealthProbers
{
    /// <summary>A prober for <paramref name="options"/>; time (timeouts, durations) comes from <paramref name="timeProvider"/>.</summary>
    public static IHealthProber Create(HealthCheckOptions options, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        timeProvider ??= TimeProvider.System;
        return options.Type switch
        {
            HealthCheckType.Https or HealthCheckType.Http => new HttpHealthProber(options, timeProvider),
            HealthCheckType.Tcp => new TcpHealthProber(options, timeProvider),
            HealthCheckType.None => NoneHealthProber.Instance,
            _ => throw new ArgumentOutOfRangeException(nameof(options), options.Type, "unknown health check type"),
        };
    }

    /// <summary>The name of a type, as <c>--health-type</c> spells it.</summary>
    public static string NameOf(HealthCheckType type) => type switch
    {
        HealthCheckType.Https => "https",
        HealthCheckType.Http => "http",
        HealthCheckType.Tcp => "tcp",
        HealthCheckType.None => "none",
        _ => type.ToString(),
    };

    /// <summary>Parses a type name (https, http, tcp, none), case-insensitively.</summary>
    public static bool TryParse(string? name, out HealthCheckType type)
    {
        switch (name?.ToLowerInvariant())
        {
            case "https":
                type = HealthCheckType.Https;
                return true;
            case "http":
                type = HealthCheckType.Http;
                return true;
            case "tcp":
                type = HealthCheckType.Tcp;
                return true;
            case "none":
                type = HealthCheckType.None;
                return true;
            default:
                type = default;
                return false;
        }
    }
}
