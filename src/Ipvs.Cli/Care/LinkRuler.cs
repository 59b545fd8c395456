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

    public LinkRuler(string interfaceName, IReadOnlyList<VirtualServiceKey> services, uint mark)
    {
        _interface = interfaceName;
        _services = services;
        _mark = mark;
    }

    public string Name => "link";

    public IReadOnlyList<IPAddress> Addresses => Nftables.Addresses(_services);

    public void Setup()
    {
        EnsureConntrack();
        using (var client = RouteNetlinkClient.Open())
        {
            client.EnsureDummyLink(_interface);
            BindAddresses(client);
        }

        Nftables.Apply(Nftables.Ruleset(_services, _mark));
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

        if (!Nftables.IsInstalled())
        {
            Nftables.Apply(Nftables.Ruleset(_services, _mark));
            repaired.Add($"nftables table {Nftables.Family} {Nftables.Table}");
        }

        return repaired;
    }

    public void Cleanup()
    {
        using (var client = RouteNetlinkClient.Open())
        {
            client.DeleteLink(_interface);
        }

        Nftables.Apply(Nftables.DeleteRuleset());
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
        foreach (var address in Nftables.Addresses(_services))
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
