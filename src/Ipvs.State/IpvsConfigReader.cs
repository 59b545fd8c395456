using System.Collections.Frozen;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Ipvs.Model;

namespace Ipvs.State;

/// <summary>The outcome of reading a configuration file: the configuration, or the errors that refuse it, with any warnings.</summary>
/// <param name="Config">The configuration; null when there was at least one error.</param>
/// <param name="Diagnostics">Every error and warning, sorted by position.</param>
public sealed record IpvsConfigReadResult(IpvsConfig? Config, IReadOnlyList<ConfigDiagnostic> Diagnostics)
{
    /// <summary>True when the file was accepted.</summary>
    public bool Succeeded => Config is not null;

    /// <summary>The configuration, or an <see cref="IpvsConfigException"/> listing every error.</summary>
    public IpvsConfig GetConfigOrThrow() => Config ?? throw new IpvsConfigException(Diagnostics);
}

/// <summary>
/// Reads the declarative schema (<c>docs/config.md</c>) from YAML or JSON and validates all of it
/// before anything can touch the kernel: every error is reported, with file, line and column.
/// </summary>
public static class IpvsConfigReader
{
    /// <summary>The name standard input is given in messages.</summary>
    public const string StandardInputName = "-";

    /// <summary>Reads a file (or standard input for <c>-</c>).</summary>
    public static IpvsConfigReadResult ReadFile(string path, IpvsConfigReaderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        byte[] bytes;
        try
        {
            if (path == StandardInputName)
            {
                using var input = Console.OpenStandardInput();
                using var buffer = new MemoryStream();
                input.CopyTo(buffer);
                bytes = buffer.ToArray();
            }
            else
            {
                bytes = File.ReadAllBytes(path);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new IpvsConfigReadResult(null, [new ConfigDiagnostic(new SourceLocation(path, 1, 1), ConfigSeverity.Error, "cannot read the file: " + Errno.Describe(e))]);
        }

        return Parse(bytes, path, options);
    }

    /// <summary>Parses text; <paramref name="fileName"/> names it in messages and, with <see cref="IpvsConfigFormat.Auto"/>, its extension picks the format.</summary>
    public static IpvsConfigReadResult Parse(string text, string fileName, IpvsConfigReaderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Parse(Encoding.UTF8.GetBytes(text), fileName, options);
    }

    /// <summary>Parses UTF-8 bytes (see <see cref="Parse(string, string, IpvsConfigReaderOptions?)"/>).</summary>
    public static IpvsConfigReadResult Parse(byte[] utf8, string fileName, IpvsConfigReaderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(utf8);
        ArgumentNullException.ThrowIfNull(fileName);
        options ??= IpvsConfigReaderOptions.Default;
        var diagnostics = new ConfigDiagnostics();
        ConfigNode? root;
        if (IsJson(utf8, fileName, options.Format))
        {
            root = JsonDocumentReader.Read(utf8, fileName, diagnostics);
        }
        else
        {
            var text = Encoding.UTF8.GetString(utf8);
            if (!FastYamlReader.TryRead(text, fileName, diagnostics, out root))
            {
                root = YamlDocumentReader.Read(text, fileName, diagnostics);
            }
        }
        IpvsConfig? config = null;
        if (!diagnostics.HasErrors)
        {
            config = new SchemaReader(diagnostics, options).ReadRoot(root, fileName);
        }

        return new IpvsConfigReadResult(diagnostics.HasErrors ? null : config, diagnostics.Sorted());
    }

    // Internal: IncrementalConfigReader must pick the format by exactly the same rules.
    internal static bool IsJson(ReadOnlySpan<byte> utf8, string fileName, IpvsConfigFormat format)
    {
        if (format != IpvsConfigFormat.Auto)
        {
            return format == IpvsConfigFormat.Json;
        }

        var extension = Path.GetExtension(fileName);
        if (extension.Equals(".json", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        if (extension.Equals(".yaml", StringComparison.OrdinalIgnoreCase) || extension.Equals(".yml", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        foreach (var b in utf8)
        {
            if (b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n' or 0xEF or 0xBB or 0xBF)
            {
                continue;
            }

            return b == (byte)'{';
        }

        return false;
    }

    /// <summary>Reads the schema out of the node tree, collecting every problem.</summary>
    private sealed class SchemaReader(ConfigDiagnostics diagnostics, IpvsConfigReaderOptions options)
    {
        private const uint MaxPersistenceTimeout = 31 * 86400;

        private static readonly string[] s_topKeys = ["version", "services"];
        private static readonly string[] s_serviceKeys = ["service", "protocol", "address", "port", "fwmark", "family", "scheduler", "flags", "persistent", "netmask", "pe", "one-packet", "servers"];
        private static readonly string[] s_serverKeys = ["server", "address", "port", "forward", "weight", "upper-threshold", "lower-threshold", "tunnel"];
        private static readonly string[] s_tunnelKeys = ["type", "port", "checksum"];

        // Files may say "none", as the kernel reports a service without a scheduler.
        private static readonly string[] s_schedulers = [.. IpvsNames.Schedulers, "none"];
        private static readonly string[] s_schedulerFlagNames = [.. IpvsNames.SchedulerFlags.Select(f => f.Name)];

        private readonly ConfigDiagnostics _diagnostics = diagnostics;
        private readonly IpvsConfigReaderOptions _options = options;
        private readonly string[] _knownServiceKeys =
            [.. s_serviceKeys, .. options.ServiceSections.Keys.Concat(IpvsConfigReaderOptions.ReservedServiceSections).Distinct(StringComparer.Ordinal)];

        public IpvsConfig? ReadRoot(ConfigNode? root, string fileName)
        {
            if (root is null || root is ConfigScalar { IsNull: true })
            {
                _diagnostics.Error(root?.Location ?? new SourceLocation(fileName, 1, 1), "the file is empty; write 'services: []' to mean no virtual services at all");
                return null;
            }

            if (root is not ConfigMapping mapping)
            {
                _diagnostics.Error(root, $"the file must be a mapping with a 'services' list, not {root.KindName}");
                return null;
            }

            ConfigValues.CheckKeys(mapping, [.. s_topKeys, .. _options.TopLevelSections.Keys], _diagnostics, "the top level");
            if (mapping.TryGetValue("version", out var versionNode)
                && ConfigValues.TryReadUInt32(versionNode, "version", 1, uint.MaxValue, _diagnostics, out var version)
                && version != IpvsConfig.CurrentVersion)
            {
                _diagnostics.Error(versionNode, $"version {version} is not supported: this ipvs reads version {IpvsConfig.CurrentVersion}");
            }

            var services = new List<VirtualServiceConfig>();
            if (!mapping.TryGetValue("services", out var servicesNode))
            {
                _diagnostics.Error(mapping, "missing 'services' (a list of virtual services; 'services: []' means none)");
            }
            else if (servicesNode is ConfigSequence sequence)
            {
                var seen = new Dictionary<VirtualServiceKey, SourceLocation>();
                var items = sequence.Items;
                for (var i = 0; i < items.Count; i++)
                {
                    var item = items[i];
                    var service = ReadService(item);
                    if (service is null)
                    {
                        continue;
                    }

                    if (seen.TryGetValue(service.Key, out var first))
                    {
                        _diagnostics.Error(item, $"duplicate service {service.Key} (first at {first.ToShortString()})");
                        continue;
                    }

                    seen.Add(service.Key, item.Location);
                    services.Add(service);
                }
            }
            else if (servicesNode is not ConfigScalar { IsNull: true })
            {
                _diagnostics.Error(servicesNode, $"'services' must be a list, not {servicesNode.KindName}");
            }

            var extensions = new Dictionary<string, object>(StringComparer.Ordinal);
            foreach (var (key, reader) in _options.TopLevelSections)
            {
                if (mapping.TryGetValue(key, out var node) && reader(node, _diagnostics) is { } value)
                {
                    extensions[key] = value;
                }
            }

            return new IpvsConfig(services)
            {
                Source = fileName,
                Extensions = ConfigExtensions.From(extensions),
            };
        }

        private VirtualServiceConfig? ReadService(ConfigNode node)
        {
            if (node is ConfigScalar { IsNull: false } compact)
            {
                // "- tcp/198.51.100.1:80": a service with default settings and no real servers.
                var key = ParseKey(compact);
                return key is null ? null : Finish(new VirtualService(key), compact, null, [], node.Location);
            }

            if (node is not ConfigMapping mapping)
            {
                _diagnostics.Error(node, $"a service must be a mapping (service: tcp/ADDRESS:PORT, scheduler: ..., servers: [...]), not {node.KindName}");
                return null;
            }

            ConfigValues.CheckKeys(mapping, _knownServiceKeys, _diagnostics, "a service");
            var serviceKey = ReadServiceKey(mapping);
            var family = serviceKey?.Family;

            var scheduler = VirtualService.DefaultScheduler;
            if (mapping.TryGetValue("scheduler", out var schedulerNode) && ConfigValues.TryReadString(schedulerNode, "scheduler", _diagnostics, out var schedulerName))
            {
                if (s_schedulers.Contains(schedulerName))
                {
                    scheduler = schedulerName;
                }
                else
                {
                    var suggestion = ConfigValues.Suggest(schedulerName, s_schedulers);
                    _diagnostics.Error(schedulerNode, $"unknown scheduler '{schedulerName}'" + (suggestion is null ? string.Empty : $" (did you mean '{suggestion}'?)") + "; known: " + string.Join(' ', s_schedulers));
                }
            }

            var flags = ServiceFlags.None;
            if (mapping.TryGetValue("flags", out var flagsNode))
            {
                flags |= ReadSchedulerFlags(flagsNode, scheduler);
            }

            uint timeout = 0;
            if (mapping.TryGetValue("persistent", out var persistentNode))
            {
                timeout = ReadPersistence(persistentNode);
                if (timeout > 0)
                {
                    flags |= ServiceFlags.Persistent;
                }
            }

            var persistent = (flags & ServiceFlags.Persistent) != 0;
            PersistenceNetmask? netmask = null;
            if (mapping.TryGetValue("netmask", out var netmaskNode) && family is { } f)
            {
                netmask = ReadNetmask(netmaskNode, f);
                if (netmask is { } mask && !persistent && !mask.IsFull)
                {
                    _diagnostics.Warning(netmaskNode, "netmask has no effect without persistence (persistent: ...)");
                }
            }

            string? engine = null;
            if (mapping.TryGetValue("pe", out var peNode) && ConfigValues.TryReadString(peNode, "pe", _diagnostics, out var peName))
            {
                if (IpvsNames.PersistenceEngines.Contains(peName))
                {
                    engine = peName;
                    if (!persistent)
                    {
                        _diagnostics.Warning(peNode, $"the persistence engine '{peName}' has no effect without persistence (persistent: ...)");
                    }
                }
                else
                {
                    _diagnostics.Error(peNode, $"unknown persistence engine '{peName}'; known: " + string.Join(' ', IpvsNames.PersistenceEngines));
                }
            }

            if (mapping.TryGetValue("one-packet", out var onePacketNode) && ConfigValues.TryReadBoolean(onePacketNode, "one-packet", _diagnostics, out var onePacket) && onePacket)
            {
                flags |= ServiceFlags.OnePacket;
                if (serviceKey is { IsFirewallMark: false, Protocol: not IpvsProtocol.Udp })
                {
                    _diagnostics.Error(onePacketNode, $"one-packet scheduling is only for UDP and firewall-mark services, not {serviceKey}");
                }
            }

            if (serviceKey is { IsFirewallMark: false, Port: 0 } && !persistent)
            {
                _diagnostics.Error(mapping, $"service {serviceKey} has port 0 (every port), which needs persistence: add 'persistent: true' (or a timeout)");
            }

            VirtualService? service = null;
            if (serviceKey is not null)
            {
                service = new VirtualService(serviceKey)
                {
                    Scheduler = scheduler,
                    Flags = flags,
                    Timeout = persistent ? TimeSpan.FromSeconds(timeout) : TimeSpan.Zero,
                    Netmask = netmask ?? PersistenceNetmask.Full(serviceKey.Family),
                    PersistenceEngine = engine,
                };
            }

            var servers = new List<RealServerConfig>();
            if (mapping.TryGetValue("servers", out var serversNode))
            {
                ReadServers(serversNode, service, servers);
            }

            return Finish(service, mapping, mapping, servers, node.Location);
        }

        private VirtualServiceConfig? Finish(VirtualService? service, ConfigNode node, ConfigMapping? mapping, List<RealServerConfig> servers, SourceLocation location)
        {
            Dictionary<string, object>? extensions = null;
            if (mapping is not null)
            {
                foreach (var entry in mapping.Entries)
                {
                    var key = entry.Key.Value;
                    if (_options.ServiceSections.TryGetValue(key, out var reader))
                    {
                        var context = new ServiceSectionContext(key, entry.Value, mapping, service, servers, _diagnostics);
                        if (reader(context) is { } value)
                        {
                            (extensions ??= new(StringComparer.Ordinal))[key] = value;
                        }
                    }
                    else if (IpvsConfigReaderOptions.ReservedServiceSections.Contains(key))
                    {
                        (extensions ??= new(StringComparer.Ordinal))[key] = entry.Value;
                    }
                }
            }

            _ = node;
            return service is null
                ? null
                : new VirtualServiceConfig(service, servers)
                {
                    Location = location,
                    Extensions = ConfigExtensions.From(extensions),
                };
        }

        private VirtualServiceKey? ParseKey(ConfigScalar scalar)
        {
            if (VirtualServiceKey.TryParse(scalar.Value, out var key, out var error))
            {
                return key;
            }

            _diagnostics.Error(scalar, "service " + error);
            return null;
        }

        private VirtualServiceKey? ReadServiceKey(ConfigMapping mapping)
        {
            var hasCompact = mapping.TryGetValue("service", out var compactNode);
            var hasMark = mapping.TryGetValue("fwmark", out var markNode);
            var hasFamily = mapping.TryGetValue("family", out var familyNode);
            var parts = hasCompact && !hasMark && !hasFamily && mapping.Entries.Count <= 8
                && !mapping.TryGetValue("protocol", out _) && !mapping.TryGetValue("address", out _) && !mapping.TryGetValue("port", out _)
                ? []
                : new[] { "protocol", "address", "port" }.Where(k => mapping.TryGetValue(k, out _)).ToList();
            if (hasCompact)
            {
                if (hasMark || parts.Count > 0 || hasFamily)
                {
                    _diagnostics.Error(mapping, "give the service either as 'service: tcp/ADDRESS:PORT' (or fwmark/MARK) or with protocol, address and port (or fwmark and family), not both");
                    return null;
                }

                if (compactNode is ConfigScalar { IsNull: false } scalar)
                {
                    return ParseKey(scalar);
                }

                _diagnostics.Error(compactNode!, $"service must be written tcp/ADDRESS:PORT, udp/..., sctp/..., fwmark/MARK or fwmark6/MARK, not {compactNode!.KindName}");
                return null;
            }

            if (hasMark)
            {
                if (parts.Count > 0)
                {
                    _diagnostics.Error(mapping, $"a firewall-mark service has no {string.Join(", ", parts)}: the mark identifies it");
                    return null;
                }

                var family = AddressFamily.InterNetwork;
                if (hasFamily)
                {
                    family = ReadFamily(familyNode!) ?? family;
                }

                return ConfigValues.TryReadUInt32(markNode!, "fwmark", 1, uint.MaxValue, _diagnostics, out var mark)
                    ? VirtualServiceKey.ForFirewallMark(mark, family)
                    : null;
            }

            if (parts.Count == 0)
            {
                _diagnostics.Error(mapping, "a service needs 'service: tcp/ADDRESS:PORT' (or udp/, sctp/, fwmark/MARK), or protocol, address and port, or fwmark");
                return null;
            }

            if (hasFamily)
            {
                _diagnostics.Error(familyNode!, "family is only for firewall-mark services; the address gives the family of the others");
            }

            var ok = true;
            foreach (var missing in new[] { "protocol", "address", "port" }.Except(parts))
            {
                _diagnostics.Error(mapping, $"missing '{missing}' (or write the service as 'service: tcp/ADDRESS:PORT')");
                ok = false;
            }

            IpvsProtocol protocol = IpvsProtocol.None;
            if (mapping.TryGetValue("protocol", out var protocolNode) && ConfigValues.TryReadString(protocolNode, "protocol", _diagnostics, out var protocolName))
            {
                protocol = IpvsNames.ParseProtocol(protocolName.ToLowerInvariant());
                if (protocol == IpvsProtocol.None)
                {
                    _diagnostics.Error(protocolNode, $"unknown protocol '{protocolName}': expected tcp, udp or sctp (or use fwmark)");
                    ok = false;
                }
            }
            else
            {
                ok = false;
            }

            IPAddress? address = null;
            if (mapping.TryGetValue("address", out var addressNode))
            {
                address = ReadAddress(addressNode, "address");
                ok &= address is not null;
            }

            uint port = 0;
            if (mapping.TryGetValue("port", out var portNode))
            {
                ok &= ConfigValues.TryReadUInt32(portNode, "port", 0, 65535, _diagnostics, out port);
            }

            return ok ? VirtualServiceKey.Create(protocol, address!, (ushort)port) : null;
        }

        private AddressFamily? ReadFamily(ConfigNode node)
        {
            if (!ConfigValues.TryReadString(node, "family", _diagnostics, out var text))
            {
                return null;
            }

            switch (text.ToLowerInvariant())
            {
                case "ipv4" or "inet" or "4":
                    return AddressFamily.InterNetwork;
                case "ipv6" or "inet6" or "6":
                    return AddressFamily.InterNetworkV6;
                default:
                    _diagnostics.Error(node, $"unknown family '{text}': expected ipv4 or ipv6");
                    return null;
            }
        }

        private IPAddress? ReadAddress(ConfigNode node, string what)
        {
            if (!ConfigValues.TryReadString(node, what, _diagnostics, out var text))
            {
                return null;
            }

            var host = text.StartsWith('[') && text.EndsWith(']') ? text[1..^1] : text;
            if (IPAddress.TryParse(host, out var address)
                && (address.AddressFamily == AddressFamily.InterNetworkV6 || (address.AddressFamily == AddressFamily.InterNetwork && host.AsSpan().Count('.') == 3)))
            {
                return address;
            }

            _diagnostics.Error(node, $"{what} '{text}' is not an IPv4 or IPv6 address");
            return null;
        }

        private ServiceFlags ReadSchedulerFlags(ConfigNode node, string scheduler)
        {
            IEnumerable<(ConfigNode Node, string Name)> names = node switch
            {
                ConfigSequence sequence => sequence.Items.Select(i => (i, i is ConfigScalar s ? s.Value : string.Empty)),
                ConfigScalar { IsNull: true } => [],
                ConfigScalar scalar => scalar.Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(n => ((ConfigNode)scalar, n)),
                _ => [(node, string.Empty)],
            };
            var flags = ServiceFlags.None;
            foreach (var (itemNode, name) in names)
            {
                if (IpvsNames.FindSchedulerFlag(name) is not { } flag)
                {
                    var suggestion = ConfigValues.Suggest(name, s_schedulerFlagNames);
                    var shown = name.Length > 0 ? name : ConfigValues.Describe(itemNode);
                    _diagnostics.Error(itemNode, $"unknown scheduler flag '{shown}'" + (suggestion is null ? string.Empty : $" (did you mean '{suggestion}'?)") + "; known: " + string.Join(' ', s_schedulerFlagNames));
                    continue;
                }

                if (flag.Scheduler is { } owner && owner != scheduler)
                {
                    _diagnostics.Error(itemNode, $"the flag '{name}' is for the {owner} scheduler, not {scheduler}");
                    continue;
                }

                flags |= flag.Flag;
            }

            return flags;
        }

        private uint ReadPersistence(ConfigNode node)
        {
            if (node is ConfigScalar { IsQuoted: false, Value: "true" or "True" or "TRUE" })
            {
                return (uint)VirtualService.DefaultPersistenceTimeout.TotalSeconds;
            }

            if (node is ConfigScalar { IsQuoted: false, Value: "false" or "False" or "FALSE" } || node is ConfigScalar { IsNull: true })
            {
                return 0;
            }

            if (!ConfigValues.TryReadDuration(node, "persistent", _diagnostics, out var duration))
            {
                return 0;
            }

            var seconds = duration.TotalSeconds;
            if (seconds < 1 || seconds > MaxPersistenceTimeout || seconds != Math.Floor(seconds))
            {
                _diagnostics.Error(node, $"persistent timeout {ConfigValues.Describe(node)} is out of range: expected whole seconds from 1 to {MaxPersistenceTimeout} (31 days), true for {(long)VirtualService.DefaultPersistenceTimeout.TotalSeconds}, or false");
                return 0;
            }

            return (uint)seconds;
        }

        private PersistenceNetmask? ReadNetmask(ConfigNode node, AddressFamily family)
        {
            if (node is not ConfigScalar { IsNull: false } scalar)
            {
                _diagnostics.Error(node, $"netmask must be a value, not {node.KindName}");
                return null;
            }

            var text = scalar.Value.Trim();
            var prefixText = text.StartsWith('/') ? text[1..] : text;
            if (int.TryParse(prefixText, NumberStyles.None, CultureInfo.InvariantCulture, out var prefix))
            {
                var (min, max) = family == AddressFamily.InterNetworkV6 ? (1, 128) : (0, 32);
                if (prefix < min || prefix > max)
                {
                    _diagnostics.Error(node, $"netmask /{prefix} is out of range for {IpvsNames.Name(family)}: expected {min} to {max}");
                    return null;
                }

                return PersistenceNetmask.FromPrefixLength(family, prefix);
            }

            if (family == AddressFamily.InterNetwork && IPAddress.TryParse(text, out var mask) && mask.AddressFamily == AddressFamily.InterNetwork && text.AsSpan().Count('.') == 3)
            {
                return PersistenceNetmask.FromIPv4Mask(mask);
            }

            _diagnostics.Error(node, family == AddressFamily.InterNetworkV6
                ? $"netmask '{text}' is not a prefix length: an IPv6 service takes 1 to 128"
                : $"netmask '{text}' is not a mask: write 255.255.255.0 or a prefix length such as 24");
            return null;
        }

        private void ReadServers(ConfigNode node, VirtualService? service, List<RealServerConfig> servers)
        {
            if (node is ConfigScalar { IsNull: true })
            {
                return;
            }

            if (node is not ConfigSequence sequence)
            {
                _diagnostics.Error(node, $"'servers' must be a list, not {node.KindName}");
                return;
            }

            // Duplicates are looked for among the servers kept so far: by a linear search while
            // they are few (a dictionary per service cost more than the rest of its reading),
            // through an index beyond.
            Dictionary<(IPAddress, ushort), SourceLocation>? index = null;
            var items = sequence.Items;
            for (var i = 0; i < items.Count; i++)
            {
                var item = items[i];
                var server = ReadServer(item, service);
                if (server is null)
                {
                    continue;
                }

                if (FindServer(servers, ref index, server.Server) is { } first)
                {
                    _diagnostics.Error(item, $"duplicate real server {server.Server.Endpoint}" + (service is null ? string.Empty : $" in {service.Key}") + $" (first at {first.ToShortString()})");
                    continue;
                }

                servers.Add(server);
                index?.Add((server.Server.Address, server.Server.Port), item.Location);
            }
        }

        // Where the server at that address and port was written, if it is among those kept.
        private static SourceLocation? FindServer(List<RealServerConfig> servers, ref Dictionary<(IPAddress, ushort), SourceLocation>? index, RealServer server)
        {
            if (index is null && servers.Count > 32)
            {
                index = new Dictionary<(IPAddress, ushort), SourceLocation>(servers.Count * 2);
                foreach (var kept in servers)
                {
                    index.Add((kept.Server.Address, kept.Server.Port), kept.Location!.Value);
                }
            }

            if (index is not null)
            {
                return index.TryGetValue((server.Address, server.Port), out var location) ? location : null;
            }

            foreach (var kept in servers)
            {
                if (kept.Server.Port == server.Port && kept.Server.Address.Equals(server.Address))
                {
                    return kept.Location;
                }
            }

            return null;
        }

        private RealServerConfig? ReadServer(ConfigNode node, VirtualService? service)
        {
            var servicePort = service?.Key.Port ?? 0;
            IPAddress? address;
            ushort port;
            ConfigNode? portNode = null;
            ConfigMapping? mapping = null;
            switch (node)
            {
                case ConfigScalar { IsNull: false } compact:
                    if (!TryParseEndpoint(compact, servicePort, out address, out port, out var explicitPort))
                    {
                        return null;
                    }

                    portNode = explicitPort ? compact : null;
                    break;

                case ConfigMapping m:
                    mapping = m;
                    ConfigValues.CheckKeys(m, s_serverKeys, _diagnostics, "a real server");
                    if (m.TryGetValue("server", out var endpointNode))
                    {
                        if (m.TryGetValue("address", out _) || m.TryGetValue("port", out _))
                        {
                            _diagnostics.Error(m, "give the real server either as 'server: ADDRESS:PORT' or with address and port, not both");
                            return null;
                        }

                        if (endpointNode is not ConfigScalar { IsNull: false } endpoint)
                        {
                            _diagnostics.Error(endpointNode, $"server must be ADDRESS, ADDRESS:PORT or [IPV6]:PORT, not {endpointNode.KindName}");
                            return null;
                        }

                        if (!TryParseEndpoint(endpoint, servicePort, out address, out port, out var explicitPort2))
                        {
                            return null;
                        }

                        portNode = explicitPort2 ? endpoint : null;
                    }
                    else if (m.TryGetValue("address", out var addressNode))
                    {
                        address = ReadAddress(addressNode, "address");
                        port = servicePort;
                        if (m.TryGetValue("port", out var pn))
                        {
                            portNode = pn;
                            if (!ConfigValues.TryReadUInt32(pn, "port", 0, 65535, _diagnostics, out var p))
                            {
                                return null;
                            }

                            port = (ushort)p;
                        }

                        if (address is null)
                        {
                            return null;
                        }
                    }
                    else
                    {
                        _diagnostics.Error(m, "a real server needs 'server: ADDRESS:PORT' or 'address' (and 'port')");
                        return null;
                    }

                    break;

                case ConfigSequence:
                    _diagnostics.Error(node, "a real server must be ADDRESS:PORT or a mapping, not a list (in YAML, quote an IPv6 server: \"[2001:db8::1]:80\")");
                    return null;

                default:
                    _diagnostics.Error(node, $"a real server must be ADDRESS:PORT or a mapping, not {node.KindName}");
                    return null;
            }

            var server = new RealServer(address, port);
            var ok = true;
            if (mapping is not null)
            {
                ok = ReadServerSettings(mapping, ref server);
            }

            ok &= CheckServer(node, portNode, server, service);
            return ok ? new RealServerConfig(server) { Location = node.Location } : null;
        }

        private bool ReadServerSettings(ConfigMapping mapping, ref RealServer server)
        {
            var ok = true;
            if (mapping.TryGetValue("forward", out var forwardNode) && ConfigValues.TryReadString(forwardNode, "forward", _diagnostics, out var forwardName))
            {
                if (IpvsNames.ParseConfigForwarding(forwardName) is { } method)
                {
                    server = server with { ForwardingMethod = method };
                }
                else
                {
                    var suggestion = ConfigValues.Suggest(forwardName, IpvsNames.ConfigForwardingNames);
                    _diagnostics.Error(forwardNode, $"unknown forwarding method '{forwardName}'" + (suggestion is null ? string.Empty : $" (did you mean '{suggestion}'?)") + ": expected masq, route, tunnel or local");
                    ok = false;
                }
            }

            if (mapping.TryGetValue("weight", out var weightNode))
            {
                if (ConfigValues.TryReadUInt32(weightNode, "weight", 0, int.MaxValue, _diagnostics, out var weight))
                {
                    server = server with { Weight = (int)weight };
                }
                else
                {
                    ok = false;
                }
            }

            uint upper = 0, lower = 0;
            if (mapping.TryGetValue("upper-threshold", out var upperNode))
            {
                ok &= ConfigValues.TryReadUInt32(upperNode, "upper-threshold", 0, uint.MaxValue, _diagnostics, out upper);
            }

            if (mapping.TryGetValue("lower-threshold", out var lowerNode))
            {
                ok &= ConfigValues.TryReadUInt32(lowerNode, "lower-threshold", 0, uint.MaxValue, _diagnostics, out lower);
            }

            if (lower > upper)
            {
                _diagnostics.Error(lowerNode!, upper == 0
                    ? $"lower-threshold {lower} needs an upper-threshold at least as high: the kernel refuses a lower threshold above the upper one (0 = none)"
                    : $"lower-threshold {lower} is above upper-threshold {upper}; the kernel refuses that");
                ok = false;
            }

            server = server with { UpperThreshold = upper, LowerThreshold = lower };

            if (mapping.TryGetValue("tunnel", out var tunnelNode))
            {
                if (server.ForwardingMethod != ForwardingMethod.Tunnel)
                {
                    _diagnostics.Error(tunnelNode, $"tunnel options need 'forward: tunnel' (this server uses {IpvsNames.ConfigName(server.ForwardingMethod)})");
                    return false;
                }

                ok &= ReadTunnel(tunnelNode, ref server);
            }

            return ok;
        }

        private bool ReadTunnel(ConfigNode node, ref RealServer server)
        {
            ConfigNode? typeNode, portNode = null, checksumNode = null;
            if (node is ConfigScalar { IsNull: false } scalar)
            {
                typeNode = scalar;
            }
            else if (node is ConfigMapping mapping)
            {
                ConfigValues.CheckKeys(mapping, s_tunnelKeys, _diagnostics, "a tunnel");
                mapping.TryGetValue("type", out typeNode);
                mapping.TryGetValue("port", out portNode);
                mapping.TryGetValue("checksum", out checksumNode);
            }
            else
            {
                _diagnostics.Error(node, $"tunnel must be ipip, gre, or a mapping (type: gue, port: 6080, checksum: csum), not {node.KindName}");
                return false;
            }

            var type = TunnelType.Ipip;
            if (typeNode is not null && ConfigValues.TryReadString(typeNode, "tunnel type", _diagnostics, out var typeName))
            {
                if (IpvsNames.ParseTunnelType(typeName.ToLowerInvariant()) is { } parsed)
                {
                    type = parsed;
                }
                else
                {
                    _diagnostics.Error(typeNode, $"unknown tunnel type '{typeName}': expected ipip, gue or gre");
                    return false;
                }
            }

            var ok = true;
            uint port = 0;
            if (portNode is not null)
            {
                if (type != TunnelType.Gue)
                {
                    _diagnostics.Error(portNode, $"a tunnel port is only for GUE tunnels, not {IpvsNames.ConfigName(type)}");
                    ok = false;
                }
                else
                {
                    ok &= ConfigValues.TryReadUInt32(portNode, "tunnel port", 1, 65535, _diagnostics, out port);
                }
            }
            else if (type == TunnelType.Gue)
            {
                _diagnostics.Error(typeNode ?? node, "a GUE tunnel needs its UDP port (tunnel: {type: gue, port: 6080}); the kernel refuses port 0");
                ok = false;
            }

            var flags = TunnelFlags.NoChecksum;
            if (checksumNode is not null && ConfigValues.TryReadString(checksumNode, "tunnel checksum", _diagnostics, out var checksumName))
            {
                if (IpvsNames.ParseTunnelChecksum(checksumName.ToLowerInvariant()) is { } parsed)
                {
                    flags = parsed;
                }
                else
                {
                    _diagnostics.Error(checksumNode, $"unknown tunnel checksum '{checksumName}': expected nocsum, csum or remcsum");
                    return false;
                }

                if (type == TunnelType.Ipip && flags != TunnelFlags.NoChecksum)
                {
                    _diagnostics.Error(checksumNode, "an ipip tunnel has no checksum option");
                    ok = false;
                }
                else if (type == TunnelType.Gre && flags == TunnelFlags.RemoteChecksum)
                {
                    _diagnostics.Error(checksumNode, "remcsum is only for GUE tunnels; a GRE tunnel takes nocsum or csum");
                    ok = false;
                }
            }

            server = server with { TunnelType = type, TunnelPort = (ushort)port, TunnelFlags = flags };
            return ok;
        }

        private bool CheckServer(ConfigNode node, ConfigNode? portNode, RealServer server, VirtualService? service)
        {
            var ok = true;
            var address = server.Address;
            if (address.AddressFamily == AddressFamily.InterNetwork)
            {
                Span<byte> bytes = stackalloc byte[4];
                address.TryWriteBytes(bytes, out _);
                var first = bytes[0];
                if (address.Equals(IPAddress.Any) || address.Equals(IPAddress.Broadcast) || first is >= 224 and <= 239)
                {
                    _diagnostics.Error(node, $"real server address {address} is not unicast; the kernel refuses it");
                    ok = false;
                }
            }
            else if (address.Equals(IPAddress.IPv6None) || address.IsIPv6Multicast)
            {
                _diagnostics.Error(node, $"real server address {address} is not unicast; the kernel refuses it");
                ok = false;
            }
            else if (address.IsIPv6LinkLocal)
            {
                _diagnostics.Warning(node, $"real server address {address} is link-local: the kernel accepts it only when it is an address of this host");
            }

            if (service is null)
            {
                return ok;
            }

            if (server.Family != service.Family && server.ForwardingMethod != ForwardingMethod.Tunnel)
            {
                _diagnostics.Error(node, $"{FamilyName(server.Family)} server {server.Endpoint} in {FamilyName(service.Family)} service {service.Key} uses {IpvsNames.ConfigName(server.ForwardingMethod)} forwarding; a server of another address family needs 'forward: tunnel'");
                ok = false;
            }

            if (!service.Key.IsFirewallMark && server.Port != service.Key.Port
                && server.ForwardingMethod is ForwardingMethod.DirectRoute or ForwardingMethod.Tunnel)
            {
                _diagnostics.Error(portNode ?? node, $"with {IpvsNames.ConfigName(server.ForwardingMethod)} forwarding packets reach the real server on the service's port {service.Key.Port}: leave the port out or make it {service.Key.Port}, not {server.Port}");
                ok = false;
            }

            return ok;
        }

        private static string FamilyName(AddressFamily family) => family == AddressFamily.InterNetworkV6 ? "IPv6" : "IPv4";

        // ADDRESS, ADDRESS:PORT, [IPV6], [IPV6]:PORT, or a bare IPv6 address. No port: the service's.
        private bool TryParseEndpoint(ConfigScalar scalar, ushort defaultPort, out IPAddress address, out ushort port, out bool explicitPort)
        {
            var text = scalar.Value.AsSpan().Trim();
            address = IPAddress.None;
            port = defaultPort;
            explicitPort = false;
            ReadOnlySpan<char> host;
            ReadOnlySpan<char> portText = default;
            var hasPort = false;
            if (text.StartsWith('['))
            {
                var close = text.IndexOf(']');
                if (close < 0 || (close + 1 < text.Length && text[close + 1] != ':') || close + 2 == text.Length)
                {
                    _diagnostics.Error(scalar, $"real server '{text}' is not ADDRESS:PORT: an IPv6 server is written [ADDRESS]:PORT");
                    return false;
                }

                host = text[1..close];
                hasPort = close + 1 < text.Length;
                portText = hasPort ? text[(close + 2)..] : default;
            }
            else if (text.Count(':') == 1)
            {
                var colon = text.IndexOf(':');
                host = text[..colon];
                portText = text[(colon + 1)..];
                hasPort = true;
            }
            else
            {
                host = text;
            }

            if (!IPAddress.TryParse(host, out var parsed)
                || parsed.AddressFamily is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6)
                || (parsed.AddressFamily == AddressFamily.InterNetwork && host.Count('.') != 3))
            {
                _diagnostics.Error(scalar, $"real server '{text}' is not ADDRESS, ADDRESS:PORT or [IPV6]:PORT: '{host}' is not an IPv4 or IPv6 address");
                return false;
            }

            address = parsed;
            if (hasPort)
            {
                if (!ushort.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out port))
                {
                    _diagnostics.Error(scalar, $"real server '{text}': port '{portText}' is out of range: expected 0 to 65535");
                    return false;
                }

                explicitPort = true;
            }

            return true;
        }
    }
}
