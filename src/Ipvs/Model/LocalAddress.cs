using System.Net;

namespace Ipvs.Model;

/// <summary>
/// A local address of a virtual service: a source address FULLNAT uses towards the real servers.
/// Only kernels with the FULLNAT extension have them (see <see cref="IpvsClient.SupportsLocalAddresses"/>).
/// </summary>
/// <param name="Address">The address.</param>
public sealed record LocalAddress(IPAddress Address)
{
    /// <summary>How often a source port of this address was found in use (the kernel's port-conflict counter).</summary>
    public ulong PortConflicts { get; init; }

    /// <summary>Connections currently using this address.</summary>
    public uint Connections { get; init; }
}
