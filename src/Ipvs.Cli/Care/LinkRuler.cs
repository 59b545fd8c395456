using System.Net;
using System.Net.Sockets;
using Ipvs.Model;
using Ipvs.Netlink.Route;
using Ipvs.ProcFs;

namespace Ipvs.Cli.Care;

/// <summary>
/// Link mode (lvscare's, for nodes that are themselves real servers): net.ipv4.vs.conntrack=1,
/// a dummy interface holding every virtual address, and the masquerade rules (nftables), so
/// the node's own connections to a virtual server get an address the real servers can answer.
/// </summary>
internal sealed class LinkRuler : IRuler
{
    private readonly string _interface;
    private readonly IReadOnlyList<VirtualServiceKey> _services;
    private readonly uint _mark;
    private IMasquerade? _masquerade;
    private long _lastRulesCheck;

    public LinkRuler(string interfaceName, IReadOnlyList<VirtualServiceKey> services, uint mark)
    {
        _interface = interfaceName;
        _services = services;
        _mark = mark;
    }

    public string Name => "link";

    public IReadOnlyList<IPAddress> Addresses => Masquerade.Addresses(_services);

    /// <summary>The masquerade backend in use (nftables, or iptables where the kernel's nf_tables lacks IPv4).</summary>
    public string MasqueradeBackend => Rules.Name;

    private IMasquerade Rules => _masquerade ??= Masquerade.Select(_services, _mark);

    public void Check()
    {
        _ = Rules;
        using var client = RouteNetlinkClient.Open();
        if (client.FindLink(_interface) is { Kind: not "dummy" } existing)
        {
            throw new InvalidOperationException($"interface {_interface} exists and is not a dummy interface (it is {existing.Kind ?? "a physical device"}); choose another name with --iface");
        }
    }

    public void Setup()
    {
        EnsureConntrack();
        using (var client = RouteNetlinkClient.Open())
        {
            client.EnsureDummyLink(_interface);
            BindAddresses(client);
        }

        Rules.Apply();
    }

    public IReadOnlyList<string> Repair()
    {
        var repaired = new List<string>();
        if (IpvsSysctl.Read("conntrack") is not 1)
        {
            EnsureConntrack();
            repaired.Add("net.ipv4.vs.conntrack=1");
        }

        using (var client = RouteNetlinkClient.Open())
        {
            if (client.EnsureDummyLink(_interface))
            {
                repaired.Add("interface " + _interface);
            }

            repaired.AddRange(BindAddresses(client).Select(a => $"address {a} on {_interface}"));
        }

        // nftables is asked over netlink every round; iptables costs processes, so every 10 s at most.
        if (Rules is NftablesMasquerade || Environment.TickCount64 - _lastRulesCheck >= 10_000)
        {
            _lastRulesCheck = Environment.TickCount64;
            if (!Rules.IsInstalled())
            {
                Rules.Apply();
                repaired.Add($"{Rules.Name} masquerade rules ({Masquerade.Table})");
            }
        }

        return repaired;
    }

    public void Cleanup()
    {
        using (var client = RouteNetlinkClient.Open())
        {
            client.DeleteLink(_interface);
        }

        // Whichever backend installed them (a previous run may have used the other one).
        var nftables = new NftablesMasquerade(_services, _mark);
        if (nftables.TryCheck() is null)
        {
            nftables.Remove();
        }

        var iptables = new IptablesMasquerade(_services, _mark);
        if (iptables.IsAvailable)
        {
            iptables.Remove();
        }
    }

    public void Release(IEnumerable<IPAddress> addresses)
    {
        using var client = RouteNetlinkClient.Open();
        if (client.FindLink(_interface) is { } link)
        {
            foreach (var address in addresses)
            {
                client.DeleteAddress(link.Index, address, address.AddressFamily == AddressFamily.InterNetworkV6 ? 128 : 32);
            }
        }
    }

    private List<IPAddress> BindAddresses(RouteNetlinkClient client)
    {
        var link = client.FindLink(_interface) ?? throw new InvalidOperationException($"interface {_interface} vanished while its addresses were being bound");
        var added = new List<IPAddress>();
        foreach (var address in Masquerade.Addresses(_services))
        {
            if (client.EnsureAddress(link.Index, address, address.AddressFamily == AddressFamily.InterNetworkV6 ? 128 : 32))
            {
                added.Add(address);
            }
        }

        return added;
    }

    private static void EnsureConntrack()
    {
        // Without it IPVS drops the conntrack entries the masquerade rule needs.
        if (IpvsSysctl.Read("conntrack") is not 1)
        {
            IpvsSysctl.Write("conntrack", 1);
        }
    }
}
