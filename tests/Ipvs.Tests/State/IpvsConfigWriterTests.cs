using System.Net;
using System.Net.Sockets;
using FsCheck;
using FsCheck.Fluent;
using Ipvs.Model;
using Ipvs.State;

namespace Ipvs.Tests.State;

public sealed class IpvsConfigWriterTests
{
    private static readonly VirtualServiceKey[] s_keys =
    [
        VirtualServiceKey.Parse("tcp/198.51.100.1:80"),
        VirtualServiceKey.Parse("udp/198.51.100.2:53"),
        VirtualServiceKey.Parse("sctp/198.51.100.3:9"),
        VirtualServiceKey.Parse("tcp/198.51.100.4:0"),
        VirtualServiceKey.Parse("fwmark/1"),
        VirtualServiceKey.Parse("fwmark6/4294967295"),
        VirtualServiceKey.Parse("udp/[2001:db8::1]:53"),
    ];

    [Fact]
    public void Yaml_RoundTrips_AnyValidConfiguration() =>
        Prop.ForAll(Configs().ToArbitrary(), config =>
        {
            var text = IpvsConfigWriter.ToYaml(config);
            var read = IpvsConfigReader.Parse(text, "export.yaml");
            Assert.True(read.Succeeded, string.Join('\n', read.Diagnostics) + "\n" + text);
            Assert.DoesNotContain(read.Diagnostics, d => d.Severity == ConfigSeverity.Error);
            AssertSame(config, read.Config!);
        }).QuickCheckThrowOnFailure();

    [Fact]
    public void Json_RoundTrips_AnyValidConfiguration() =>
        Prop.ForAll(Configs().ToArbitrary(), config =>
        {
            var text = IpvsConfigWriter.ToJson(config);
            var read = IpvsConfigReader.Parse(text, "export.json");
            Assert.True(read.Succeeded, string.Join('\n', read.Diagnostics) + "\n" + text);
            AssertSame(config, read.Config!);
        }).QuickCheckThrowOnFailure();

    [Fact]
    public void Yaml_UsesCompactFormsAndLeavesDefaultsOut()
    {
        var key = VirtualServiceKey.Parse("udp/[2001:db8::1]:53");
        var config = new IpvsConfig(
        [
            new VirtualServiceConfig(new VirtualService(key) { Scheduler = "rr" },
            [
                new RealServerConfig(new RealServer(IPAddress.Parse("2001:db8::10"), 53)),
                new RealServerConfig(new RealServer(IPAddress.Parse("2001:db8::11"), 53) { Weight = 3, ForwardingMethod = ForwardingMethod.DirectRoute }),
            ]),
        ]);

        Assert.Equal(
            """
            # IPVS state in the declarative schema of 'ipvs apply' (docs/config.md)
            version: 1
            services:
              - service: "udp/[2001:db8::1]:53"
                scheduler: rr
                servers:
                  - "[2001:db8::10]:53"
                  - server: "[2001:db8::11]:53"
                    forward: route
                    weight: 3

            """.Replace("\r", string.Empty, StringComparison.Ordinal),
            IpvsConfigWriter.ToYaml(config));
    }

    [Fact]
    public void Sorted_OrdersAsIpvsadm_AddressServicesFirst()
    {
        var config = new IpvsConfig(
        [
            new VirtualServiceConfig(new VirtualService(VirtualServiceKey.Parse("fwmark/2")), []),
            new VirtualServiceConfig(new VirtualService(VirtualServiceKey.Parse("tcp/198.51.100.9:80")), []),
            new VirtualServiceConfig(new VirtualService(VirtualServiceKey.Parse("tcp/198.51.100.10:80")),
            [
                new RealServerConfig(new RealServer(IPAddress.Parse("192.0.2.20"), 80)),
                new RealServerConfig(new RealServer(IPAddress.Parse("192.0.2.3"), 80)),
            ]),
            new VirtualServiceConfig(new VirtualService(VirtualServiceKey.Parse("fwmark/1")), []),
        ]);

        var sorted = IpvsConfigWriter.Sorted(config);

        Assert.Equal(["tcp/198.51.100.9:80", "tcp/198.51.100.10:80", "fwmark/1", "fwmark/2"], sorted.Services.Select(s => s.Key.ToString()));
        Assert.Equal(["192.0.2.3:80", "192.0.2.20:80"], sorted.Services[1].RealServers.Select(s => s.Server.Endpoint));
    }

