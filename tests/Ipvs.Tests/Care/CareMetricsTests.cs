using System.Net;
using System.Net.Sockets;
using Ipvs.Cli.Care;
using Ipvs.Model;

namespace Ipvs.Tests.Care;

public sealed class CareMetricsTests
{
    [Fact]
    public void NodeExporterLabels_OfAnAddressService_AreTheProcFileValues()
    {
        var labels = CareMetrics.NodeExporterLabels(
            VirtualServiceKey.Tcp(IPAddress.Parse("198.18.77.20"), 80), new RealServer(IPAddress.Parse("198.18.77.2"), 8080));

        Assert.Equal(
            [("local_address", "198.18.77.20"), ("local_port", "80"), ("remote_address", "198.18.77.2"), ("remote_port", "8080"), ("proto", "TCP"), ("local_mark", "")],
            labels);
    }

    [Fact]
    public void NodeExporterLabels_OfIpv6AndUdp_UseTheCompressedAddress()
    {
        var labels = CareMetrics.NodeExporterLabels(
            VirtualServiceKey.Udp(IPAddress.Parse("2001:db8::53"), 53), new RealServer(IPAddress.Parse("2001:db8:0:0::2"), 53));

        Assert.Contains(("local_address", "2001:db8::53"), labels);
        Assert.Contains(("remote_address", "2001:db8::2"), labels);
        Assert.Contains(("proto", "UDP"), labels);
    }

    [Fact]
    public void NodeExporterLabels_OfAFirewallMark_HaveTheMarkAndNoLocalAddress()
    {
        var labels = CareMetrics.NodeExporterLabels(
            VirtualServiceKey.ForFirewallMark(100, AddressFamily.InterNetwork), new RealServer(IPAddress.Parse("198.18.77.2"), 0));

        Assert.Equal(
            [("local_address", ""), ("local_port", ""), ("remote_address", "198.18.77.2"), ("remote_port", "0"), ("proto", "FWM"), ("local_mark", "00000064")],
            labels);
    }
}
