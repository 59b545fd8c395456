using System.Net;
using System.Net.Sockets;
using Ipvs.Model;

namespace Ipvs.Tests.Model;

public sealed class VirtualServiceKeyTests
{
    [Theory]
    [InlineData("tcp/198.51.100.1:80")]
    [InlineData("udp/[2001:db8::1]:53")]
    [InlineData("sctp/198.51.100.7:9")]
    [InlineData("fwmark/42")]
    [InlineData("fwmark6/7")]
    public void Parse_ThenToString_RoundTrips(string text) => Assert.Equal(text, VirtualServiceKey.Parse(text).ToString());

    [Fact]
    public void Parse_Ipv6Fwmark_HasIpv6Family() =>
        Assert.Equal(AddressFamily.InterNetworkV6, VirtualServiceKey.Parse("fwmark6/7").Family);

    [Theory]
    [InlineData("tcp/198.51.100.1", "no port")]
    [InlineData("tcp/2001:db8::1:80", "brackets")]
    [InlineData("icmp/198.51.100.1:80", "not a service protocol")]
    [InlineData("tcp/198.51.100.1:65536", "not a port")]
    [InlineData("fwmark/0", "not a firewall mark")]
    [InlineData("tcp/300.1.1.1:80", "not an IPv4 or IPv6 address")]
    public void Parse_Invalid_SaysWhatIsWrong(string text, string expected)
    {
        var error = Assert.Throws<FormatException>(() => VirtualServiceKey.Parse(text));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Keys_WithSameValues_AreEqual() =>
        Assert.Equal(VirtualServiceKey.Tcp(IPAddress.Parse("10.0.0.1"), 80), VirtualServiceKey.Parse("tcp/10.0.0.1:80"));
}
