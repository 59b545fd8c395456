using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Ipvs.Model;
using Ipvs.State;
using Ipvs.Testing;

namespace Ipvs.Tests.State;

public sealed partial class IpvsConfigReaderTests
{
    [Fact]
    public void DocsFullExample_Yaml_ParsesWithoutDiagnostics()
    {
        var result = IpvsConfigReader.Parse(DocsBlock("yaml"), "services.yaml");

        Assert.Empty(result.Diagnostics);
        var config = result.Config!;
        Assert.Equal(6, config.Services.Count);

        var web = config.Services[0];
        Assert.Equal(VirtualServiceKey.Parse("tcp/198.51.100.1:80"), web.Key);
        Assert.Equal("wrr", web.Service.Scheduler);
        Assert.Equal(3, web.RealServers.Count);
        Assert.Equal(new RealServer(IPAddress.Parse("192.0.2.10"), 8080), web.RealServers[0].Server);
        Assert.Equal(3, web.RealServers[1].Server.Weight);
        Assert.Equal(1000u, web.RealServers[2].Server.UpperThreshold);
        Assert.Equal(800u, web.RealServers[2].Server.LowerThreshold);
        Assert.Equal(new SourceLocation("services.yaml", 5, 5), web.Location);
        Assert.Equal(new SourceLocation("services.yaml", 9, 9), web.RealServers[1].Location);

        var tls = config.Services[1];
        Assert.Equal(VirtualServiceKey.Parse("tcp/198.51.100.1:443"), tls.Key);
        Assert.Equal(ServiceFlags.Persistent | ServiceFlags.ShFallback | ServiceFlags.ShPort, tls.Service.Flags);
        Assert.Equal(TimeSpan.FromSeconds(600), tls.Service.Timeout);
        Assert.Equal(PersistenceNetmask.FromIPv4Mask(0xFFFFFF00u), tls.Service.Netmask);
        Assert.All(tls.RealServers, s => Assert.Equal(ForwardingMethod.DirectRoute, s.Server.ForwardingMethod));
        Assert.All(tls.RealServers, s => Assert.Equal(443, s.Server.Port));

        var dns = config.Services[2];
        Assert.Equal(AddressFamily.InterNetworkV6, dns.Key.Family);
        Assert.Equal(ServiceFlags.OnePacket, dns.Service.Flags);
        Assert.Equal(PersistenceNetmask.FromPrefixLength(System.Net.Sockets.AddressFamily.InterNetworkV6, 128), dns.Service.Netmask);
        Assert.Equal(IPAddress.Parse("2001:db8:1::54"), dns.RealServers[1].Server.Address);

        var sip = config.Services[3];
        Assert.Equal(VirtualServiceKey.ForFirewallMark(7), sip.Key);
        Assert.Equal(VirtualService.DefaultPersistenceTimeout, sip.Service.Timeout);
        Assert.Equal("sip", sip.Service.PersistenceEngine);
        Assert.Equal(5060, sip.RealServers[0].Server.Port);

        var tunnels = config.Services[4];
        Assert.Equal(ServiceFlags.MhPort, tunnels.Service.Flags);
        Assert.Equal(TunnelType.Ipip, tunnels.RealServers[0].Server.TunnelType);
        var gue = tunnels.RealServers[1].Server;
        Assert.Equal((TunnelType.Gue, (ushort)6080, TunnelFlags.Checksum), (gue.TunnelType, gue.TunnelPort, gue.TunnelFlags));
        var gre = tunnels.RealServers[2].Server;
        Assert.Equal(AddressFamily.InterNetworkV6, gre.Family);
        Assert.Equal((ForwardingMethod.Tunnel, TunnelType.Gre, (ushort)80), (gre.ForwardingMethod, gre.TunnelType, gre.Port));

        var all = config.Services[5];
        Assert.Equal(0, all.Key.Port);
        Assert.Equal(TimeSpan.FromSeconds(3600), all.Service.Timeout);
    }

