using System.Net;
using Ipvs.Netlink.Route;

namespace Ipvs.Cli.Care;

/// <summary>Route mode: the route VIP/32 via the gateway (metric 50, as lvscare), through rtnetlink.</summary>
internal sealed class RouteRuler : IRuler
{
    /// <summary>lvscare's route priority.</summary>
    public const uint Priority = 50;

    private readonly IReadOnlyList<IPAddress> _addresses;
    private readonly IPAddress _gateway;

    public RouteRuler(IReadOnlyList<IPAddress> addresses, IPAddress gateway)
    {
        _addresses = addresses;
        _gateway = gateway;
    }

    public string Name => "route";

    public IReadOnlyList<IPAddress> Addresses => _addresses;

    public void Check()
    {
        using var client = RouteNetlinkClient.Open();
        // A gateway must be on a directly connected network (the kernel's rule for a next hop).
        if (client.FindRoute(_gateway) is not { Type: 1, Gateway: null })
        {
            throw new InvalidOperationException($"the gateway {_gateway} (--ip) is not reachable: it is on no network directly connected to this node");
        }
    }

    public void Setup()
    {
        using var client = RouteNetlinkClient.Open();
        foreach (var address in _addresses)
        {
            client.ReplaceRoute(address, HostPrefix(address), _gateway, Priority);
        }
    }

    public IReadOnlyList<string> Repair()
    {
        var repaired = new List<string>();
        using var client = RouteNetlinkClient.Open();
        foreach (var address in _addresses)
        {
            var route = client.FindRoute(address);
            var ours = route is { Table: 254 } && route.PrefixLength == HostPrefix(address) && _gateway.Equals(route.Gateway) && route.Priority == Priority;
            // A more specific or local entry (the address bound on the node) wins the lookup; ours may still be there.
            if (!ours && route is not { Table: 255 })
            {
                client.ReplaceRoute(address, HostPrefix(address), _gateway, Priority);
                repaired.Add($"route {address}/{HostPrefix(address)} via {_gateway}");
            }
        }

        return repaired;
    }

    public void Cleanup()
    {
        using var client = RouteNetlinkClient.Open();
        foreach (var address in _addresses)
        {
            client.DeleteRoute(address, HostPrefix(address), _gateway, Priority);
        }
    }

    public void Release(IEnumerable<IPAddress> addresses)
    {
        using var client = RouteNetlinkClient.Open();
        foreach (var address in addresses)
        {
            client.DeleteRoute(address, HostPrefix(address), _gateway, Priority);
        }
    }

    private static int HostPrefix(IPAddress address) => address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? 128 : 32;
}
