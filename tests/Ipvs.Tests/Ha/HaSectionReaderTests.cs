using System.Net;
using Ipvs.Ha;
using System.Text.RegularExpressions;
using Ipvs.State;
using Ipvs.Testing;

namespace Ipvs.Tests.Ha;

public sealed class HaSectionReaderTests
{
    internal const string Pair = """
        services:
          - service: tcp/198.18.0.100:9000
            scheduler: rr
            servers:
              - {server: 198.18.0.21:9000, forward: route}
              - {server: 198.18.0.22:9000, forward: route}
          - service: udp/198.18.0.100:53
            servers: [198.18.0.21:53]
        ha:
          instance: VI_1
          interface: eth0
          router-id: 51
          nodes:
            - {name: lb1, address: 198.18.0.11, priority: 150}
            - {name: lb2, address: 198.18.0.12, priority: 100}
        """;

    private static IpvsConfigReadResult Parse(string text, string file = "pair.yaml") => HaSectionReader.Parse(text, file);

    private static HaConfig Read(string text)
    {
        var result = Parse(text);
        Assert.True(result.Succeeded, string.Join("\n", result.Diagnostics));
        return HaSectionReader.Of(result.Config!)!;
    }

    private static string Errors(string text)
    {
        var result = Parse(text);
        Assert.False(result.Succeeded, "the file was accepted");
        return string.Join("\n", result.Diagnostics.Where(d => d.Severity == ConfigSeverity.Error));
    }

    [Fact]
    public void Pair_TakesTheDefaults_AndTheServicesAddressesOnce()
    {
        var ha = Read(Pair);

        Assert.Equal("VI_1", ha.Instance);
        Assert.Equal("eth0", ha.Interface);
        Assert.Equal(51, ha.RouterId);
        Assert.Equal(TimeSpan.FromSeconds(1), ha.AdvertInterval);
        Assert.True(ha.Preempt);
        Assert.Equal(TimeSpan.Zero, ha.PreemptDelay);
        Assert.Equal(TimeSpan.FromSeconds(10), ha.RejoinDelay);
        Assert.False(ha.Unicast);
        Assert.Equal(["lb1", "lb2"], ha.Nodes.Select(n => n.Name));
        Assert.Equal(IPAddress.Parse("198.18.0.12"), ha.Nodes[1].Address);
        Assert.Equal(100, ha.Nodes[1].Priority);
        var vip = Assert.Single(ha.VirtualAddresses);
        Assert.Equal("198.18.0.100/32", vip.ToString());
        Assert.Equal(new SourceLocation("pair.yaml", 2, 5), vip.Location);
        Assert.False(ha.VirtualAddressesListed);
        Assert.True(ha.Sync.Enabled);
        Assert.Equal(51, ha.Sync.EffectiveSyncId(ha));
        Assert.Equal("eth0", ha.Sync.EffectiveInterface(ha));
        Assert.Equal((3, 0, TimeSpan.FromSeconds(1)), (ha.Sync.Threshold, ha.Sync.Period, ha.Sync.RefreshPeriod));
        Assert.Equal(60, ha.Health.Penalty);
        Assert.Equal(HaConfig.DefaultStatusPort, ha.StatusPort);
    }