    [Fact]
    public void DocsJsonExample_ParsesAndMatchesTheYamlServices()
    {
        var json = IpvsConfigReader.Parse(DocsBlock("json"), "services.json");
        var yaml = IpvsConfigReader.Parse(DocsBlock("yaml"), "services.yaml");

        Assert.Empty(json.Diagnostics);
        Assert.Equal(2, json.Config!.Services.Count);
        Assert.Equal(yaml.Config!.Services[0].Service, json.Config.Services[0].Service);
        Assert.Equal(yaml.Config.Services[0].RealServers[1].Server, json.Config.Services[0].RealServers[1].Server);
        Assert.Equal(yaml.Config.Services[3].Service, json.Config.Services[1].Service);
        Assert.Equal(new SourceLocation("services.json", 9, 9), json.Config.Services[0].RealServers[1].Location);
    }

    [Fact]
    public void ManyErrors_AreAllReported_WithFileLineAndColumn()
    {
        const string text = """
            services:
              - service: tcp/198.51.100.1:80
                scheduler: rrr
                servers:
                  - 192.0.2.11:70000
                  - server: 192.0.2.12:80
                    weigth: 3
                  - "[2001:db8::5]:8080"
              - service: tcp/198.51.100.1:80
              - service: udp/198.51.100.2:53
                persistent: 0
            """;

        var result = IpvsConfigReader.Parse(text, "x.yaml");

        Assert.Null(result.Config);
        Assert.Equal(
        [
            "x.yaml:3:16: error: unknown scheduler 'rrr' (did you mean 'rr'?); known: rr wrr lc wlc lblc lblcr dh sh sed nq fo ovf mh twos none",
            "x.yaml:5:9: error: real server '192.0.2.11:70000': port '70000' is out of range: expected 0 to 65535",
            "x.yaml:7:9: error: unknown key 'weigth' in a real server (did you mean 'weight'?)",
            "x.yaml:8:9: error: IPv6 server [2001:db8::5]:8080 in IPv4 service tcp/198.51.100.1:80 uses masq forwarding; a server of another address family needs 'forward: tunnel'",
            "x.yaml:9:5: error: duplicate service tcp/198.51.100.1:80 (first at line 2, column 5)",
            "x.yaml:11:17: error: persistent timeout 0 is out of range: expected whole seconds from 1 to 2678400 (31 days), true for 360, or false",
        ],
            result.Diagnostics.Select(d => d.ToString()));
    }

