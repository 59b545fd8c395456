using System.Net;

namespace Ipvs.Model;

/// <summary>The role of a connection synchronization daemon.</summary>
public enum SyncDaemonState : uint
{
    /// <summary>Sends this host's connection state to backups.</summary>
    Master = 1,

    /// <summary>Receives connection state from a master.</summary>
    Backup = 2,
}

/// <summary>A connection synchronization daemon (ipvsadm <c>--start-daemon</c>).</summary>
/// <param name="State">Master or backup.</param>
/// <param name="Interface">The interface the multicast traffic uses.</param>
/// <param name="SyncId">The synchronization id (0 to 255) that pairs masters and backups.</param>
public sealed record SyncDaemon(SyncDaemonState State, string Interface, uint SyncId = 0)
{
    /// <summary>Largest sync message payload in bytes; 0 leaves the kernel's choice (kernel 4.3 and later).</summary>
    public ushort MaxLength { get; init; }

    /// <summary>Multicast group, IPv4 or IPv6; null leaves the default 224.0.0.81 (kernel 4.3 and later).</summary>
    public IPAddress? MulticastGroup { get; init; }

    /// <summary>UDP port; 0 leaves the default 8848 (kernel 4.3 and later).</summary>
    public ushort Port { get; init; }

    /// <summary>Multicast TTL; 0 leaves the default 1 (kernel 4.3 and later).</summary>
    public byte Ttl { get; init; }
}
