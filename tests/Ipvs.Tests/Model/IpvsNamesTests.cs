using System.Net.Sockets;
using Ipvs.Model;

namespace Ipvs.Tests.Model;

/// <summary>The one vocabulary: every value named in every column, and names read back to their values.</summary>
public sealed class IpvsNamesTests
{
    [Fact]
    public void ForwardingMethods_EveryValueHasOneRowAndCliNamesRoundTrip()
    {
        Assert.Equal(Enum.GetValues<ForwardingMethod>().Order(), IpvsNames.ForwardingMethods.Select(r => r.Method).Order());
        foreach (var row in IpvsNames.ForwardingMethods)
        {
            Assert.Equal(row.Method, IpvsNames.ParseCliForwarding(row.Cli));
            Assert.Equal(row.Cli, IpvsNames.CliName(row.Method));
            Assert.All(row.CliAliases, a => Assert.Equal(row.Method, IpvsNames.ParseCliForwarding(a)));
        }

        Assert.Equal(["dr", "masq", "tun", "local", "bypass", "fnat"], IpvsNames.ForwardingMethods.Select(r => r.Cli));
        Assert.Equal("unknown-9", IpvsNames.CliName((ForwardingMethod)9));
    }

    [Theory]
    [InlineData(ForwardingMethod.Masquerade, "masq", "Masq", "-m")]
    [InlineData(ForwardingMethod.Local, "local", "Local", "-g")]
    [InlineData(ForwardingMethod.Tunnel, "tunnel", "Tunnel", "-i")]
    [InlineData(ForwardingMethod.DirectRoute, "route", "Route", "-g")]
    [InlineData(ForwardingMethod.Bypass, "bypass", null, null)]
    [InlineData(ForwardingMethod.FullNat, "5", null, null)]
    public void ForwardingMethods_FilesAndIpvsadmColumns(ForwardingMethod method, string config, string? ipvsadm, string? ipvsadmSwitch)
    {
        var row = IpvsNames.Find(method)!;
        Assert.Equal(config, IpvsNames.ConfigName(method));
        Assert.Equal(ipvsadm, row.Ipvsadm);
        Assert.Equal(ipvsadmSwitch, row.IpvsadmSwitch);

        // Files read what they write, any alias and any case; bypass and fnat they only report.
        var readable = row.ConfigAliases is not null;
        Assert.Equal(readable ? method : null, IpvsNames.ParseConfigForwarding(config.ToUpperInvariant()));
        Assert.All(row.ConfigAliases ?? [], a => Assert.Equal(method, IpvsNames.ParseConfigForwarding(a)));
    }

    [Fact]
    public void ConfigForwardingNames_AreTheReadableNamesThenAliases()
    {
        Assert.Equal(
            ["route", "masq", "tunnel", "local", "dr", "direct", "gate", "droute", "masquerade", "nat", "tun", "ipip"],
            IpvsNames.ConfigForwardingNames);
        Assert.All(IpvsNames.ConfigForwardingNames, n => Assert.NotNull(IpvsNames.ParseConfigForwarding(n)));
    }

    [Theory]
    [InlineData("sh", ServiceFlags.Scheduler1 | ServiceFlags.Scheduler2 | ServiceFlags.Scheduler3, "sh-fallback,sh-port,flag-3", "sh-fallback,sh-port")]
    [InlineData("mh", ServiceFlags.Scheduler2, "mh-port", "mh-port")]
    [InlineData("mh", ServiceFlags.Scheduler3, "flag-3", "")]
    [InlineData("wlc", ServiceFlags.Scheduler1 | ServiceFlags.Scheduler3, "flag-1,flag-3", "flag-1,flag-3")]
    [InlineData("rr", ServiceFlags.Persistent, "", "")]
    public void SchedulerFlags_NamedForTheScheduler(string scheduler, ServiceFlags flags, string names, string ipvsadmNames)
    {
        Assert.Equal(names, string.Join(',', IpvsNames.FormatSchedulerFlags(scheduler, flags)));
        Assert.Equal(ipvsadmNames, string.Join(',', IpvsNames.FormatSchedulerFlags(scheduler, flags, genericBeyondNamed: false)));
    }