    internal static Gen<IpvsConfig> Configs() =>
        from keys in Gen.SubListOf(s_keys)
        from services in Gen.CollectToList(keys.Select(Service))
        select new IpvsConfig([.. services]);

    private static Gen<VirtualServiceConfig> Service(VirtualServiceKey key) =>
        from scheduler in Gen.Elements("rr", "wlc", "sh", "mh", "none")
        from schedulerFlags in Gen.Elements(ServiceFlags.None, ServiceFlags.Scheduler1, ServiceFlags.Scheduler2 | ServiceFlags.Scheduler3)
        from persistent in key.Port == 0 && !key.IsFirewallMark ? Gen.Constant(true) : Gen.Elements(false, true)
        from timeout in Gen.Elements(1u, 360u, 2678400u)
        from prefix in key.Family == AddressFamily.InterNetworkV6 ? Gen.Choose(1, 128) : Gen.Choose(0, 32)
        from engine in Gen.Elements<string?>(null, "sip")
        from onePacket in key.Protocol == IpvsProtocol.Udp || key.IsFirewallMark ? Gen.Elements(false, true) : Gen.Constant(false)
        from servers in Gen.SubListOf(Enumerable.Range(1, 5).ToArray()).SelectMany(ids => Gen.CollectToList(ids.Select(i => Server(key, i))))
        select new VirtualServiceConfig(
            new VirtualService(key)
            {
                Scheduler = scheduler,
                Flags = (persistent ? ServiceFlags.Persistent : ServiceFlags.None) | (onePacket ? ServiceFlags.OnePacket : ServiceFlags.None) | schedulerFlags,
                Timeout = persistent ? TimeSpan.FromSeconds(timeout) : TimeSpan.Zero,
                Netmask = PersistenceNetmask.FromPrefixLength(key.Family, prefix),
                PersistenceEngine = engine,
            },
            [.. servers.DistinctBy(s => (s.Address, s.Port)).Select(s => new RealServerConfig(s))]);

    private static Gen<RealServer> Server(VirtualServiceKey key, int id) =>
        from forward in Gen.Elements(ForwardingMethod.Masquerade, ForwardingMethod.DirectRoute, ForwardingMethod.Tunnel, ForwardingMethod.Local)
        from otherFamily in forward == ForwardingMethod.Tunnel ? Gen.Elements(false, true) : Gen.Constant(false)
        from port in Gen.Elements<ushort>(0, 80, 65535)
        from weight in Gen.Elements(0, 1, 7, int.MaxValue)
        from upper in Gen.Elements(0u, 100u, uint.MaxValue)
        from lower in Gen.Elements(0u, 50u, 100u)
        from tunnel in Gen.Elements(
            (TunnelType.Ipip, (ushort)0, TunnelFlags.NoChecksum),
            (TunnelType.Gue, (ushort)6080, TunnelFlags.RemoteChecksum),
            (TunnelType.Gue, (ushort)1, TunnelFlags.NoChecksum),
            (TunnelType.Gre, (ushort)0, TunnelFlags.Checksum))
        let v6 = (key.Family == AddressFamily.InterNetworkV6) != otherFamily
        let fixedPort = !key.IsFirewallMark && forward is ForwardingMethod.DirectRoute or ForwardingMethod.Tunnel
        select new RealServer(IPAddress.Parse(v6 ? $"2001:db8:5::{id}" : $"192.0.2.{id}"), fixedPort ? key.Port : port)
        {
            ForwardingMethod = forward,
            Weight = weight,
            UpperThreshold = upper,
            LowerThreshold = Math.Min(lower, upper),
            TunnelType = forward == ForwardingMethod.Tunnel ? tunnel.Item1 : TunnelType.Ipip,
            TunnelPort = forward == ForwardingMethod.Tunnel ? tunnel.Item2 : (ushort)0,
            TunnelFlags = forward == ForwardingMethod.Tunnel ? tunnel.Item3 : TunnelFlags.NoChecksum,
        };

    private static void AssertSame(IpvsConfig expected, IpvsConfig actual)
    {
        Assert.Equal(expected.Services.Count, actual.Services.Count);
        for (var i = 0; i < expected.Services.Count; i++)
        {
            Assert.Equal(expected.Services[i].Service, actual.Services[i].Service);
            Assert.Equal(expected.Services[i].RealServers.Select(s => s.Server), actual.Services[i].RealServers.Select(s => s.Server));
        }
    }
}
