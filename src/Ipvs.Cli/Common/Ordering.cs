using System.Net;
using Ipvs.Model;

namespace Ipvs.Cli.Common;

/// <summary>
/// The kernel lists services in hash order; people and diffs want a stable one. Services sort as
/// ipvsadm sorts them (address services before firewall marks, then family, protocol, address,
/// port); real servers by address, then port.
/// </summary>
internal static class Ordering
{
    public static IReadOnlyList<IpvsTableEntry> Services(IEnumerable<IpvsTableEntry> entries) =>
        entries.OrderBy(e => e.Service.Key, KeyComparer.Instance).ToArray();

    public static IReadOnlyList<RealServer> Servers(IEnumerable<RealServer> servers) =>
        servers.OrderBy(s => s.Address, AddressComparer.Instance).ThenBy(s => s.Port).ToArray();

    private sealed class KeyComparer : IComparer<VirtualServiceKey>
    {
        public static readonly KeyComparer Instance = new();

        public int Compare(VirtualServiceKey? x, VirtualServiceKey? y)
        {
            if (x is null || y is null)
            {
                return x is null ? (y is null ? 0 : -1) : 1;
            }

            var result = x.FirewallMark.CompareTo(y.FirewallMark);
            if (result == 0)
            {
                result = ((int)x.Family).CompareTo((int)y.Family);
            }

            if (result == 0)
            {
                result = ((ushort)x.Protocol).CompareTo((ushort)y.Protocol);
            }

            if (result == 0 && x.Address is not null && y.Address is not null)
            {
                result = AddressComparer.Instance.Compare(x.Address, y.Address);
            }

            return result == 0 ? x.Port.CompareTo(y.Port) : result;
        }
    }

    private sealed class AddressComparer : IComparer<IPAddress>
    {
        public static readonly AddressComparer Instance = new();

        public int Compare(IPAddress? x, IPAddress? y)
        {
            if (x is null || y is null)
            {
                return x is null ? (y is null ? 0 : -1) : 1;
            }

            var family = ((int)x.AddressFamily).CompareTo((int)y.AddressFamily);
            return family != 0 ? family : x.GetAddressBytes().AsSpan().SequenceCompareTo(y.GetAddressBytes());
        }
    }
}