    [Fact]
    public void SchedulerFlags_RoundTrip()
    {
        foreach (var row in IpvsNames.SchedulerFlags)
        {
            Assert.Same(row, IpvsNames.FindSchedulerFlag(row.Name));
            Assert.Equal([row.Name], IpvsNames.FormatSchedulerFlags(row.Scheduler ?? "wlc", row.Flag));
        }

        Assert.Null(IpvsNames.FindSchedulerFlag("SH-PORT"));
    }

    [Fact]
    public void Protocols_EveryAddressProtocolInEveryColumn()
    {
        Assert.Equal(Enum.GetValues<IpvsProtocol>().Where(p => p != IpvsProtocol.None), IpvsNames.Protocols.Select(r => r.Protocol));
        Assert.Equal(["tcp/TCP/-t", "udp/UDP/-u", "sctp/SCTP/--sctp-service"], IpvsNames.Protocols.Select(r => $"{r.Name}/{r.Ipvsadm}/{r.IpvsadmSwitch}"));
        Assert.All(IpvsNames.Protocols, r => Assert.Equal(r.Protocol, IpvsNames.ParseProtocol(r.Name)));
        Assert.Null(IpvsNames.Find(IpvsProtocol.None));
        Assert.Equal(IpvsProtocol.None, IpvsNames.ParseProtocol("icmp"));
    }

    [Fact]
    public void Tunnels_EveryTypeAndChecksumInEveryColumn()
    {
        foreach (var type in Enum.GetValues<TunnelType>())
        {
            Assert.Equal(type, IpvsNames.ParseTunnelType(IpvsNames.ConfigName(type)));
            Assert.Equal(IpvsNames.ConfigName(type), IpvsNames.CliName(type));
        }

        Assert.Equal(["ipip", "gue", "gre"], IpvsNames.TunnelTypes);
        Assert.Equal("unknown-7", IpvsNames.CliName((TunnelType)7));
        Assert.Equal("7", IpvsNames.ConfigName((TunnelType)7));

        Assert.Equal(Enum.GetValues<TunnelFlags>(), IpvsNames.TunnelChecksums.Select(r => r.Flags));
        Assert.Equal(["nocsum/-c/--tun-nocsum", "csum/+c/--tun-csum", "remcsum/r+c/--tun-remcsum"], IpvsNames.TunnelChecksums.Select(r => $"{r.Name}/{r.Ipvsadm}/{r.IpvsadmSwitch}"));
        foreach (var row in IpvsNames.TunnelChecksums)
        {
            Assert.Equal(row.Flags, IpvsNames.ParseTunnelChecksum(row.Name));
            Assert.Equal(row.Name, IpvsNames.CliName(row.Flags));
            Assert.Equal(row.Name, IpvsNames.ConfigName(row.Flags));
        }

        // Both bits: the CLI names the stronger one, files write the number, ipvsadm has no word.
        var both = TunnelFlags.Checksum | TunnelFlags.RemoteChecksum;
        Assert.Equal("remcsum", IpvsNames.CliName(both));
        Assert.Equal("3", IpvsNames.ConfigName(both));
        Assert.Null(IpvsNames.Find(both));
    }

    [Fact]
    public void SyncDaemonStates_RoundTrip()
    {
        foreach (var state in Enum.GetValues<SyncDaemonState>())
        {
            Assert.Equal(state, IpvsNames.ParseSyncDaemonState(IpvsNames.Name(state)));
        }

        Assert.Equal(["master", "backup"], IpvsNames.SyncDaemonStates);
        Assert.Equal("unknown", IpvsNames.Name((SyncDaemonState)3));
        Assert.Null(IpvsNames.ParseSyncDaemonState("Master"));
    }

    [Fact]
    public void FamiliesAndSchedulers()
    {
        Assert.Equal("ipv4", IpvsNames.Name(AddressFamily.InterNetwork));
        Assert.Equal("ipv6", IpvsNames.Name(AddressFamily.InterNetworkV6));
        Assert.Equal(14, IpvsNames.Schedulers.Count);
        Assert.DoesNotContain("none", IpvsNames.Schedulers);
        Assert.Equal(["sip"], IpvsNames.PersistenceEngines);
    }
}
