using System.CommandLine;
using System.Net;
using Ipvs.Cli.Common;
using Ipvs.Cli.Service;
using Ipvs.Model;

namespace Ipvs.Tests.Cli.Service;

/// <summary>How the service options become the kernel's service, persistence above all (ipvsctl gets it wrong).</summary>
public sealed class ServiceSettingsTests
{
    private static VirtualService Apply(string words, VirtualService? current = null)
    {
        var command = new Command("test");
        var targets = Targets.ForService(command);
        var settings = ServiceSettings.AddTo(command);
        var parseResult = command.Parse(words.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Empty(parseResult.Errors);
        var key = targets.RequiredService(parseResult);
        return settings.Apply(parseResult, current ?? new VirtualService(key));
    }

    [Fact]
    public void NoOptions_AreIpvsadmsDefaults()
    {
        var service = Apply("tcp/198.51.100.1:80");

        Assert.Equal("wlc", service.Scheduler);
        Assert.Equal(ServiceFlags.None, service.Flags);
        Assert.Equal(TimeSpan.FromSeconds(0), service.Timeout);
        Assert.Equal(PersistenceNetmask.FromIPv4Mask(uint.MaxValue), service.Netmask);
        Assert.Null(service.PersistenceEngine);
    }

    [Fact]
    public void Timeout_SetsThePersistentFlag()
    {
        var service = Apply("tcp/198.51.100.1:80 --timeout 300");

        Assert.True(service.IsPersistent);
        Assert.Equal(TimeSpan.FromSeconds(300), service.Timeout);
    }

    [Theory]
    [InlineData("24")]
    [InlineData("/24")]
    [InlineData("255.255.255.0")]
    public void Ipv4Netmask_IsSentAsAMask_AndMakesTheServicePersistent(string mask)
    {
        var service = Apply("tcp/198.51.100.1:80 -M " + mask);

        Assert.Equal(PersistenceNetmask.FromIPv4Mask(0xFFFFFF00u), service.Netmask);
        Assert.True(service.IsPersistent);
        Assert.Equal(VirtualService.DefaultPersistenceTimeout, service.Timeout);
    }

    [Fact]
    public void NetmaskZero_IsIpvsctlsDefault_OneClientAddress()
    {
        var service = Apply("tcp/198.51.100.1:80 --timeout 60 --mask 0");

        Assert.Equal(PersistenceNetmask.FromIPv4Mask(uint.MaxValue), service.Netmask);
    }

    [Theory]
    [InlineData("/0")]
    [InlineData("0.0.0.0")]
    public void EmptyIpv4Mask_CanStillBeAskedFor(string mask)
    {
        Assert.Equal(PersistenceNetmask.FromIPv4Mask(0u), Apply("tcp/198.51.100.1:80 --timeout 60 --netmask " + mask).Netmask);
    }

    [Fact]
    public void Ipv6Netmask_IsAPrefixLength()
    {
        var service = Apply("udp/[2001:db8::1]:53 --netmask 64");

        Assert.Equal(PersistenceNetmask.FromPrefixLength(System.Net.Sockets.AddressFamily.InterNetworkV6, 64), service.Netmask);
        Assert.True(service.IsPersistent);
    }

    [Theory]
    [InlineData("--persistent sip")]
    [InlineData("--pe sip")]
    [InlineData("--per sip")]
    [InlineData("--persis sip")]
    public void PersistenceEngine_MakesTheServicePersistent(string option)
    {
        var service = Apply("udp/198.51.100.1:5060 " + option);

        Assert.Equal("sip", service.PersistenceEngine);
        Assert.True(service.IsPersistent);
        Assert.Equal(TimeSpan.FromSeconds(360), service.Timeout);
    }

    [Fact]
    public void Update_TimeoutZero_TurnsPersistenceOff_AndKeepsTheRest()
    {
        var current = new VirtualService(VirtualServiceKey.Parse("tcp/198.51.100.1:80"))
        {
            Scheduler = "sh",
            Flags = ServiceFlags.Persistent | ServiceFlags.ShPort,
            Timeout = TimeSpan.FromSeconds(600),
        };

        var service = Apply("tcp/198.51.100.1:80 --timeout 0", current);

        Assert.False(service.IsPersistent);
        Assert.Equal(TimeSpan.FromSeconds(0), service.Timeout);
        Assert.Equal("sh", service.Scheduler);
        Assert.Equal(ServiceFlags.ShPort, service.Flags);
    }

    [Fact]
    public void Update_Scheduler_KeepsPersistence()
    {
        var current = new VirtualService(VirtualServiceKey.Parse("tcp/198.51.100.1:80")) { Flags = ServiceFlags.Persistent, Timeout = TimeSpan.FromSeconds(600) };

        var service = Apply("tcp/198.51.100.1:80 -s rr", current);

        Assert.Equal("rr", service.Scheduler);
        Assert.True(service.IsPersistent);
        Assert.Equal(TimeSpan.FromSeconds(600), service.Timeout);
    }

    [Fact]
    public void Update_EngineNone_RemovesTheEngine()
    {
        var current = new VirtualService(VirtualServiceKey.Parse("udp/198.51.100.1:5060")) { Flags = ServiceFlags.Persistent, Timeout = TimeSpan.FromSeconds(60), PersistenceEngine = "sip" };

        Assert.Null(Apply("udp/198.51.100.1:5060 --pe none", current).PersistenceEngine);
    }

    [Theory]
    [InlineData("-s sh -b sh-fallback,sh-port", ServiceFlags.ShFallback | ServiceFlags.ShPort)]
    [InlineData("-s mh -b mh-port", ServiceFlags.MhPort)]
    [InlineData("-s rr -b flag-1,flag-3", ServiceFlags.Scheduler1 | ServiceFlags.Scheduler3)]
    public void SchedulerFlags_AreTheKernelsBits(string options, ServiceFlags expected)
    {
        Assert.Equal(expected, Apply("tcp/198.51.100.1:80 " + options).Flags);
    }

    [Fact]
    public void OnePacket_OnUdp_AndOffAgain()
    {
        var on = Apply("udp/198.51.100.1:53 --ops");
        Assert.Equal(ServiceFlags.OnePacket, on.Flags);

        Assert.Equal(ServiceFlags.None, Apply("udp/198.51.100.1:53 --ops false", on).Flags);
    }

    [Fact]
    public void IpvsctlForm_IsTheSameKeyAsTheCompactForm()
    {
        Assert.Equal(
            Apply("udp/[2001:db8::1]:53").Key,
            Apply("--vip 2001:db8::1 --vport 53 --proto UDP").Key);
        Assert.Equal(VirtualServiceKey.Tcp(IPAddress.Parse("198.51.100.1"), 80), Apply("--vip 198.51.100.1 --vport 80").Key);
    }
}
