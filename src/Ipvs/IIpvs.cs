using Ipvs.Model;

namespace Ipvs;

/// <summary>
/// The IPVS table of one network namespace, as callers use it: reads, and changes sent as
/// <see cref="IpvsOperation"/>s. Implemented by <see cref="IpvsClient"/> (the kernel, over
/// Generic Netlink) and by <see cref="InMemoryIpvs"/> (a table in memory that answers as the
/// kernel does), so code written against it can be tested without a kernel.
/// </summary>
/// <remarks>
/// Synchronous by design: the kernel answers an IPVS request while it is being sent (there is
/// no I/O to wait on), so a task would only add an allocation and a thread hop. A call blocks
/// for at most the client's timeout; cancellation is honoured between requests of a batch and
/// while waiting for a reply. Single changes (add a service, delete a real server, …) are
/// extension methods in <see cref="IpvsExtensions"/>. Every failure is
/// an <see cref="IpvsException"/> (or one of its subclasses) naming the operation, its target
/// and the kernel's reason.
/// </remarks>
public interface IIpvs
{
    /// <summary>True when the table has the FULLNAT extension (local addresses and <see cref="ForwardingMethod.FullNat"/>).</summary>
    bool SupportsLocalAddresses { get; }

    /// <summary>Reads the IPVS version and connection table size.</summary>
    IpvsInfo GetInfo(CancellationToken cancellationToken = default);

    /// <summary>Lists every virtual service.</summary>
    IReadOnlyList<VirtualService> GetServices(CancellationToken cancellationToken = default);

    /// <summary>Reads one virtual service; null when it does not exist.</summary>
    VirtualService? GetService(VirtualServiceKey key, CancellationToken cancellationToken = default);

    /// <summary>
    /// Lists the real servers of many services, aligned with <paramref name="keys"/>; a service
    /// that does not exist has none (as the kernel answers).
    /// </summary>
    IReadOnlyList<IReadOnlyList<RealServer>> GetRealServers(IReadOnlyList<VirtualServiceKey> keys, CancellationToken cancellationToken = default);

    /// <summary>Reads the whole table: every service with its real servers.</summary>
    IReadOnlyList<IpvsTableEntry> GetTable(CancellationToken cancellationToken = default);

    /// <summary>Reads the TCP, TCP FIN and UDP timeouts.</summary>
    IpvsTimeouts GetTimeouts(CancellationToken cancellationToken = default);

    /// <summary>Lists the running sync daemons (at most one master and one backup).</summary>
    IReadOnlyList<SyncDaemon> GetSyncDaemons(CancellationToken cancellationToken = default);

    /// <summary>Lists the local addresses of a service (FULLNAT extension only).</summary>
    /// <exception cref="IpvsFeatureNotSupportedException">The table has no FULLNAT extension.</exception>
    /// <exception cref="ServiceNotFoundException">The service does not exist.</exception>
    IReadOnlyList<LocalAddress> GetLocalAddresses(VirtualServiceKey service, CancellationToken cancellationToken = default);

    /// <summary>
    /// Applies many operations, in order, and returns each one's result. Each is applied on its
    /// own: a refused one does not stop the rest.
    /// </summary>
    /// <exception cref="ArgumentException">An operation is malformed; nothing was applied.</exception>
    /// <exception cref="IpvsFeatureNotSupportedException">An operation needs the FULLNAT extension the table lacks; nothing was applied.</exception>
    IpvsBatchResult Execute(IReadOnlyList<IpvsOperation> operations, CancellationToken cancellationToken = default);
}
