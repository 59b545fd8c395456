using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Ipvs.Model;

namespace Ipvs.State;

/// <summary>
/// Writes a configuration in the declarative schema, as YAML or JSON, in the form
/// <see cref="IpvsConfigReader"/> reads back to the same configuration. Defaults are left out and
/// real servers with default settings use the compact form (<c>192.0.2.10:8080</c>).
/// </summary>
public static class IpvsConfigWriter
{
    /// <summary>The services sorted as ipvsadm lists them (address services before firewall marks; family, protocol, address, port), each with its real servers sorted by address and port.</summary>
    public static IpvsConfig Sorted(IpvsConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return config with
        {
            Services =
            [
                .. config.Services
                    .Order(Comparer<VirtualServiceConfig>.Create((a, b) => IpvsOrder.Compare(a.Key, b.Key)))
                    .Select(s => s with { RealServers = [.. s.RealServers.Order(Comparer<RealServerConfig>.Create((a, b) => IpvsOrder.Compare(a.Server, b.Server)))] }),
            ],
        };
    }

    /// <summary>The configuration as YAML text.</summary>
    public static string ToYaml(IpvsConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var builder = new StringBuilder(64 + (config.Services.Count * 160));
        using var writer = new StringWriter(builder, CultureInfo.InvariantCulture);
        WriteYaml(writer, config);
        return builder.ToString();
    }

    /// <summary>Writes the configuration as YAML.</summary>
    public static void WriteYaml(TextWriter writer, IpvsConfig config)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(config);
        writer.Write("# IPVS state in the declarative schema of 'ipvs apply' (docs/config.md)\n");
        writer.Write("version: ");
        writer.Write(IpvsConfig.CurrentVersion.ToString(CultureInfo.InvariantCulture));
        writer.Write('\n');
        if (config.Services.Count == 0)
        {
            writer.Write("services: []\n");
            return;
        }