    [Fact]
    public void EveryKey_IsRead()
    {
        var ha = Read(Pair + """

              advert-interval: 500ms
              preempt: false
              preempt-delay: 5s
              rejoin-delay: 30s
              unicast: true
              virtual-addresses: [198.18.0.100/32]
              sync: {enabled: true, interface: eth1, id: 7, port: 8849, ttl: 2, group: 224.0.0.82, max-length: 1400, threshold: 2, period: 50, refresh-period: 3s}
              health: {min-healthy: 50%, penalty: 80}
              status-port: 0
            """);

        Assert.Equal(TimeSpan.FromMilliseconds(500), ha.AdvertInterval);
        Assert.False(ha.Preempt);
        Assert.Equal(TimeSpan.FromSeconds(5), ha.PreemptDelay);
        Assert.Equal(TimeSpan.FromSeconds(30), ha.RejoinDelay);
        Assert.True(ha.Unicast);
        Assert.True(ha.VirtualAddressesListed);
        Assert.Equal("eth1", ha.Sync.EffectiveInterface(ha));
        Assert.Equal(7, ha.Sync.EffectiveSyncId(ha));
        Assert.Equal((8849, 2, 1400), (ha.Sync.Port, ha.Sync.Ttl, ha.Sync.MaxLength));
        Assert.Equal(IPAddress.Parse("224.0.0.82"), ha.Sync.Group);
        Assert.Equal((2, 50, TimeSpan.FromSeconds(3)), (ha.Sync.Threshold, ha.Sync.Period, ha.Sync.RefreshPeriod));
        Assert.Equal(0.5, ha.Health.MinHealthyFraction);
        Assert.Equal(80, ha.Health.Penalty);
        Assert.Equal(0, ha.StatusPort);
    }

    [Fact]
    public void TheDocsPair_IsAValidFile_AndMakesKeepalivedsConfiguration()
    {
        // docs/ha.md's set-up example, with care's health keys: what an operator copies must work.
        var markdown = File.ReadAllText(Path.Combine(TestPaths.Root, "docs", "ha.md"));
        var block = Regex.Match(markdown, "```yaml\n(services:.*?)```", RegexOptions.Singleline);
        Assert.True(block.Success, "docs/ha.md has no yaml block with services");

        var result = HaSectionReader.Parse(block.Groups[1].Value, "services.yaml", new IpvsConfigReaderOptions());
        Assert.True(result.Succeeded, string.Join("\n", result.Diagnostics));
        var ha = HaSectionReader.Of(result.Config!)!;
        Assert.Equal(["lb1", "lb2"], ha.Nodes.Select(n => n.Name));
        Assert.Equal("198.18.0.100/32", Assert.Single(ha.VirtualAddresses).ToString());
        Assert.Contains("virtual_router_id 51", KeepalivedConfigWriter.Write(ha, ha.Nodes[0], new HaPaths("/run/ipvs", ha.Instance, "lb1"), "/usr/sbin/ipvs", null), StringComparison.Ordinal);
    }

    [Fact]
    public void Json_IsReadToo()
    {
        var result = HaSectionReader.Parse("""
            {"services": [{"service": "tcp/198.18.0.100:80", "servers": ["198.18.0.21:80"]}],
             "ha": {"interface": "eth0", "router-id": 9, "nodes": [
                {"name": "a", "address": "198.18.0.11", "priority": 200},
                {"name": "b", "address": "198.18.0.12", "priority": 190}]}}
            """, "pair.json");

        Assert.True(result.Succeeded, string.Join("\n", result.Diagnostics));
        Assert.Equal(9, HaSectionReader.Of(result.Config!)!.RouterId);
    }

    [Theory]
    [InlineData("router-id: 51", "router-id: 0", "pair.yaml:12:14: error: ha router-id 0 is out of range: expected 1 to 255")]
    [InlineData("router-id: 51", "router-id: 256", "pair.yaml:12:14: error: ha router-id 256 is out of range: expected 1 to 255")]
    [InlineData("interface: eth0", "interface: bad/name", "pair.yaml:11:14: error: ha interface 'bad/name' is not an interface name")]
    [InlineData("priority: 100}", "priority: 150}", "pair.yaml:15:51: error: ha node priority 150 is also node lb1's (line 14)")]
    [InlineData("priority: 100}", "priority: 255}", "pair.yaml:15:51: error: ha node priority 255 is out of range: expected 1 to 254")]
    [InlineData("address: 198.18.0.12", "address: 198.18.0.11", "pair.yaml:15:28: error: ha node address 198.18.0.11 is also node lb1's (line 14)")]
    [InlineData("address: 198.18.0.12", "address: 2001:db8::12", "is not of the same family as node lb1's")]
    [InlineData("name: lb2", "name: lb1", "pair.yaml:15:14: error: ha node 'lb1' is listed twice (first at line 14)")]
    [InlineData("instance: VI_1", "instance: VI 1", "pair.yaml:10:13: error: ha instance 'VI 1' must be up to 64 letters")]
    [InlineData("router-id: 51", "router-ld: 51", "unknown key 'router-ld' in the ha section (did you mean 'router-id'?)")]
    public void ASectionThatCannotWork_IsRefusedAtItsPosition(string from, string to, string expected)
    {
        Assert.Contains(expected, Errors(Pair.Replace(from, to, StringComparison.Ordinal)), StringComparison.Ordinal);
    }