    [Theory]
    [InlineData("- service: tcp/198.51.100.1:0", "port 0 (every port), which needs persistence")]
    [InlineData("- service: tcp/198.51.100.1:80\n  one-packet: true", "one-packet scheduling is only for UDP and firewall-mark services")]
    [InlineData("- service: tcp/198.51.100.1:80\n  scheduler: rr\n  flags: [sh-port]", "the flag 'sh-port' is for the sh scheduler, not rr")]
    [InlineData("- service: tcp/198.51.100.1:80\n  flags: sh-fallback,bogus\n  scheduler: sh", "unknown scheduler flag 'bogus'")]
    [InlineData("- service: tcp/[2001:db8::1]:80\n  persistent: true\n  netmask: 129", "netmask /129 is out of range for ipv6: expected 1 to 128")]
    [InlineData("- service: tcp/198.51.100.1:80\n  persistent: true\n  netmask: 255.255.x.0", "netmask '255.255.x.0' is not a mask")]
    [InlineData("- service: tcp/198.51.100.1:80\n  persistent: 32d", "persistent timeout 32d is out of range")]
    [InlineData("- service: tcp/198.51.100.1:80\n  pe: http", "unknown persistence engine 'http'")]
    [InlineData("- service: icmp/198.51.100.1:80", "not a service protocol")]
    [InlineData("- service: fwmark/0", "not a firewall mark")]
    [InlineData("- fwmark: 5\n  port: 80", "a firewall-mark service has no port")]
    [InlineData("- protocol: tcp\n  address: 198.51.100.1", "missing 'port'")]
    [InlineData("- service: tcp/198.51.100.1:80\n  address: 198.51.100.1", "not both")]
    [InlineData("- service: tcp/198.51.100.1:80\n  servers: [192.0.2.1:80, 192.0.2.1:80]", "duplicate real server 192.0.2.1:80")]
    [InlineData("- service: tcp/198.51.100.1:80\n  servers:\n    - {server: 192.0.2.1:81, forward: route}", "packets reach the real server on the service's port 80")]
    [InlineData("- service: tcp/198.51.100.1:80\n  servers:\n    - {server: 192.0.2.1, forward: tunnel, tunnel: {type: gue}}", "a GUE tunnel needs its UDP port")]
    [InlineData("- service: tcp/198.51.100.1:80\n  servers:\n    - {server: 192.0.2.1, tunnel: gre}", "tunnel options need 'forward: tunnel'")]
    [InlineData("- service: tcp/198.51.100.1:80\n  servers:\n    - {server: 192.0.2.1, forward: tunnel, tunnel: {type: gre, checksum: remcsum}}", "remcsum is only for GUE")]
    [InlineData("- service: tcp/198.51.100.1:80\n  servers:\n    - {server: 192.0.2.1, forward: tunnel, tunnel: {type: ipip, port: 5}}", "a tunnel port is only for GUE tunnels")]
    [InlineData("- service: tcp/198.51.100.1:80\n  servers:\n    - {server: 192.0.2.1, upper-threshold: 5, lower-threshold: 6}", "lower-threshold 6 is above upper-threshold 5")]
    [InlineData("- service: tcp/198.51.100.1:80\n  servers:\n    - {server: 192.0.2.1, weight: -1}", "weight '-1' is not a number")]
    [InlineData("- service: tcp/198.51.100.1:80\n  servers:\n    - {server: 192.0.2.1, forward: nat44}", "unknown forwarding method 'nat44'")]
    [InlineData("- service: tcp/198.51.100.1:80\n  servers: [224.0.0.9]", "real server address 224.0.0.9 is not unicast")]
    [InlineData("- service: tcp/198.51.100.1:80\n  servers: [0.0.0.0]", "real server address 0.0.0.0 is not unicast")]
    [InlineData("- service: tcp/[2001:db8::1]:80\n  servers: ['[ff02::1]:80']", "is not unicast")]
    [InlineData("- service: tcp/198.51.100.1:80\n  servers: [192.0.2]", "'192.0.2' is not an IPv4 or IPv6 address")]
    [InlineData("- service: tcp/198.51.100.1:80\n  servers:\n    - [2001:db8::1]:80", "must be quoted in YAML")]
    [InlineData("- service: tcp/198.51.100.1:80\n  servers:\n    - [2001:db8::1]", "quote an IPv6 server")]
    [InlineData("- service: tcp/198.51.100.1:80\n  one-packet: yes", "one-packet must be true or false, not 'yes'")]
    public void InvalidService_IsRefused_WithAClearMessage(string services, string expected)
    {
        var text = "services:\n" + string.Join('\n', services.Split('\n').Select(l => "  " + l)) + "\n";

        var result = IpvsConfigReader.Parse(text, "x.yaml");

        Assert.Null(result.Config);
        Assert.Contains(result.Diagnostics, d => d.Severity == ConfigSeverity.Error && d.Message.Contains(expected, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("", "the file is empty")]
    [InlineData("# only a comment\n", "the file is empty")]
    [InlineData("services: {}", "'services' must be a list")]
    [InlineData("service: []", "unknown key 'service' in the top level (did you mean 'services'?)")]
    [InlineData("version: 2\nservices: []", "version 2 is not supported")]
    [InlineData("services: []\n---\nservices: []", "more than one YAML document")]
    [InlineData("services: [\n", "YAML syntax")]
    [InlineData("services: []\nservices: []", "duplicate key 'services' (first at line 1, column 1)")]
    [InlineData("- a", "the file must be a mapping")]
    public void InvalidDocument_IsRefused(string text, string expected)
    {
        var result = IpvsConfigReader.Parse(text, "x.yaml");

        Assert.Null(result.Config);
        Assert.Contains(result.Diagnostics, d => d.Message.Contains(expected, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("x.yaml")]
    [InlineData("x.json")]
    public void MutatedFiles_AreReportedWithAPosition_NeverThrown(string fileName)
    {
        // Random edits with YAML's and JSON's significant characters: every result is either a
        // configuration or errors that name a line, whatever the parsers underneath do.
        var source = fileName.EndsWith(".json", StringComparison.Ordinal)
            ? "{\n  \"version\": 1,\n  \"services\": [\n    {\"service\": \"tcp/198.18.0.1:80\", \"scheduler\": \"rr\", \"servers\": [\"198.19.0.1:8080\", {\"server\": \"198.19.0.2:8080\", \"weight\": 2}]},\n    \"udp/198.18.0.2:53\"\n  ]\n}\n"
            : "version: 1\nservices:\n  - service: tcp/198.18.0.1:80\n    scheduler: sh\n    flags: [sh-port]\n    persistent: 300\n    servers:\n      - 198.19.0.1:8080\n      - {server: 198.19.0.2:8080, weight: 3}\n  - udp/198.18.0.2:53\n  - service: tcp/[2001:db8::1]:80\n    servers: [\"[2001:db8::2]:80\"]\n  - &a {service: fwmark/7, servers: ['198.19.0.3:80']}\n";
        const string Alphabet = "[]{}:,-'\"#&*!|>?% \n\t\\@`.0a/<";
        var random = new Random(11);
        var refused = 0;
        for (var i = 0; i < 20_000; i++)
        {
            var text = new System.Text.StringBuilder(source);
            for (var edits = random.Next(1, 3); edits > 0; edits--)
            {
                var at = random.Next(text.Length);
                switch (random.Next(3))
                {
                    case 0:
                        text.Insert(at, Alphabet[random.Next(Alphabet.Length)]);
                        break;
                    case 1:
                        text.Remove(at, 1);
                        break;
                    default:
                        text[at] = Alphabet[random.Next(Alphabet.Length)];
                        break;
                }
            }

            var result = IpvsConfigReader.Parse(text.ToString(), fileName);
            if (!result.Succeeded)
            {
                refused++;
                Assert.Contains(result.Diagnostics, d => d.Severity == ConfigSeverity.Error && d.Location.Line >= 1);
            }
        }

        Assert.InRange(refused, 1_000, 19_900); // the edits do break files, and not all of them
    }

    [Theory]
    [InlineData("services:\n  - service: tcp/198.18.0.1:80\n    flags: [sh-port\n  - tcp/198.18.0.2:80\n", "x.yaml:3:12: error: YAML syntax: this '[' is not closed before the lines that follow it")]
    [InlineData("services:\n  - service: tcp/198.18.0.1:80\n    scheduler: rr\n    servers: {a: 1 # a comment ]\n    persistent: 60\n    servers:\n      - 198.19.0.1:8080\n", "x.yaml:4:14: error: YAML syntax: this '{' is not closed before the lines that follow it")]
    [InlineData("- [\"x]\", b\n- c\n", "x.yaml:1:3: error: YAML syntax: this '[' is not closed before the lines that follow it")]
    [InlineData("- [b]\n- {c: [d\n- e\n", "x.yaml:2:7: error: YAML syntax: this '[' is not closed before the lines that follow it")]
    public void UnclosedFlowCollection_BeforeABlockItem_IsASyntaxError_NotACrash(string text, string expected)
    {
        // YamlDotNet's scanner throws InvalidOperationException on these; the reader names the bracket.
        var result = IpvsConfigReader.Parse(text, "x.yaml");

        Assert.Null(result.Config);
        Assert.Equal(expected, Assert.Single(result.Diagnostics).ToString());
    }

    [Theory]
    [InlineData("{\"services\": [ {\"service\": \"tcp/198.51.100.1:80\", \"scheduler\": \"rrr\"} ]}", "x.json:1:64: error: unknown scheduler 'rrr'")]
    [InlineData("{\n  \"services\": [\n    {\"service\": \"tcp/198.51.100.1:80\", \"weight\": 1}\n  ]\n}", "x.json:3:40: error: unknown key 'weight' in a service")]
    [InlineData("{\"services\": [}", "x.json:1:15: error: JSON syntax")]
    [InlineData("{\"services\": [], \"services\": []}", "x.json:1:18: error: duplicate key 'services'")]
    public void Json_ErrorsHaveLineAndColumn(string text, string expected)
    {
        var result = IpvsConfigReader.Parse(text, "x.json");

        Assert.Null(result.Config);
        Assert.Contains(result.Diagnostics, d => d.ToString().StartsWith(expected, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(5, false)]
    [InlineData(40, false)]
    [InlineData(5, true)]
    [InlineData(40, true)]
    public void DuplicateServers_AndKeys_AreFound_InShortAndLongLists(int count, bool flow)
    {
        // Short lists are searched, long ones indexed: both must name the first occurrence.
        var servers = Enumerable.Range(1, count).Select(i => $"198.18.1.{i}:80").Append("198.18.1.3:80").ToList();
        var keys = string.Join(", ", Enumerable.Range(1, count).Select(i => $"k{i}: {i}").Append("k2: again"));
        var text = flow
            ? "services:\n  - service: tcp/198.51.100.1:80\n    servers: [" + string.Join(", ", servers) + "]\n"
            : "services:\n  - service: tcp/198.51.100.1:80\n    servers:\n" + string.Concat(servers.Select(s => "      - " + s + "\n"));
        var keysText = flow ? "services:\n  - {" + keys + "}\n" : "services:\n  - " + string.Join("\n    ", keys.Split(", ")) + "\n";

        var duplicateServer = Assert.Single(IpvsConfigReader.Parse(text, "x.yaml").Diagnostics);
        var duplicateKey = Assert.Single(IpvsConfigReader.Parse(keysText, "x.yaml").Diagnostics);

        if (flow)
        {
            Assert.Equal($"x.yaml:3:{Column(text, 3, servers.Count - 1)}: error: duplicate real server 198.18.1.3:80 in tcp/198.51.100.1:80 (first at line 3, column {Column(text, 3, 2)})", duplicateServer.ToString());
            Assert.Equal($"x.yaml:2:{keysText.IndexOf("k2: again", StringComparison.Ordinal) - 9}: error: duplicate key 'k2' (first at line 2, column {keysText.IndexOf("k2: 2", StringComparison.Ordinal) - 9})", duplicateKey.ToString());
        }
        else
        {
            Assert.Equal($"x.yaml:{4 + count}:9: error: duplicate real server 198.18.1.3:80 in tcp/198.51.100.1:80 (first at line 6, column 9)", duplicateServer.ToString());
            Assert.Equal($"x.yaml:{2 + count}:5: error: duplicate key 'k2' (first at line 3, column 5)", duplicateKey.ToString());
        }

        // The column (1-based) of the n-th (0-based) server on a line of the form "    servers: [a, b, ...]".
        static int Column(string text, int line, int n)
        {
            var content = text.Split('\n')[line - 1];
            var position = content.IndexOf('[', StringComparison.Ordinal) + 1;
            for (var i = 0; i < n; i++)
            {
                position = content.IndexOf(", ", position, StringComparison.Ordinal) + 2;
            }

            return position + 1;
        }
    }

    [Fact]
    public void Json_WithoutExtension_IsDetectedByItsBrace()
    {
        var result = IpvsConfigReader.Parse("  {\"services\": [\"tcp/198.51.100.1:80\"], }", "-");

        Assert.True(result.Succeeded, string.Join('\n', result.Diagnostics));
        Assert.Single(result.Config!.Services);
    }

    [Fact]
    public void Yaml_AnchorsAliasesAndMergeKeys_AreResolved()
    {
        const string text = """
            x-defaults: &web
              scheduler: wrr
              persistent: 60
            services:
              - <<: *web
                service: tcp/198.51.100.1:80
              - <<: *web
                service: tcp/198.51.100.2:80
                scheduler: rr
            """;

        var result = IpvsConfigReader.Parse(text, "x.yaml", new IpvsConfigReaderOptions
        {
            TopLevelSections = new Dictionary<string, TopLevelSectionReader> { ["x-defaults"] = (_, _) => null },
        });

        Assert.True(result.Succeeded, string.Join('\n', result.Diagnostics));
        Assert.Equal("wrr", result.Config!.Services[0].Service.Scheduler);
        Assert.Equal(TimeSpan.FromSeconds(60), result.Config.Services[0].Service.Timeout);
        Assert.Equal("rr", result.Config.Services[1].Service.Scheduler);
        Assert.Equal(TimeSpan.FromSeconds(60), result.Config.Services[1].Service.Timeout);
    }

    [Fact]
    public void CompactForms_AndDefaults()
    {
        const string text = """
            services:
              - tcp/198.51.100.9:80
              - service: fwmark6/3
                servers: [2001:db8::7, "[2001:db8::8]:9"]
              - service: udp/198.51.100.1:53
                persistent: 1h30m
                netmask: /24
                servers: [192.0.2.1]
            """;

        var config = IpvsConfigReader.Parse(text, "x.yaml").GetConfigOrThrow();

        Assert.Equal(new VirtualService(VirtualServiceKey.Parse("tcp/198.51.100.9:80")), config.Services[0].Service);
        Assert.Empty(config.Services[0].RealServers);
        Assert.Equal(AddressFamily.InterNetworkV6, config.Services[1].Key.Family);
        Assert.Equal(new RealServer(IPAddress.Parse("2001:db8::7"), 0), config.Services[1].RealServers[0].Server);
        Assert.Equal(9, config.Services[1].RealServers[1].Server.Port);
        Assert.Equal(TimeSpan.FromSeconds(5400), config.Services[2].Service.Timeout);
        Assert.Equal(PersistenceNetmask.FromIPv4Mask(0xFFFFFF00u), config.Services[2].Service.Netmask);
        Assert.Equal(53, config.Services[2].RealServers[0].Server.Port);
    }

    [Fact]
    public void Warnings_DoNotRefuseTheFile()
    {
        var result = IpvsConfigReader.Parse("services:\n  - service: tcp/198.51.100.1:80\n    netmask: 24\n", "x.yaml");

        Assert.True(result.Succeeded);
        var warning = Assert.Single(result.Diagnostics);
        Assert.Equal(ConfigSeverity.Warning, warning.Severity);
        Assert.Contains("netmask has no effect without persistence", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void HealthSection_IsKeptAsANode_WithoutAReader()
    {
        var config = IpvsConfigReader.Parse("services:\n  - service: tcp/198.51.100.1:80\n    health: {http: /healthz}\n", "x.yaml").GetConfigOrThrow();

        Assert.True(config.Services[0].Extensions.TryGet(new ConfigSectionKey<ConfigMapping>("health"), out var node));
        Assert.Equal("/healthz", ((ConfigScalar)node["http"]!).Value);
    }

    [Fact]
    public void ServiceSectionReader_GetsTheServiceAndReportsIntoTheSameDiagnostics()
    {
        VirtualService? seen = null;
        var options = new IpvsConfigReaderOptions
        {
            ServiceSections = new Dictionary<string, ServiceSectionReader>
            {
                ["health"] = context =>
                {
                    seen = context.Service;
                    var mapping = (ConfigMapping)context.Node;
                    ConfigValues.CheckKeys(mapping, ["interval"], context.Diagnostics, "a health check");
                    return ConfigValues.TryReadDuration(mapping["interval"]!, "interval", context.Diagnostics, out var interval) ? interval : null;
                },
            },
        };

        var good = IpvsConfigReader.Parse("services:\n  - service: tcp/198.51.100.1:80\n    health: {interval: 5s}\n", "x.yaml", options).GetConfigOrThrow();
        var bad = IpvsConfigReader.Parse("services:\n  - service: tcp/198.51.100.1:80\n    scheduler: nope\n    health: {interval: 5x, path: /}\n", "x.yaml", options);

        Assert.True(good.Services[0].Extensions.TryGet(new ConfigSectionKey<TimeSpan>("health"), out var interval));
        Assert.Equal(TimeSpan.FromSeconds(5), interval);
        Assert.Equal(VirtualServiceKey.Parse("tcp/198.51.100.1:80"), seen?.Key);
        var lines = bad.Diagnostics.Select(d => d.ToString()).ToList();
        Assert.Equal(3, lines.Count);
        Assert.StartsWith("x.yaml:3:16: error: unknown scheduler 'nope'", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("x.yaml:4:24: error: interval '5x' is not a duration", lines[1], StringComparison.Ordinal);
        Assert.StartsWith("x.yaml:4:28: error: unknown key 'path' in a health check", lines[2], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("30", 30_000)]
    [InlineData("250ms", 250)]
    [InlineData("1m30s", 90_000)]
    [InlineData("2h", 7_200_000)]
    [InlineData("1.5s", 1_500)]
    public void Durations_Parse(string text, int milliseconds)
    {
        Assert.True(ConfigValues.TryParseDuration(text, out var value, out var error), error);
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("5x")]
    [InlineData("m")]
    [InlineData("1m30")]
    public void Durations_Invalid_AreRefused(string text) => Assert.False(ConfigValues.TryParseDuration(text, out _, out _));

    private static string DocsBlock(string language)
    {
        var markdown = File.ReadAllText(Path.Combine(TestPaths.Root, "docs", "config.md"));
        var match = Regex.Match(markdown, "```" + language + "\n(.*?)```", RegexOptions.Singleline);
        Assert.True(match.Success, $"docs/config.md has no {language} block");
        return match.Groups[1].Value;
    }
}