        writer.Write("services:\n");
        foreach (var entry in config.Services)
        {
            var service = entry.Service;
            writer.Write("  - service: ");
            writer.Write(YamlScalar(service.Key.ToString()));
            writer.Write("\n    scheduler: ");
            writer.Write(YamlScalar(service.Scheduler));
            writer.Write('\n');
            var flags = IpvsNames.FormatSchedulerFlags(service.Scheduler, service.Flags);
            if (flags.Count > 0)
            {
                writer.Write("    flags: [");
                writer.Write(string.Join(", ", flags));
                writer.Write("]\n");
            }

            if (service.IsPersistent)
            {
                writer.Write("    persistent: ");
                writer.Write(((long)service.Timeout.TotalSeconds).ToString(CultureInfo.InvariantCulture));
                writer.Write('\n');
            }

            if (!service.Netmask.IsFull)
            {
                writer.Write("    netmask: ");
                writer.Write(service.Netmask.ToString());
                writer.Write('\n');
            }

            if (!string.IsNullOrEmpty(service.PersistenceEngine))
            {
                writer.Write("    pe: ");
                writer.Write(YamlScalar(service.PersistenceEngine));
                writer.Write('\n');
            }

            if ((service.Flags & ServiceFlags.OnePacket) != 0)
            {
                writer.Write("    one-packet: true\n");
            }

            if (entry.RealServers.Count == 0)
            {
                writer.Write("    servers: []\n");
                continue;
            }

            writer.Write("    servers:\n");
            foreach (var realServer in entry.RealServers)
            {
                var server = realServer.Server;
                if (IsCompact(server))
                {
                    writer.Write("      - ");
                    writer.Write(YamlScalar(server.Endpoint));
                    writer.Write('\n');
                    continue;
                }

                writer.Write("      - server: ");
                writer.Write(YamlScalar(server.Endpoint));
                writer.Write('\n');
                if (server.ForwardingMethod != ForwardingMethod.Masquerade)
                {
                    writer.Write("        forward: ");
                    writer.Write(IpvsNames.ConfigName(server.ForwardingMethod));
                    writer.Write('\n');
                }

                if (server.Weight != 1)
                {
                    writer.Write("        weight: ");
                    writer.Write(server.Weight.ToString(CultureInfo.InvariantCulture));
                    writer.Write('\n');
                }

                if (server.UpperThreshold != 0)
                {
                    writer.Write("        upper-threshold: ");
                    writer.Write(server.UpperThreshold.ToString(CultureInfo.InvariantCulture));
                    writer.Write('\n');
                }

                if (server.LowerThreshold != 0)
                {
                    writer.Write("        lower-threshold: ");
                    writer.Write(server.LowerThreshold.ToString(CultureInfo.InvariantCulture));
                    writer.Write('\n');
                }

                if (HasTunnelSettings(server))
                {
                    writer.Write("        tunnel: {type: ");
                    writer.Write(IpvsNames.ConfigName(server.TunnelType));
                    if (server.TunnelType == TunnelType.Gue)
                    {
                        writer.Write(", port: ");
                        writer.Write(server.TunnelPort.ToString(CultureInfo.InvariantCulture));
                    }

                    if (server.TunnelFlags != TunnelFlags.NoChecksum)
                    {
                        writer.Write(", checksum: ");
                        writer.Write(IpvsNames.ConfigName(server.TunnelFlags));
                    }

                    writer.Write("}\n");
                }
            }
        }
    }

    /// <summary>The configuration as indented JSON text.</summary>
    public static string ToJson(IpvsConfig config)
    {
        using var stream = new MemoryStream();
        WriteJson(stream, config);
        return Encoding.UTF8.GetString(stream.GetBuffer(), 0, (int)stream.Length);
    }

    /// <summary>Writes the configuration as indented JSON (UTF-8).</summary>
    public static void WriteJson(Stream stream, IpvsConfig config)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(config);
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteNumber("version", IpvsConfig.CurrentVersion);
        json.WriteStartArray("services");
        foreach (var entry in config.Services)
        {
            var service = entry.Service;
            json.WriteStartObject();
            json.WriteString("service", service.Key.ToString());
            json.WriteString("scheduler", service.Scheduler);
            var flags = IpvsNames.FormatSchedulerFlags(service.Scheduler, service.Flags);
            if (flags.Count > 0)
            {
                json.WriteStartArray("flags");
                foreach (var flag in flags)
                {
                    json.WriteStringValue(flag);
                }

                json.WriteEndArray();
            }

            if (service.IsPersistent)
            {
                json.WriteNumber("persistent", (long)service.Timeout.TotalSeconds);
            }

            if (!service.Netmask.IsFull)
            {
                if (service.Family == AddressFamily.InterNetworkV6)
                {
                    json.WriteNumber("netmask", service.Netmask.PrefixLength!.Value);
                }
                else
                {
                    json.WriteString("netmask", service.Netmask.ToString());
                }
            }

            if (!string.IsNullOrEmpty(service.PersistenceEngine))
            {
                json.WriteString("pe", service.PersistenceEngine);
            }

            if ((service.Flags & ServiceFlags.OnePacket) != 0)
            {
                json.WriteBoolean("one-packet", true);
            }

            json.WriteStartArray("servers");
            foreach (var realServer in entry.RealServers)
            {
                var server = realServer.Server;
                if (IsCompact(server))
                {
                    json.WriteStringValue(server.Endpoint);
                    continue;
                }

                json.WriteStartObject();
                json.WriteString("server", server.Endpoint);
                if (server.ForwardingMethod != ForwardingMethod.Masquerade)
                {
                    json.WriteString("forward", IpvsNames.ConfigName(server.ForwardingMethod));
                }

                if (server.Weight != 1)
                {
                    json.WriteNumber("weight", server.Weight);
                }

                if (server.UpperThreshold != 0)
                {
                    json.WriteNumber("upper-threshold", server.UpperThreshold);
                }

                if (server.LowerThreshold != 0)
                {
                    json.WriteNumber("lower-threshold", server.LowerThreshold);
                }

                if (HasTunnelSettings(server))
                {
                    json.WriteStartObject("tunnel");
                    json.WriteString("type", IpvsNames.ConfigName(server.TunnelType));
                    if (server.TunnelType == TunnelType.Gue)
                    {
                        json.WriteNumber("port", server.TunnelPort);
                    }

                    if (server.TunnelFlags != TunnelFlags.NoChecksum)
                    {
                        json.WriteString("checksum", IpvsNames.ConfigName(server.TunnelFlags));
                    }

                    json.WriteEndObject();
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
        json.Flush();
        stream.WriteByte((byte)'\n');
    }

    private static bool IsCompact(RealServer server) =>
        server.ForwardingMethod == ForwardingMethod.Masquerade && server.Weight == 1 && server.UpperThreshold == 0
        && server.LowerThreshold == 0 && !HasTunnelSettings(server);

    private static bool HasTunnelSettings(RealServer server) =>
        server.ForwardingMethod == ForwardingMethod.Tunnel
        && (server.TunnelType != TunnelType.Ipip || server.TunnelPort != 0 || server.TunnelFlags != TunnelFlags.NoChecksum);

    // Plain when unambiguous, double-quoted otherwise ("[2001:db8::1]:80" would be a YAML list).
    private static string YamlScalar(string value)
    {
        var plain = value.Length > 0
            && value[0] is not ('-' or ':' or '?' or '.')
            && value is not ("true" or "false" or "null" or "~" or "yes" or "no" or "on" or "off" or "y" or "n")
            && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '/' or ':' or '_' or '-')
            && !value.EndsWith(':');
        if (plain)
        {
            return value;
        }

        var builder = new StringBuilder(value.Length + 2).Append('"');
        foreach (var c in value)
        {
            _ = c switch
            {
                '"' => builder.Append("\\\""),
                '\\' => builder.Append("\\\\"),
                < ' ' => builder.Append("\\x").Append(((int)c).ToString("x2", CultureInfo.InvariantCulture)),
                _ => builder.Append(c),
            };
        }

        return builder.Append('"').ToString();
    }
}
