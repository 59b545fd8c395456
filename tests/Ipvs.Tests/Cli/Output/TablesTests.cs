using System.Net;
using System.Net.Sockets;
using Ipvs.Cli.Docs;
using Ipvs.Cli.Output;
using Ipvs.Model;

namespace Ipvs.Tests.Cli.Output;

public sealed class TablesTests
{
    [Fact]
    public void Services_Table_AlignsColumnsAndSummarizesPersistence()
    {
        var second = SchemaSamples.ServiceList.Services[0] with
        {
            Service = "udp/[2001:db8::1]:53",
            Family = "ipv6",
            Scheduler = "sh",
            SchedulerFlags = ["sh-port"],
            OnePacket = true,
            Persistent = false,
            Servers = [],
        };
        var output = new StringWriter();

        Tables.Services(output, [SchemaSamples.ServiceList.Services[0], second], stats: false);

        Assert.Equal(
            """
            SERVICE               SCHEDULER  PERSISTENCE  FLAGS        SERVERS
            tcp/198.51.100.1:80   rr         300s /24     -                  1
            udp/[2001:db8::1]:53  sh         -            ops,sh-port        0

            """,
            output.ToString());
    }

    [Fact]
    public void Servers_Table_ShowsThresholdsAndTunnels()
    {
        var server = SchemaSamples.ServiceList.Services[0].Servers[0];
        var tunnelled = server with { Server = "192.0.2.11:80", Forward = "tun", Weight = 10, UpperThreshold = 100, LowerThreshold = 50, Tunnel = new TunnelView("gue", 6080, "csum") };
        var output = new StringWriter();

        Tables.Servers(output, [server, tunnelled], withService: false, stats: false);

        Assert.Equal(
            """
            SERVER           FORWARD  WEIGHT  ACTIVE  INACTIVE  PERSISTENT  THRESHOLDS  TUNNEL
            192.0.2.10:8080  masq          3       2         5           1  -           -
            192.0.2.11:80    tun          10       2         5           1  50-100      gue:6080:csum

            """,
            output.ToString());
    }

    [Fact]
    public void Stats_Table_PrintsExactCounters()
    {
        var view = SchemaSamples.ServiceList.Services[0] with { Stats = new StatsView(new IpvsStatistics { Connections = 12, IncomingPackets = 345, IncomingBytes = 123456789012, ConnectionsPerSecond = 1, IncomingPacketsPerSecond = 2, IncomingBytesPerSecond = 300 }) };
        var output = new StringWriter();

        Tables.Services(output, [view], stats: true);

        var lines = output.ToString().Split('\n');
        Assert.StartsWith("SERVICE              CONNS  INPKTS  OUTPKTS       INBYTES  OUTBYTES  CPS  INPPS  OUTPPS  INBPS  OUTBPS", lines[0], StringComparison.Ordinal);
        Assert.Contains("123456789012", lines[1], StringComparison.Ordinal);
    }

    [Fact]
    public void ViewMapper_Service_MapsEveryField()
    {
        var service = new VirtualService(VirtualServiceKey.Parse("fwmark6/42"))
        {
            Scheduler = "mh",
            Flags = ServiceFlags.Persistent | ServiceFlags.MhFallback | ServiceFlags.OnePacket,
            Timeout = TimeSpan.FromSeconds(120),
            Netmask = PersistenceNetmask.FromPrefixLength(System.Net.Sockets.AddressFamily.InterNetworkV6, 64),
            PersistenceEngine = "sip",
        };
        var server = new RealServer(IPAddress.Parse("2001:db8::10"), 0) { ForwardingMethod = ForwardingMethod.Tunnel, TunnelType = TunnelType.Gre, TunnelFlags = TunnelFlags.Checksum };

        var view = ViewMapper.Service(service, [server], withStats: true);

        Assert.Equal("fwmark6/42", view.Service);
        Assert.Equal("ipv6", view.Family);
        Assert.Null(view.Protocol);
        Assert.Null(view.Address);
        Assert.Null(view.Port);
        Assert.Equal(42u, view.Fwmark);
        Assert.Equal(["mh-fallback"], view.SchedulerFlags);
        Assert.True(view.OnePacket);
        Assert.True(view.Persistent);
        Assert.Equal("ffff:ffff:ffff:ffff::", view.Netmask);
        Assert.Equal(64, view.PrefixLength);
        Assert.Equal("sip", view.PersistenceEngine);
        Assert.NotNull(view.Stats);
        var serverView = Assert.Single(view.Servers);
        Assert.Equal("[2001:db8::10]:0", serverView.Server);
        Assert.Equal("tun", serverView.Forward);
        Assert.Equal(new TunnelView("gre", null, "csum"), serverView.Tunnel);
    }

    [Theory]
    [InlineData(AddressFamily.InterNetwork, 0xFFFFFFFFu, "255.255.255.255", 32)]
    [InlineData(AddressFamily.InterNetwork, 0u, "0.0.0.0", 0)]
    [InlineData(AddressFamily.InterNetworkV6, 128u, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 128)]
    [InlineData(AddressFamily.InterNetworkV6, 56u, "ffff:ffff:ffff:ff00::", 56)]
    public void Netmask_IsWrittenAsAnAddressAndAPrefix(AddressFamily family, uint netmask, string text, int prefix)
    {
        var key = family == AddressFamily.InterNetwork ? "tcp/198.51.100.1:80" : "tcp/[2001:db8::1]:80";
        var view = ViewMapper.Service(new VirtualService(VirtualServiceKey.Parse(key)) { Netmask = family == AddressFamily.InterNetwork ? PersistenceNetmask.FromIPv4Mask(netmask) : PersistenceNetmask.FromPrefixLength(family, (int)netmask) }, [], withStats: false);

        Assert.Equal(text, view.Netmask);
        Assert.Equal(prefix, view.PrefixLength);
    }

    [Fact]
    public void Stats_WithoutTheOption_AreNull()
    {
        var service = new VirtualService(VirtualServiceKey.Parse("tcp/198.51.100.1:80")) { Statistics = new IpvsStatistics { Connections = 5 } };

        Assert.Null(ViewMapper.Service(service, [], withStats: false).Stats);
        Assert.Equal(5ul, ViewMapper.Service(service, [], withStats: true).Stats!.Statistics.Connections);
    }
}
