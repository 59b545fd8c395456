using Ipvs.Model;

namespace Ipvs;

/// <summary>A virtual service with its real servers, as read from the kernel.</summary>
/// <param name="Service">The virtual service.</param>
/// <param name="RealServers">Its real servers, in the kernel's order.</param>
public sealed record IpvsTableEntry(VirtualService Service, IReadOnlyList<RealServer> RealServers)
{
    /// <summary>Equal service and the same real servers in the same order (by value, not by list reference).</summary>
    public bool Equals(IpvsTableEntry? other) =>
        other is not null && Service == other.Service && RealServers.SequenceEqual(other.RealServers);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Service, RealServers.Count);
}
