using Ipvs.Model;

namespace Ipvs;

/// <summary>A virtual service with its real servers, as read from the kernel.</summary>
/// <param name="Service">The virtual service.</param>
/// <param name="RealServers">Its real servers, in the kernel's order.</param>
public sealed record IpvsTableEntry(VirtualService Service, IReadOnlyList<RealServer> RealServers);
