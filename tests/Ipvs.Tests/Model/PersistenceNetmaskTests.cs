using System.Net;
using System.Net.Sockets;
using Ipvs.Model;

namespace Ipvs.Tests.Model;

public sealed class PersistenceNetmaskTests
{
    [Theory]
    [InlineData(32, 0xFFFFFFFFu, "255.255.255.255")]
    [InlineData(24, 0xFFFFFF00u, "255.255.255.0")]
    [InlineData(1, 0x80000000u, "128.0.0.0")]
    [InlineData(0, 0u, "0.0.0.0")]
    public void Ipv4_PrefixMaskAndText_Agree(int prefix, uint mask, string text)
    {
        Assert.Equal(mask, PersistenceNetmask.FromPrefixLength(AddressFamily.InterNetwork, prefix));
        Assert.Equal(mask, PersistenceNetmask.FromIPv4Mask(IPAddress.Parse(text)));
        Assert.Equal(text, PersistenceNetmask.Format(AddressFamily.InterNetwork, mask));
        Assert.Equal(prefix, PersistenceNetmask.ToPrefixLength(AddressFamily.InterNetwork, mask));
    }

    [Fact]
    public void Ipv4_NonContiguousMask_HasNoPrefixLength() =>
        Assert.Null(PersistenceNetmask.ToPrefixLength(AddressFamily.InterNetwork, PersistenceNetmask.FromIPv4Mask(IPAddress.Parse("255.0.255.0"))));

    [Fact]
    public void Ipv6_IsThePrefixLength()
    {
        Assert.Equal(64u, PersistenceNetmask.FromPrefixLength(AddressFamily.InterNetworkV6, 64));
        Assert.Equal("64", PersistenceNetmask.Format(AddressFamily.InterNetworkV6, 64));
        Assert.True(PersistenceNetmask.IsFull(AddressFamily.InterNetworkV6, 128));
        Assert.Throws<ArgumentOutOfRangeException>(() => PersistenceNetmask.FromPrefixLength(AddressFamily.InterNetworkV6, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => PersistenceNetmask.FromPrefixLength(AddressFamily.InterNetworkV6, 129));
    }

    [Fact]
    public void NewService_DefaultsToTheFullMaskOfItsFamily()
    {
        Assert.Equal(uint.MaxValue, new VirtualService(VirtualServiceKey.Parse("tcp/10.0.0.1:80")).Netmask);
        Assert.Equal(128u, new VirtualService(VirtualServiceKey.Parse("fwmark6/3")).Netmask);
    }
}
