namespace Ipvs.Model;

/// <summary>The order ipvsadm lists services and real servers in (its default, sorted listing).</summary>
public static class IpvsOrder
{
    /// <summary>The table sorted: services in <see cref="Compare(VirtualServiceKey?, VirtualServiceKey?)"/> order (their real servers as they were).</summary>
    public static IReadOnlyList<IpvsTableEntry> Services(IEnumerable<IpvsTableEntry> entries) =>
        [.. entries.Order(Comparer<IpvsTableEntry>.Create((a, b) => Compare(a.Service.Key, b.Service.Key)))];

    /// <summary>Real servers sorted in <see cref="Compare(RealServer?, RealServer?)"/> order.</summary>
    public static IReadOnlyList<RealServer> Servers(IEnumerable<RealServer> servers) =>
        [.. servers.Order(Comparer<RealServer>.Create(Compare))];

    /// <summary>Address services before firewall marks; then family, protocol, address (byte order), port; marks by number.</summary>
    public static int Compare(VirtualServiceKey? a, VirtualServiceKey? b)
    {
        if (ReferenceEquals(a, b))
        {
            return 0;
        }

        if (a is null || b is null)
        {
            return a is null ? -1 : 1;
        }

        var c = a.FirewallMark.CompareTo(b.FirewallMark);
        if (c != 0)
        {
            return c;
        }

        c = ((int)a.Family).CompareTo((int)b.Family);
        if (c != 0)
        {
            return c;
        }

        c = ((ushort)a.Protocol).CompareTo((ushort)b.Protocol);
        if (c != 0 || a.IsFirewallMark)
        {
            return c;
        }

        c = CompareAddresses(a.Address!, b.Address!);
        return c != 0 ? c : a.Port.CompareTo(b.Port);
    }

    /// <summary>By address (IPv4 before IPv6, then byte order), then port.</summary>
    public static int Compare(RealServer? a, RealServer? b)
    {
        if (ReferenceEquals(a, b))
        {
            return 0;
        }

        if (a is null || b is null)
        {
            return a is null ? -1 : 1;
        }

        var c = CompareAddresses(a.Address, b.Address);
        return c != 0 ? c : a.Port.CompareTo(b.Port);
    }

    /// <summary>IPv4 before IPv6, then byte order.</summary>
    public static int CompareAddresses(System.Net.IPAddress a, System.Net.IPAddress b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var c = ((int)a.AddressFamily).CompareTo((int)b.AddressFamily);
        if (c != 0)
        {
            return c;
        }

        Span<byte> x = stackalloc byte[16];
        Span<byte> y = stackalloc byte[16];
        a.TryWriteBytes(x, out var xl);
        b.TryWriteBytes(y, out var yl);
        return x[..xl].SequenceCompareTo(y[..yl]);
    }
}
