using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Ipvs.Cli.Docs;
using Ipvs.Cli.Output;
using Ipvs.Model;
using YamlDotNet.RepresentationModel;

namespace Ipvs.Tests.Cli.Output;

/// <summary>The JSON/YAML schema is a contract with scripts: these tests pin it.</summary>
public sealed class SchemaTests
{
    [Fact]
    public void ServiceList_Json_IsPinned()
    {
        const string Expected = """
            {
              "services": [
                {
                  "service": "tcp/198.51.100.1:80",
                  "family": "ipv4",
                  "protocol": "tcp",
                  "address": "198.51.100.1",
                  "port": 80,
                  "fwmark": null,
                  "scheduler": "rr",
                  "scheduler_flags": [],
                  "one_packet": false,
                  "persistent": true,
                  "timeout": 300,
                  "netmask": "255.255.255.0",
                  "prefix_length": 24,
                  "persistence_engine": null,
                  "stats": null,
                  "servers": [
                    {
                      "service": "tcp/198.51.100.1:80",
                      "server": "192.0.2.10:8080",
                      "address": "192.0.2.10",
                      "port": 8080,
                      "family": "ipv4",
                      "forward": "masq",
                      "weight": 3,
                      "upper_threshold": 0,
                      "lower_threshold": 0,
                      "tunnel": null,
                      "active_connections": 2,
                      "inactive_connections": 5,
                      "persistent_connections": 1,
                      "stats": null
                    }
                  ]
                }
              ]
            }
            """;

        Assert.Equal(Expected, OutputWriter.Json(SchemaSamples.ServiceList, CliJsonContext.Default.ServiceListView));
    }

    [Fact]
    public void ServiceList_Yaml_IsPinned()
    {
        const string Expected = """
            services:
              - service: tcp/198.51.100.1:80
                family: ipv4
                protocol: tcp
                address: 198.51.100.1
                port: 80
                fwmark: null
                scheduler: rr
                scheduler_flags: []
                one_packet: false
                persistent: true
                timeout: 300
                netmask: 255.255.255.0
                prefix_length: 24
                persistence_engine: null
                stats: null
                servers:
                  - service: tcp/198.51.100.1:80
                    server: "192.0.2.10:8080"
                    address: 192.0.2.10
                    port: 8080
                    family: ipv4
                    forward: masq
                    weight: 3
                    upper_threshold: 0
                    lower_threshold: 0
                    tunnel: null
                    active_connections: 2
                    inactive_connections: 5
                    persistent_connections: 1
                    stats: null

            """;

        Assert.Equal(Expected, OutputWriter.Yaml(SchemaSamples.ServiceList, CliJsonContext.Default.ServiceListView));
    }

    [Fact]
    public void EveryFieldTheSerializerWrites_IsDocumented_AndNothingElse()
    {
        foreach (var type in SchemaDocs.Types)
        {
            var info = CliJsonContext.Default.GetTypeInfo(type);
            Assert.NotNull(info);
            var written = WrittenFields(type, info).Order(StringComparer.Ordinal).ToArray();
            Assert.Equal(written, SchemaDocs.DescribedFields(type).Order(StringComparer.Ordinal).ToArray());
            Assert.All(written, name => Assert.Matches("^[a-z0-9]+(_[a-z0-9]+)*$", name));
        }
    }

    // What the serializer writes: the properties, or for a converter's object, what it wrote.
    private static IEnumerable<string> WrittenFields(Type type, JsonTypeInfo info)
    {
        if (type != typeof(StatsView))
        {
            return info.Properties.Select(p => p.Name);
        }

        using var json = JsonDocument.Parse(OutputWriter.Json(new StatsView(new IpvsStatistics()), CliJsonContext.Default.StatsView));
        return [.. json.RootElement.EnumerateObject().Select(p => p.Name)];
    }

    [Fact]
    public void EveryObjectReachableFromACommand_IsDocumented()
    {
        var reachable = new HashSet<Type>();
        var pending = new Stack<Type>(SchemaDocs.Commands.Select(c => c.Type));
        while (pending.TryPop(out var type))
        {
            if (!reachable.Add(type))
            {
                continue;
            }

            foreach (var property in CliJsonContext.Default.GetTypeInfo(type)!.Properties)
            {
                var propertyType = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
                if (propertyType.IsGenericType)
                {
                    propertyType = propertyType.GetGenericArguments()[0];
                }

                if (propertyType.Name.EndsWith("View", StringComparison.Ordinal))
                {
                    pending.Push(propertyType);
                }
            }
        }

        Assert.Equal(reachable.OrderBy(t => t.Name), SchemaDocs.Types.OrderBy(t => t.Name));
    }

