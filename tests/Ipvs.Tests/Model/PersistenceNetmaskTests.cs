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
        var netmask = PersistenceNetmask.FromPrefixLength(AddressFamily.InterNetwork, prefix);
        Assert.Equal(PersistenceNetmask.FromIPv4Mask(mask), netmask);
        Assert.Equal(netmask, PersistenceNetmask.FromIPv4Mask(IPAddress.Parse(text)));
        Assert.Equal(text, netmask.ToString());
        Assert.Equal(IPAddress.Parse(text), netmask.ToAddress());
        Assert.Equal(prefix, netmask.PrefixLength);
        Assert.Equal(AddressFamily.InterNetwork, netmask.Family);
        Assert.Equal(prefix == 32, netmask.IsFull);
    }

    [Fact]
    public void Ipv4_NonContiguousMask_IsKept_AndHasNoPrefixLength()
    {
        var netmask = PersistenceNetmask.FromIPv4Mask(IPAddress.Parse("255.0.255.0"));
        Assert.Null(netmask.PrefixLength);
        Assert.Equal("255.0.255.0", netmask.ToString());
        Assert.False(netmask.IsFull);
    }

    [Fact]
    public void Ipv6_IsThePrefixLength()
    {
        var netmask = PersistenceNetmask.FromPrefixLength(AddressFamily.InterNetworkV6, 64);
        Assert.Equal(64, netmask.PrefixLength);
        Assert.Equal("64", netmask.ToString());
        Assert.Equal(IPAddress.Parse("ffff:ffff:ffff:ffff::"), netmask.ToAddress());
        Assert.True(PersistenceNetmask.FromPrefixLength(AddressFamily.InterNetworkV6, 128).IsFull);
        Assert.Equal(PersistenceNetmask.Full(AddressFamily.InterNetworkV6), PersistenceNetmask.FromPrefixLength(AddressFamily.InterNetworkV6, 128));
        Assert.Throws<ArgumentOutOfRangeException>(() => PersistenceNetmask.FromPrefixLength(AddressFamily.InterNetworkV6, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => PersistenceNetmask.FromPrefixLength(AddressFamily.InterNetworkV6, 129));
        Assert.Throws<ArgumentOutOfRangeException>(() => PersistenceNetmask.FromPrefixLength(AddressFamily.InterNetwork, 33));
        Assert.Throws<ArgumentException>(() => PersistenceNetmask.FromIPv4Mask(IPAddress.IPv6Loopback));
    }

    [Fact]
    public void TheSamePrefix_InTwoFamilies_IsNotTheSameNetmask() =>
        Assert.NotEqual(PersistenceNetmask.FromPrefixLength(AddressFamily.InterNetwork, 24), PersistenceNetmask.FromPrefixLength(AddressFamily.InterNetworkV6, 24));

    [Fact]
    public void Default_HasNoFamily_AndIsNotFull()
    {
        Assert.Equal(AddressFamily.Unspecified, default(PersistenceNetmask).Family);
        Assert.False(default(PersistenceNetmask).IsFull);
        Assert.Equal(string.Empty, default(PersistenceNetmask).ToString());
        Assert.Throws<InvalidOperationException>(() => default(PersistenceNetmask).ToAddress());
    }

    [Fact]
    public void NewService_DefaultsToTheFullMaskOfItsFamily()
    {
        Assert.Equal(PersistenceNetmask.Full(AddressFamily.InterNetwork), new VirtualService(VirtualServiceKey.Parse("tcp/10.0.0.1:80")).Netmask);
        Assert.Equal(PersistenceNetmask.Full(AddressFamily.InterNetworkV6), new VirtualService(VirtualServiceKey.Parse("fwmark6/3")).Netmask);
    }

    [Theory]
    [InlineData(-1L)]
    [InlineData(5_000_000L)] // half a second, in ticks
    public void Timeout_ThatIsNotWholeNonNegativeSeconds_IsRefused(long ticks) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new VirtualService(VirtualServiceKey.Parse("tcp/10.0.0.1:80")) { Timeout = TimeSpan.FromTicks(ticks) });

    [Fact]
    public void Timeout_AboveTheKernelsU32OfSeconds_IsRefused()
    {
        var key = VirtualServiceKey.Parse("tcp/10.0.0.1:80");
        Assert.Equal(TimeSpan.FromSeconds(uint.MaxValue), new VirtualService(key) { Timeout = TimeSpan.FromSeconds(uint.MaxValue) }.Timeout);
        Assert.Throws<ArgumentOutOfRangeException>(() => new VirtualService(key) { Timeout = TimeSpan.FromSeconds(uint.MaxValue + 1L) });
        Assert.Equal(TimeSpan.FromMinutes(6), VirtualService.DefaultPersistenceTimeout);
    }
}
