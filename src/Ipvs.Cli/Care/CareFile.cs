using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;
using Ipvs.Health;
using Ipvs.State;

namespace Ipvs.Cli.Care;

/// <summary>
/// The virtual services of <c>ipvs care -f FILE</c>: the declarative schema (docs/config.md),
/// read by <see cref="IpvsConfigReader"/>, plus a <c>health</c> section per service. Keys a
/// section leaves out take the command line's values (--interval, --health-*, …).
/// </summary>
/// <example>
/// <code>
/// services:
///   - service: tcp/198.18.200.1:443
///     scheduler: wrr
///     servers: [198.18.1.2:443, {server: 198.18.2.2:443, weight: 2}]
///     health: {type: https, path: /healthz, interval: 2s, fall: 3, rise: 2}
/// </code>
/// </example>
internal static class CareFile
{
    /// <summary>A health section as read: the lvscare-style settings, and the checks schema when it is used.</summary>
    private sealed record CareHealth(HealthCheckOptions Options, CheckedHealth? Checked);

    // The service-level section a care file adds to the declarative schema.
    private static readonly ConfigSectionKey<CareHealth> HealthSection = new("health");

    /// <summary>The keys of a health section.</summary>
    public static readonly IReadOnlyList<string> HealthKeys =
        ["type", "path", "method", "headers", "body", "status", "insecure-skip-verify", "timeout", "interval", "rise", "fall", "drain-timeout", "fail-closed", .. CareChecksReader.PolicyKeys];

    public static bool TryLoad(string path, string defaultScheduler, HealthCheckOptions defaults, [NotNullWhen(true)] out IReadOnlyList<CaredService>? services, [NotNullWhen(false)] out string? error) =>
        TryLoad(path, defaultScheduler, defaults, out services, out _, out error);

    /// <summary>As above, with the file's ha section (docs/ha.md), or null when it has none.</summary>
    public static bool TryLoad(string path, string defaultScheduler, HealthCheckOptions defaults, [NotNullWhen(true)] out IReadOnlyList<CaredService>? services, out Ipvs.Ha.HaConfig? ha, [NotNullWhen(false)] out string? error)
    {
        _ = defaultScheduler; // the file's own default (wlc, as ipvsadm) applies to its services
        return TryComplete(Ipvs.Ha.HaSectionReader.ReadFile(path, Options(defaults)), defaults, out services, out ha, out error);
    }

    /// <summary>As <see cref="TryLoad(string, string, HealthCheckOptions, out IReadOnlyList{CaredService}?, out string?)"/>, from text (a file's contents, named <paramref name="fileName"/> in errors).</summary>
    public static bool TryParse(string text, string fileName, HealthCheckOptions defaults, [NotNullWhen(true)] out IReadOnlyList<CaredService>? services, [NotNullWhen(false)] out string? error) =>
        TryComplete(Ipvs.Ha.HaSectionReader.Parse(text, fileName, Options(defaults)), defaults, out services, out _, out error);

    private static IpvsConfigReaderOptions Options(HealthCheckOptions defaults) => new()
    {
        ServiceSections = new Dictionary<string, ServiceSectionReader> { [HealthSection.Name] = context => ReadHealth(context, defaults) }.ToFrozenDictionary(),
    };

    private static bool TryComplete(IpvsConfigReadResult result, HealthCheckOptions defaults, [NotNullWhen(true)] out IReadOnlyList<CaredService>? services, out Ipvs.Ha.HaConfig? ha, [NotNullWhen(false)] out string? error)
    {
        ha = null;
        if (!result.Succeeded)
        {
            services = null;
            error = string.Join("\n", result.Diagnostics.Where(d => d.Severity == ConfigSeverity.Error).Select(d => d.ToString()));
            return false;
        }

        var list = new List<CaredService>();
        foreach (var service in result.Config!.Services)
        {
            var health = service.Extensions.Get(HealthSection) ?? new CareHealth(defaults, null);
            list.Add(new CaredService(service.Service, service.RealServers.Select(r => r.Server).ToList(), health.Options) { Checked = health.Checked });
        }

        services = list;
        ha = Ipvs.Ha.HaSectionReader.Of(result.Config);
        error = null;
        return true;
    }

