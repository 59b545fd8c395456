using Ipvs.Model;

namespace Ipvs.State;

/// <summary>
/// The desired IPVS state: virtual services, each with the complete list of its real servers.
/// Read from a file by <see cref="IpvsConfigReader"/>, written by <see cref="IpvsConfigWriter"/>,
/// and compared with the kernel's table by <see cref="IpvsPlanner"/>.
/// </summary>
/// <param name="Services">The services, in the order written; each key appears once.</param>
public sealed record IpvsConfig(IReadOnlyList<VirtualServiceConfig> Services)
{
    /// <summary>The schema version this library reads and writes.</summary>
    public const int CurrentVersion = 1;

    /// <summary>The file it was read from, or null.</summary>
    public string? Source { get; init; }

    /// <summary>Top-level extension sections, as their readers returned them (see <see cref="IpvsConfigReaderOptions"/>); read them with a <see cref="ConfigSectionKey{T}"/>.</summary>
    public ConfigExtensions Extensions { get; init; } = ConfigExtensions.Empty;

    /// <summary>The same services in the same order, source and extensions (by value, not by list reference).</summary>
    public bool Equals(IpvsConfig? other) =>
        other is not null && Source == other.Source && Extensions.Equals(other.Extensions) && Services.SequenceEqual(other.Services);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Source, Services.Count);

    /// <summary>An empty configuration (no services).</summary>
    public static IpvsConfig Empty { get; } = new([]);

    /// <summary>The number of real servers over all services.</summary>
    public int RealServerCount => Services.Sum(s => s.RealServers.Count);

    /// <summary>Builds a configuration from a table read from the kernel (counters are dropped).</summary>
    public static IpvsConfig FromTable(IEnumerable<IpvsTableEntry> table)
    {
        ArgumentNullException.ThrowIfNull(table);
        return new IpvsConfig(
        [
            .. table.Select(entry => new VirtualServiceConfig(
                entry.Service with { Statistics = null },
                [.. entry.RealServers.Select(s => new RealServerConfig(Desired(s)))])),
        ]);
    }

    // Only what an update can set: counters and connection numbers are the kernel's.
    internal static RealServer Desired(RealServer server) => server.ActiveConnections == 0 && server.InactiveConnections == 0
        && server.PersistentConnections == 0 && server.Statistics is null
        ? server
        : server with { ActiveConnections = 0, InactiveConnections = 0, PersistentConnections = 0, Statistics = null };
}

/// <summary>One virtual service of the desired state, with all its real servers.</summary>
/// <param name="Service">The service and its settings (scheduler, flags, persistence).</param>
/// <param name="RealServers">Every real server it must have; servers of the kernel not listed are drained and removed.</param>
public sealed record VirtualServiceConfig(VirtualService Service, IReadOnlyList<RealServerConfig> RealServers)
{
    /// <summary>The service's key.</summary>
    public VirtualServiceKey Key => Service.Key;

    /// <summary>Where the service is written in its file, when read from one.</summary>
    public SourceLocation? Location { get; init; }

    /// <summary>
    /// Extension sections of this service (<c>health</c>, for example), by key, as their readers
    /// returned them; without a registered reader, <c>health</c> is kept as its <see cref="ConfigNode"/>.
    /// </summary>
    public ConfigExtensions Extensions { get; init; } = ConfigExtensions.Empty;

    /// <summary>Equal service, location and extensions, and the same real servers in the same order (by value).</summary>
    public bool Equals(VirtualServiceConfig? other) =>
        other is not null && Service == other.Service && Location == other.Location
        && Extensions.Equals(other.Extensions) && RealServers.SequenceEqual(other.RealServers);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Service, RealServers.Count);
}

/// <summary>One real server of the desired state.</summary>
/// <param name="Server">The server and its settings (forwarding, weight, thresholds, tunnel).</param>
public sealed record RealServerConfig(RealServer Server)
{
    /// <summary>Where the server is written in its file, when read from one.</summary>
    public SourceLocation? Location { get; init; }
}
