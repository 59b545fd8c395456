using Ipvs.Model;

namespace Ipvs.Tests.Model;

public sealed class AddressPortTests
{
    [Theory]
    [InlineData("192.0.2.1:80", "192.0.2.1", 80)]
    [InlineData("[2001:db8::1]:443", "2001:db8::1", 443)]
    [InlineData("[::ffff:192.0.2.1]:0", "::ffff:192.0.2.1", 0)]
    public void TryParse_AcceptsBothFamilies(string text, string address, int port)
    {
        Assert.True(AddressPort.TryParse(text, out var parsed, out var parsedPort, out var error), error);
        Assert.Equal(address, parsed.ToString());
        Assert.Equal(port, parsedPort);
    }

    [Theory]
    [InlineData("192.0.2.1", "has no port")]
    [InlineData("2001:db8::1:80", "brackets")]
    [InlineData("[2001:db8::1]80", "written [ADDRESS]:PORT")]
    [InlineData("192.0.2:80", "not an IPv4 or IPv6 address")]
    [InlineData("example.com:80", "not an IPv4 or IPv6 address")]
    [InlineData("192.0.2.1:http", "not a port")]
    [InlineData("192.0.2.1:-1", "not a port")]
    public void TryParse_SaysWhatIsWrong(string text, string expected)
    {
        Assert.False(AddressPort.TryParse(text, out _, out _, out var error));
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }
}
