using System.Net;
using System.Net.Sockets;
using Ipvs.Model;

namespace Ipvs.Tests.Model;

public sealed class IpvsOrderTests
{
    [Fact]
    public void Services_SortAsIpvsadmDoes()
    {
        var keys = new[]
        {
            VirtualServiceKey.ForFirewallMark(2),
            VirtualServiceKey.Udp(IPAddress.Parse("192.0.2.1"), 53),
            VirtualServiceKey.Tcp(IPAddress.Parse("2001:db8::1"), 80),
            VirtualServiceKey.Tcp(IPAddress.Parse("192.0.2.10"), 80),
            VirtualServiceKey.ForFirewallMark(1, AddressFamily.InterNetworkV6),
            VirtualServiceKey.Tcp(IPAddress.Parse("192.0.2.9"), 443),
            VirtualServiceKey.Tcp(IPAddress.Parse("192.0.2.9"), 80),
            VirtualServiceKey.ForFirewallMark(1),
        };
        var sorted = IpvsOrder.Services(keys.Select(k => new IpvsTableEntry(new VirtualService(k), [])));
        Assert.Equal(
            [
                "tcp/192.0.2.9:80", "tcp/192.0.2.9:443", "tcp/192.0.2.10:80", "udp/192.0.2.1:53", "tcp/[2001:db8::1]:80",
                "fwmark/1", "fwmark6/1", "fwmark/2",
            ],
            sorted.Select(e => e.Service.Key.ToString()));
    }

    [Fact]
    public void Servers_SortByFamilyAddressThenPort()
    {
        var servers = new[]
        {
            new RealServer(IPAddress.Parse("2001:db8::2"), 80),
            new RealServer(IPAddress.Parse("192.0.2.20"), 80),
            new RealServer(IPAddress.Parse("192.0.2.3"), 8080),
            new RealServer(IPAddress.Parse("192.0.2.3"), 80),
        };
        Assert.Equal(
            ["192.0.2.3:80", "192.0.2.3:8080", "192.0.2.20:80", "[2001:db8::2]:80"],
            IpvsOrder.Servers(servers).Select(s => s.Address.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{s.Address}]:{s.Port}" : $"{s.Address}:{s.Port}"));
    }
}