    private static CareHealth? ReadHealth(ServiceSectionContext context, HealthCheckOptions defaults)
    {
        var diagnostics = context.Diagnostics;
        if (context.Node is ConfigScalar { IsNull: true })
        {
            return new CareHealth(defaults, null);
        }

        if (context.Node is not ConfigMapping mapping)
        {
            diagnostics.Error(context.Node, $"health must be a mapping (type: https, path: /healthz, interval: 5s, …), not {context.Node.KindName}");
            return null;
        }

        ConfigValues.CheckKeys(mapping, [.. HealthKeys], diagnostics, "a health section");
        var health = defaults;
        var errors = diagnostics.ErrorCount;
        var withChecks = CareChecksReader.Applies(mapping);
        if (!withChecks)
        {
            CareChecksReader.RefuseWithoutChecks(mapping, diagnostics);
        }
        if (mapping.TryGetValue("type", out var node) && ConfigValues.TryReadString(node, "health type", diagnostics, out var text))
        {
            if (HealthProbers.TryParse(text, out var type))
            {
                health = health with { Type = type };
            }
            else
            {
                diagnostics.Error(node, $"unknown health type '{text}'; known: https http tcp none");
            }
        }

        if (mapping.TryGetValue("path", out node) && ConfigValues.TryReadString(node, "health path", diagnostics, out text))
        {
            health = health with { Path = text.StartsWith('/') ? text : "/" + text };
        }

        if (mapping.TryGetValue("method", out node) && ConfigValues.TryReadString(node, "health method", diagnostics, out text))
        {
            health = health with { Method = text };
        }

        if (mapping.TryGetValue("body", out node) && ConfigValues.TryReadString(node, "health body", diagnostics, out text))
        {
            health = health with { Body = text.Length == 0 ? null : text };
        }

        if (mapping.TryGetValue("headers", out node))
        {
            health = health with { Headers = ReadHeaders(node, diagnostics) };
        }

        if (mapping.TryGetValue("status", out node))
        {
            health = health with { AcceptedStatusCodes = ReadStatusCodes(node, diagnostics) };
        }

        if (mapping.TryGetValue("insecure-skip-verify", out node) && ConfigValues.TryReadBoolean(node, "insecure-skip-verify", diagnostics, out var skip))
        {
            health = health with { InsecureSkipVerify = skip };
        }

        if (mapping.TryGetValue("fail-closed", out node) && ConfigValues.TryReadBoolean(node, "fail-closed", diagnostics, out var failClosed))
        {
            health = health with { FailClosed = failClosed };
        }

        if (mapping.TryGetValue("timeout", out node) && ConfigValues.TryReadDuration(node, "health timeout", diagnostics, out var duration))
        {
            health = health with { Timeout = duration };
        }

        if (mapping.TryGetValue("interval", out node) && ConfigValues.TryReadDuration(node, "health interval", diagnostics, out duration))
        {
            health = health with { Interval = duration };
        }

        if (mapping.TryGetValue("drain-timeout", out node) && ConfigValues.TryReadDuration(node, "drain-timeout", diagnostics, out duration))
        {
            health = health with { DrainTimeout = duration };
        }

        if (mapping.TryGetValue("rise", out node) && ConfigValues.TryReadUInt32(node, "rise", 1, 1000, diagnostics, out var rise))
        {
            health = health with { Rise = (int)rise };
        }

        if (mapping.TryGetValue("fall", out node) && ConfigValues.TryReadUInt32(node, "fall", 1, 1000, diagnostics, out var fall))
        {
            health = health with { Fall = (int)fall };
        }

        if (withChecks)
        {
            // The checks reader refuses the lvscare-style keys; the interval and timeout are the checks' defaults.
            var options = health with { Type = HealthCheckType.None, Rise = 1, Fall = 1, DrainTimeout = TimeSpan.Zero, FailClosed = true };
            var checkedHealth = CareChecksReader.Read(context, mapping, options, mapping.TryGetValue("timeout", out _));
            if (diagnostics.ErrorCount == errors)
            {
                foreach (var problem in options.Validate())
                {
                    diagnostics.Error(mapping, problem);
                }
            }

            return new CareHealth(options, checkedHealth);
        }

        if (diagnostics.ErrorCount == errors)
        {
            foreach (var problem in health.Validate())
            {
                diagnostics.Error(mapping, problem);
            }
        }

        return new CareHealth(health, null);
    }

    private static List<KeyValuePair<string, string>> ReadHeaders(ConfigNode node, ConfigDiagnostics diagnostics)
    {
        var headers = new List<KeyValuePair<string, string>>();
        if (node is not ConfigMapping mapping)
        {
            diagnostics.Error(node, $"headers must be a mapping of names to values (a value may be a list), not {node.KindName}");
            return headers;
        }

        foreach (var entry in mapping.Entries)
        {
            if (entry.Value is ConfigSequence values)
            {
                foreach (var item in values.Items)
                {
                    if (ConfigValues.TryReadString(item, "header " + entry.Key.Value, diagnostics, out var value))
                    {
                        headers.Add(new(entry.Key.Value, value));
                    }
                }
            }
            else if (ConfigValues.TryReadString(entry.Value, "header " + entry.Key.Value, diagnostics, out var value))
            {
                headers.Add(new(entry.Key.Value, value));
            }
        }

        return headers;
    }

    private static List<int> ReadStatusCodes(ConfigNode node, ConfigDiagnostics diagnostics)
    {
        var codes = new List<int>();
        var items = node is ConfigSequence sequence ? sequence.Items : [node];
        foreach (var item in items)
        {
            if (ConfigValues.TryReadUInt32(item, "status", 100, 999, diagnostics, out var code))
            {
                codes.Add((int)code);
            }
        }

        return codes;
    }
}