    public static TheoryData<string> TrickyStrings() =>
    [
        "yes", "no", "on", "off", "true", "null", "~", "1.0", "1e3", "0x1f", "1_000", "12:30", "::1", "[2001:db8::1]:53",
        "udp/[2001:db8::1]:53", "", " lead", "a: b", "# c", "-x", "a\"b", "tab\there", "line\nbreak", "ffff:ffff:ffff:ffff::", "fe80::1%eth0",
    ];

    [Theory]
    [MemberData(nameof(TrickyStrings))]
    public void Yaml_ReadsBackEveryStringAsTheSameString(string text)
    {
        var view = new ServiceStringView(text);

        var yaml = OutputWriter.Yaml(view, CliJsonContext.Default.ServiceStringView);

        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        var node = (YamlScalarNode)((YamlMappingNode)stream.Documents[0].RootNode).Children[new YamlScalarNode("service")];
        Assert.Equal(text, node.Value);
        // A quoted scalar cannot be resolved to another type; a plain one must be a plain word.
        Assert.True(node.Style is YamlDotNet.Core.ScalarStyle.DoubleQuoted || System.Text.RegularExpressions.Regex.IsMatch(text, "^[A-Za-z][A-Za-z0-9._/:\\[\\]-]*$"), yaml);
    }

    [Fact]
    public void Yaml_HasTheJsonsStructure()
    {
        var view = new ServiceListView(
        [
            SchemaSamples.ServiceList.Services[0] with
            {
                Service = "fwmark6/42",
                Family = "ipv6",
                Protocol = null,
                Address = null,
                Port = null,
                Fwmark = 42,
                SchedulerFlags = ["mh-fallback", "mh-port"],
                Netmask = "ffff:ffff:ffff:ffff::",
                PrefixLength = 64,
                Stats = new StatsView(IpvsStatistics.FromValues([1, 2, 3, ulong.MaxValue, 5, 6, 7, 8, 9, 10], is64Bit: true)),
                Servers = [SchemaSamples.ServiceList.Services[0].Servers[0] with { Tunnel = new TunnelView("gue", 6080, "csum") }],
            },
        ]);

        AssertSameTree(view, CliJsonContext.Default.ServiceListView);
    }

    private static void AssertSameTree<T>(T view, JsonTypeInfo<T> info)
    {
        using var json = JsonDocument.Parse(OutputWriter.Json(view, info));
        var yaml = new YamlStream();
        yaml.Load(new StringReader(OutputWriter.Yaml(view, info)));
        AssertSame(json.RootElement, yaml.Documents[0].RootNode, "$");
    }

    private static void AssertSame(JsonElement json, YamlNode yaml, string path)
    {
        switch (json.ValueKind)
        {
            case JsonValueKind.Object:
                var mapping = Assert.IsType<YamlMappingNode>(yaml);
                Assert.Equal(json.EnumerateObject().Select(p => p.Name), mapping.Children.Keys.Select(k => ((YamlScalarNode)k).Value!));
                foreach (var property in json.EnumerateObject())
                {
                    AssertSame(property.Value, mapping.Children[new YamlScalarNode(property.Name)], path + "." + property.Name);
                }

                break;
            case JsonValueKind.Array:
                var sequence = yaml as YamlSequenceNode;
                if (json.GetArrayLength() == 0)
                {
                    Assert.True(sequence is { Children.Count: 0 }, path);
                    break;
                }

                Assert.NotNull(sequence);
                Assert.Equal(json.GetArrayLength(), sequence.Children.Count);
                for (var i = 0; i < sequence.Children.Count; i++)
                {
                    AssertSame(json[i], sequence.Children[i], $"{path}[{i}]");
                }

                break;
            default:
                var scalar = Assert.IsType<YamlScalarNode>(yaml);
                var expected = json.ValueKind switch
                {
                    JsonValueKind.String => json.GetString(),
                    JsonValueKind.Null => "null",
                    JsonValueKind.True => "true",
                    JsonValueKind.False => "false",
                    _ => json.GetRawText(),
                };
                Assert.True(expected == scalar.Value, $"{path}: {expected} != {scalar.Value}");
                var quoted = scalar.Style == YamlDotNet.Core.ScalarStyle.DoubleQuoted;
                Assert.True(json.ValueKind == JsonValueKind.String || !quoted, $"{path} is not a string but quoted");
                break;
        }
    }
}
