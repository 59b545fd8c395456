using System.Net;
using Ipvs.Model;

namespace Ipvs;

/// <summary>Single changes and reads over <see cref="IIpvs"/>, each one request.</summary>
public static class IpvsExtensions
{
    /// <summary>Applies one operation; throws its failure.</summary>
    /// <exception cref="IpvsException">The table refused it; the exception's type and <see cref="IpvsException.Reason"/> say why.</exception>
    public static void Run(this IIpvs ipvs, IpvsOperation operation, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ipvs);
        ArgumentNullException.ThrowIfNull(operation);
        var result = ipvs.Execute([operation], cancellationToken)[0];
        if (result.Error is not null)
        {
            throw result.Error;
        }
    }

    /// <summary>Lists a virtual service's real servers (empty when the service does not exist, as the kernel answers).</summary>
    public static IReadOnlyList<RealServer> GetRealServers(this IIpvs ipvs, VirtualServiceKey key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ipvs);
        ArgumentNullException.ThrowIfNull(key);
        return ipvs.GetRealServers([key], cancellationToken)[0];
    }

    /// <summary>Creates a virtual service.</summary>
    /// <exception cref="ServiceExistsException">It exists already.</exception>
    /// <exception cref="SchedulerNotFoundException">There is no such scheduler or persistence engine.</exception>
    public static void AddService(this IIpvs ipvs, VirtualService service, CancellationToken cancellationToken = default) =>
        ipvs.Run(IpvsOperation.AddService(service), cancellationToken);

    /// <summary>Changes a virtual service's scheduler, flags, timeout, netmask or persistence engine.</summary>
    /// <exception cref="ServiceNotFoundException">It does not exist.</exception>
    public static void UpdateService(this IIpvs ipvs, VirtualService service, CancellationToken cancellationToken = default) =>
        ipvs.Run(IpvsOperation.UpdateService(service), cancellationToken);

    /// <summary>Deletes a virtual service and its real servers.</summary>
    /// <exception cref="ServiceNotFoundException">It does not exist.</exception>
    public static void DeleteService(this IIpvs ipvs, VirtualServiceKey key, CancellationToken cancellationToken = default) =>
        ipvs.Run(IpvsOperation.DeleteService(key), cancellationToken);

    /// <summary>Adds a real server to a virtual service.</summary>
    /// <exception cref="ServiceNotFoundException">The service does not exist.</exception>
    /// <exception cref="RealServerExistsException">The server is there already.</exception>
    public static void AddRealServer(this IIpvs ipvs, VirtualServiceKey service, RealServer server, CancellationToken cancellationToken = default) =>
        ipvs.Run(IpvsOperation.AddRealServer(service, server), cancellationToken);

    /// <summary>Changes a real server's weight, thresholds, forwarding method or tunnel settings.</summary>
    /// <exception cref="RealServerNotFoundException">The server is not in that service.</exception>
    public static void UpdateRealServer(this IIpvs ipvs, VirtualServiceKey service, RealServer server, CancellationToken cancellationToken = default) =>
        ipvs.Run(IpvsOperation.UpdateRealServer(service, server), cancellationToken);

    /// <summary>Removes a real server from a virtual service.</summary>
    /// <exception cref="RealServerNotFoundException">The server is not in that service.</exception>
    public static void DeleteRealServer(this IIpvs ipvs, VirtualServiceKey service, IPAddress address, ushort port, CancellationToken cancellationToken = default) =>
        ipvs.Run(IpvsOperation.DeleteRealServer(service, address, port), cancellationToken);

    /// <summary>Zeroes the counters of one service, or of every service when <paramref name="service"/> is null.</summary>
    public static void ZeroCounters(this IIpvs ipvs, VirtualServiceKey? service = null, CancellationToken cancellationToken = default) =>
        ipvs.Run(IpvsOperation.ZeroCounters(service), cancellationToken);

    /// <summary>Deletes every virtual service.</summary>
    public static void Flush(this IIpvs ipvs, CancellationToken cancellationToken = default) =>
        ipvs.Run(IpvsOperation.Flush(), cancellationToken);

    /// <summary>Sets the timeouts; a zero value keeps the current one.</summary>
    public static void SetTimeouts(this IIpvs ipvs, IpvsTimeouts timeouts, CancellationToken cancellationToken = default) =>
        ipvs.Run(IpvsOperation.SetTimeouts(timeouts), cancellationToken);

    /// <summary>Starts a sync daemon.</summary>
    /// <exception cref="SyncDaemonExistsException">One of that role runs already.</exception>
    public static void StartSyncDaemon(this IIpvs ipvs, SyncDaemon daemon, CancellationToken cancellationToken = default) =>
        ipvs.Run(IpvsOperation.StartSyncDaemon(daemon), cancellationToken);

    /// <summary>Stops the sync daemon of a role.</summary>
    /// <exception cref="SyncDaemonNotFoundException">None of that role runs.</exception>
    public static void StopSyncDaemon(this IIpvs ipvs, SyncDaemonState state, CancellationToken cancellationToken = default) =>
        ipvs.Run(IpvsOperation.StopSyncDaemon(state), cancellationToken);

    /// <summary>Adds a local address to a service (FULLNAT extension only).</summary>
    /// <exception cref="IpvsFeatureNotSupportedException">The table has no FULLNAT extension; nothing was sent.</exception>
    public static void AddLocalAddress(this IIpvs ipvs, VirtualServiceKey service, IPAddress address, CancellationToken cancellationToken = default) =>
        ipvs.Run(IpvsOperation.AddLocalAddress(service, address), cancellationToken);

    /// <summary>Removes a local address from a service (FULLNAT extension only).</summary>
    /// <exception cref="IpvsFeatureNotSupportedException">The table has no FULLNAT extension; nothing was sent.</exception>
    public static void DeleteLocalAddress(this IIpvs ipvs, VirtualServiceKey service, IPAddress address, CancellationToken cancellationToken = default) =>
        ipvs.Run(IpvsOperation.DeleteLocalAddress(service, address), cancellationToken);
}