    [Fact]
    public void AVirtualAddressThatIsNoServicesAddress_IsRefusedAtItsPosition()
    {
        var errors = Errors(Pair + "\n  virtual-addresses: [198.18.0.100, 198.18.0.101]");

        Assert.Equal("pair.yaml:16:37: error: virtual address 198.18.0.101 is none of the services' addresses; the services' addresses: 198.18.0.100", errors);
    }

    [Fact]
    public void MissingRequiredKeys_AreEachNamed()
    {
        var errors = Errors("""
            services: [tcp/198.18.0.100:80]
            ha:
              nodes:
                - {name: lb1, address: 198.18.0.11, priority: 150}
            """);

        Assert.Contains("needs 'interface'", errors, StringComparison.Ordinal);
        Assert.Contains("needs 'router-id'", errors, StringComparison.Ordinal);
        Assert.Contains("pair.yaml:4:5: error: ha nodes lists 1 node: a pair needs at least 2", errors, StringComparison.Ordinal);
    }

    [Fact]
    public void APenaltyNoLargerThanThePriorityGap_IsRefused()
    {
        // With 60 and priorities 150/100 a down service still moves the address; 40 would not.
        var errors = Errors(Pair + "\n  health: {penalty: 40}");

        Assert.Contains("pair.yaml:16:21: error: ha health penalty 40 must be larger than the largest difference of the nodes' priorities (50)", errors, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("sync: {threshold: 50, period: 50}", "ha sync threshold 50 must be below period 50")]
    [InlineData("sync: {group: 198.18.0.1}", "ha sync group '198.18.0.1' is not a multicast address")]
    [InlineData("sync: {refresh-period: 1500ms}", "ha sync refresh-period must be whole seconds")]
    [InlineData("advert-interval: 15ms", "ha advert-interval must be a multiple of 10ms")]
    [InlineData("advert-interval: 300s", "ha advert-interval 5m is out of range")]
    [InlineData("preempt-delay: 2000s", "ha preempt-delay 33m20s is out of range: 0 to 1000s")]
    [InlineData("health: {min-healthy: 0%}", "ha health min-healthy '0%' must be a percentage above 0%")]
    [InlineData("health: {min-healthy: 0}", "ha health min-healthy '0' must be a number of real servers (1 or more)")]
    [InlineData("virtual-addresses: []", "ha virtual-addresses is empty")]
    public void BadValues_AreRefused(string line, string expected)
    {
        Assert.Contains(expected, Errors(Pair + "\n  " + line), StringComparison.Ordinal);
    }

    [Fact]
    public void WithoutTheHaReader_TheSectionIsAnUnknownKey()
    {
        var result = IpvsConfigReader.Parse(Pair, "pair.yaml");

        Assert.False(result.Succeeded);
        Assert.Contains("unknown key 'ha'", result.Diagnostics[0].Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, 1, 0, 2, true)]
    [InlineData(null, 1, 1, 2, false)]
    [InlineData(null, 2, 1, 2, true)]
    [InlineData(null, 3, 2, 2, false)] // a minimum above the count asks for all of them
    [InlineData(0.5, 1, 1, 4, true)]
    [InlineData(0.5, 1, 2, 4, false)]
    [InlineData(null, 1, 0, 0, false)] // a service without real servers is not counted
    public void IsDown_FollowsTheMinimum(double? fraction, int count, int healthy, int total, bool down)
    {
        var health = new HaHealthConfig { MinHealthyCount = count, MinHealthyFraction = fraction };

        Assert.Equal(down, health.IsDown(healthy, total));
    }
}
