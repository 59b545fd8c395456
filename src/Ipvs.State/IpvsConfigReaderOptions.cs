using System.Collections.Frozen;
using Ipvs.Model;

namespace Ipvs.State;

/// <summary>What a service-level extension reader is given: its section and the service it belongs to.</summary>
public sealed class ServiceSectionContext
{
    internal ServiceSectionContext(string key, ConfigNode node, ConfigMapping serviceNode, VirtualService? service, IReadOnlyList<RealServerConfig> realServers, ConfigDiagnostics diagnostics)
    {
        Key = key;
        Node = node;
        ServiceNode = serviceNode;
        Service = service;
        RealServers = realServers;
        Diagnostics = diagnostics;
    }

    /// <summary>The section's key (<c>health</c>).</summary>
    public string Key { get; }

    /// <summary>The section's value, with positions.</summary>
    public ConfigNode Node { get; }

    /// <summary>The whole service entry it is part of.</summary>
    public ConfigMapping ServiceNode { get; }

    /// <summary>The service as read, or null when its own fields have errors (the section is read anyway, so that its errors are reported too).</summary>
    public VirtualService? Service { get; }

    /// <summary>The service's real servers as read (those without errors).</summary>
    public IReadOnlyList<RealServerConfig> RealServers { get; }

    /// <summary>Where to report problems; any error refuses the whole file.</summary>
    public ConfigDiagnostics Diagnostics { get; }
}

/// <summary>Reads a service-level extension section; the result is stored in <see cref="VirtualServiceConfig.Extensions"/> under the section's key.</summary>
public delegate object? ServiceSectionReader(ServiceSectionContext context);

/// <summary>Reads a top-level extension section; the result is stored in <see cref="IpvsConfig.Extensions"/>.</summary>
public delegate object? TopLevelSectionReader(ConfigNode node, ConfigDiagnostics diagnostics);

/// <summary>
/// How <see cref="IpvsConfigReader"/> reads a file: extension sections other components add to
/// the schema. The key <c>health</c> of a service is reserved for <c>ipvs care</c>: without a
/// registered reader it is accepted and kept, unread, as its <see cref="ConfigNode"/>.
/// </summary>
public sealed record IpvsConfigReaderOptions
{
    /// <summary>Service keys reserved for extensions; accepted (kept as nodes) when no reader is registered.</summary>
    public static IReadOnlyList<string> ReservedServiceSections { get; } = ["health"];

    /// <summary>The default options: no extension reader.</summary>
    public static IpvsConfigReaderOptions Default { get; } = new();

    /// <summary>Readers of extra keys in a service entry, by key.</summary>
    public IReadOnlyDictionary<string, ServiceSectionReader> ServiceSections { get; init; } = FrozenDictionary<string, ServiceSectionReader>.Empty;

    /// <summary>Readers of extra top-level keys, by key.</summary>
    public IReadOnlyDictionary<string, TopLevelSectionReader> TopLevelSections { get; init; } = FrozenDictionary<string, TopLevelSectionReader>.Empty;

    /// <summary>How to tell YAML from JSON; <see cref="IpvsConfigFormat.Auto"/> by default.</summary>
    public IpvsConfigFormat Format { get; init; } = IpvsConfigFormat.Auto;
}

/// <summary>The syntax of a configuration file.</summary>
public enum IpvsConfigFormat
{
    /// <summary><c>.json</c> files, and text that starts with <c>{</c>, are JSON; anything else is YAML.</summary>
    Auto,

    /// <summary>YAML 1.1/1.2 (JSON documents are valid YAML too, but read with YAML's rules).</summary>
    Yaml,

    /// <summary>JSON (comments and trailing commas are accepted).</summary>
    Json,
}
