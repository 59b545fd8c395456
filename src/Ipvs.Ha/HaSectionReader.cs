using System.Collections.Frozen;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Ipvs.State;

namespace Ipvs.Ha;

/// <summary>
/// Reads and validates the <c>ha</c> section of a declarative file (<c>docs/ha.md</c>). Every
/// problem is reported with its file position, before anything touches the kernel.
/// </summary>
public static class HaSectionReader
{
    /// <summary>The top-level key of the section.</summary>
    public const string Key = "ha";

    /// <summary>The section as it is stored in <see cref="IpvsConfig.Extensions"/>.</summary>
    public static ConfigSectionKey<HaConfig> Section { get; } = new(Key);

    private static readonly string[] s_keys =
        ["instance", "interface", "router-id", "advert-interval", "preempt", "preempt-delay", "rejoin-delay", "unicast", "nodes", "virtual-addresses", "sync", "health", "status-port"];

    private static readonly string[] s_nodeKeys = ["name", "address", "priority"];

    private static readonly string[] s_syncKeys =
        ["enabled", "interface", "id", "port", "ttl", "group", "max-length", "threshold", "period", "refresh-period"];

    private static readonly string[] s_healthKeys = ["min-healthy", "penalty"];

    /// <summary>Reader options that add the <c>ha</c> section to <paramref name="options"/>.</summary>
    public static IpvsConfigReaderOptions AddTo(IpvsConfigReaderOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var sections = new Dictionary<string, TopLevelSectionReader>(options.TopLevelSections, StringComparer.Ordinal) { [Key] = Read };
        return options with { TopLevelSections = sections.ToFrozenDictionary(StringComparer.Ordinal) };
    }

    /// <summary>
    /// Reads a file with its <c>ha</c> section and checks the section against the services (every
    /// virtual address must be a service's; by default they are the services' addresses).
    /// </summary>
    public static IpvsConfigReadResult ReadFile(string path, IpvsConfigReaderOptions? options = null) =>
        Complete(IpvsConfigReader.ReadFile(path, AddTo(options ?? IpvsConfigReaderOptions.Default)));

    /// <summary>As <see cref="ReadFile"/>, from text.</summary>
    public static IpvsConfigReadResult Parse(string text, string fileName, IpvsConfigReaderOptions? options = null) =>
        Complete(IpvsConfigReader.Parse(text, fileName, AddTo(options ?? IpvsConfigReaderOptions.Default)));

    /// <summary>The section of a configuration read with <see cref="AddTo"/>, or null.</summary>
    public static HaConfig? Of(IpvsConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return config.Extensions.Get(Section);
    }

    /// <summary>Checks the section against the services and fills in the default virtual addresses.</summary>
    public static IpvsConfigReadResult Complete(IpvsConfigReadResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (result.Config is not { } config || Of(config) is not { } ha)
        {
            return result;
        }

        var diagnostics = new ConfigDiagnostics();
        var serviceAddresses = config.Services.Where(s => s.Key.Address is not null).Select(s => s.Key.Address!).ToHashSet();
        if (ha.VirtualAddressesListed)
        {
            foreach (var vip in ha.VirtualAddresses)
            {
                if (!serviceAddresses.Contains(vip.Address))
                {
                    diagnostics.Error(vip.Location, $"virtual address {vip.Address} is none of the services' addresses"
                        + (serviceAddresses.Count == 0 ? " (the file has no service with an address)" : "; the services' addresses: " + string.Join(", ", serviceAddresses.Take(8))));
                }
            }
        }
        else
        {
            var seen = new HashSet<IPAddress>();
            var vips = new List<HaVirtualAddress>();
            foreach (var service in config.Services)
            {
                if (service.Key.Address is { } address && seen.Add(address))
                {
                    vips.Add(new HaVirtualAddress(address, address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128) { Location = service.Location ?? ha.Location });
                }
            }

            if (vips.Count == 0)
            {
                diagnostics.Error(ha.Location, "the ha section has no virtual address: list them under 'virtual-addresses' (the file has no service with an address)");
            }

            ha = ha with { VirtualAddresses = vips };
        }

        if (diagnostics.HasErrors)
        {
            return new IpvsConfigReadResult(null, [.. result.Diagnostics, .. diagnostics.Items]);
        }

        return result with { Config = config with { Extensions = config.Extensions.With(Section, ha) } };
    }

    /// <summary>Reads the section; null (with errors reported) when it is wrong.</summary>
    public static HaConfig? Read(ConfigNode node, ConfigDiagnostics diagnostics)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(diagnostics);
        if (node is not ConfigMapping mapping)
        {
            diagnostics.Error(node, $"ha must be a mapping (interface, router-id, nodes, …), not {node.KindName}");
            return null;
        }

        var errors = diagnostics.ErrorCount;
        ConfigValues.CheckKeys(mapping, s_keys, diagnostics, "the ha section");

        var instance = HaConfig.DefaultInstance;
        if (mapping.TryGetValue("instance", out var n) && ConfigValues.TryReadString(n, "ha instance", diagnostics, out var text))
        {
            if (text.Length > 64 || !text.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.'))
            {
                diagnostics.Error(n, $"ha instance '{text}' must be up to 64 letters, digits, '_', '-' or '.' (it names keepalived's vrrp_instance and the run files)");
            }
            else
            {
                instance = text;
            }
        }

        string? vrrpInterface = null;
        var interfaceLocation = mapping.Location;
        if (!mapping.TryGetValue("interface", out n))
        {
            diagnostics.Error(mapping, "the ha section needs 'interface': the interface VRRP and the virtual addresses use (eth0, …)");
        }
        else if (ReadInterfaceName(n, "ha interface", diagnostics) is { } name)
        {
            vrrpInterface = name;
            interfaceLocation = n.Location;
        }

        byte routerId = 0;
        if (!mapping.TryGetValue("router-id", out n))
        {
            diagnostics.Error(mapping, "the ha section needs 'router-id': VRRP's virtual_router_id, 1 to 255, the same on every node of the pair and unique on the network");
        }
        else if (ConfigValues.TryReadUInt32(n, "ha router-id", 1, 255, diagnostics, out var id))
        {
            routerId = (byte)id;
        }

        var advert = TimeSpan.FromSeconds(1);
        if (mapping.TryGetValue("advert-interval", out n) && ConfigValues.TryReadDuration(n, "ha advert-interval", diagnostics, out var duration))
        {
            if (duration < TimeSpan.FromMilliseconds(10) || duration > TimeSpan.FromSeconds(255))
            {
                diagnostics.Error(n, $"ha advert-interval {ConfigValues.FormatDuration(duration)} is out of range: 10ms to 255s");
            }
            else if (duration.Ticks % TimeSpan.FromMilliseconds(10).Ticks != 0)
            {
                diagnostics.Error(n, "ha advert-interval must be a multiple of 10ms (VRRPv3 counts centiseconds)");
            }
            else
            {
                advert = duration;
            }
        }

        var preempt = true;
        if (mapping.TryGetValue("preempt", out n) && ConfigValues.TryReadBoolean(n, "ha preempt", diagnostics, out var flag))
        {
            preempt = flag;
        }

        var preemptDelay = TimeSpan.Zero;
        if (mapping.TryGetValue("preempt-delay", out n) && ConfigValues.TryReadDuration(n, "ha preempt-delay", diagnostics, out duration))
        {
            if (duration > TimeSpan.FromSeconds(1000))
            {
                diagnostics.Error(n, $"ha preempt-delay {ConfigValues.FormatDuration(duration)} is out of range: 0 to 1000s (keepalived's limit)");
            }
            else
            {
                preemptDelay = duration;
            }
        }

        var rejoinDelay = TimeSpan.FromSeconds(10);
        if (mapping.TryGetValue("rejoin-delay", out n) && ConfigValues.TryReadDuration(n, "ha rejoin-delay", diagnostics, out duration))
        {
            if (duration > TimeSpan.FromHours(1))
            {
                diagnostics.Error(n, $"ha rejoin-delay {ConfigValues.FormatDuration(duration)} is out of range: 0 to 1h");
            }
            else
            {
                rejoinDelay = duration;
            }
        }

        var unicast = false;
        if (mapping.TryGetValue("unicast", out n) && ConfigValues.TryReadBoolean(n, "ha unicast", diagnostics, out flag))
        {
            unicast = flag;
        }

        var nodes = new List<HaNode>();
        if (!mapping.TryGetValue("nodes", out n))
        {
            diagnostics.Error(mapping, "the ha section needs 'nodes': every director of the pair, as {name: lb1, address: 192.0.2.11, priority: 150}");
        }
        else
        {
            nodes = ReadNodes(n, diagnostics);
        }

        var vips = new List<HaVirtualAddress>();
        var vipsListed = mapping.TryGetValue("virtual-addresses", out n);
        if (vipsListed)
        {
            vips = ReadVirtualAddresses(n!, diagnostics);
        }

        var sync = new HaSyncConfig();
        if (mapping.TryGetValue("sync", out n))
        {
            sync = ReadSync(n, diagnostics);
        }

        var health = new HaHealthConfig();
        if (mapping.TryGetValue("health", out n))
        {
            health = ReadHealth(n, diagnostics);
        }

        ushort statusPort = HaConfig.DefaultStatusPort;
        if (mapping.TryGetValue("status-port", out n) && ConfigValues.TryReadUInt32(n, "ha status-port", 0, 65535, diagnostics, out var port))
        {
            statusPort = (ushort)port;
        }

        // Health may only ever move the addresses to a healthier director: one down service must
        // outweigh any difference of base priorities, or a director with a down service would keep
        // the addresses from a healthy peer (and a larger penalty than the gap is what makes the
        // worse peer never win: see docs/ha.md).
        if (nodes.Count >= 2)
        {
            var gap = nodes.Max(x => x.Priority) - nodes.Min(x => x.Priority);
            if (health.Penalty <= gap)
            {
                diagnostics.Error(health.PenaltyLocation ?? mapping.Location,
                    $"ha health penalty {health.Penalty} must be larger than the largest difference of the nodes' priorities ({gap}), or a director whose services are down would keep the addresses from a healthy one");
            }
        }

        if (diagnostics.ErrorCount > errors || vrrpInterface is null)
        {
            return null;
        }

        return new HaConfig
        {
            Instance = instance,
            Interface = vrrpInterface,
            InterfaceLocation = interfaceLocation,
            RouterId = routerId,
            AdvertInterval = advert,
            Preempt = preempt,
            PreemptDelay = preemptDelay,
            RejoinDelay = rejoinDelay,
            Unicast = unicast,
            Nodes = nodes,
            VirtualAddresses = vips,
            VirtualAddressesListed = vipsListed,
            Sync = sync,
            Health = health,
            StatusPort = statusPort,
            Location = mapping.Location,
        };
    }

    private static string? ReadInterfaceName(ConfigNode node, string what, ConfigDiagnostics diagnostics)
    {
        if (!ConfigValues.TryReadString(node, what, diagnostics, out var name))
        {
            return null;
        }

        // The kernel's rule (dev_valid_name): at most 15 bytes, no '/', ':' or white space, not . or ..
        if (name.Length > 15 || name is "." or ".." || name.Any(c => c is '/' or ':' || char.IsWhiteSpace(c) || c > 0x7e))
        {
            diagnostics.Error(node, $"{what} '{name}' is not an interface name (at most 15 characters, no '/', ':' or spaces)");
            return null;
        }

        return name;
    }

    private static List<HaNode> ReadNodes(ConfigNode node, ConfigDiagnostics diagnostics)
    {
        var nodes = new List<HaNode>();
        if (node is not ConfigSequence list)
        {
            diagnostics.Error(node, $"ha nodes must be a list of {{name, address, priority}}, not {node.KindName}");
            return nodes;
        }

        foreach (var item in list.Items)
        {
            if (item is not ConfigMapping entry)
            {
                diagnostics.Error(item, $"an ha node must be a mapping {{name: lb1, address: 192.0.2.11, priority: 150}}, not {item.KindName}");
                continue;
            }

            ConfigValues.CheckKeys(entry, s_nodeKeys, diagnostics, "an ha node");
            string? name = null;
            IPAddress? address = null;
            byte? priority = null;
            if (!entry.TryGetValue("name", out var n))
            {
                diagnostics.Error(entry, "an ha node needs 'name' (what --ha-node or the host name says)");
            }
            else if (ConfigValues.TryReadString(n, "ha node name", diagnostics, out var text))
            {
                if (text.Length > 64 || !text.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.'))
                {
                    diagnostics.Error(n, $"ha node name '{text}' must be up to 64 letters, digits, '_', '-' or '.'");
                }
                else if (nodes.FirstOrDefault(x => x.Name == text) is { } twin)
                {
                    diagnostics.Error(n, $"ha node '{text}' is listed twice (first at line {twin.Location.Line})");
                }
                else
                {
                    name = text;
                }
            }

            if (!entry.TryGetValue("address", out n))
            {
                diagnostics.Error(entry, "an ha node needs 'address': its address on the VRRP interface");
            }
            else if (ConfigValues.TryReadString(n, "ha node address", diagnostics, out var text))
            {
                if (!IPAddress.TryParse(text, out var parsed) || text.Contains('/', StringComparison.Ordinal))
                {
                    diagnostics.Error(n, $"ha node address '{text}' is not an IP address");
                }
                else if (nodes.FirstOrDefault(x => x.Address.Equals(parsed)) is { } twin)
                {
                    diagnostics.Error(n, $"ha node address {parsed} is also node {twin.Name}'s (line {twin.Location.Line})");
                }
                else if (nodes.Count > 0 && nodes[0].Address.AddressFamily != parsed.AddressFamily)
                {
                    diagnostics.Error(n, $"ha node address {parsed} is not of the same family as node {nodes[0].Name}'s ({nodes[0].Address}): VRRP runs on one family");
                }
                else
                {
                    address = parsed;
                }
            }

            if (!entry.TryGetValue("priority", out n))
            {
                diagnostics.Error(entry, "an ha node needs 'priority': its VRRP priority, 1 to 254 (the highest healthy node holds the addresses)");
            }
            else if (ConfigValues.TryReadUInt32(n, "ha node priority", 1, 254, diagnostics, out var value))
            {
                // VRRP breaks a tie by the higher primary address, which nobody reads from a file:
                // equal priorities make the master an accident of addressing.
                if (nodes.FirstOrDefault(x => x.Priority == value) is { } twin)
                {
                    diagnostics.Error(n, $"ha node priority {value} is also node {twin.Name}'s (line {twin.Location.Line}): give every node its own priority (VRRP would break the tie by the higher address)");
                }
                else
                {
                    priority = (byte)value;
                }
            }

            if (name is not null && address is not null && priority is { } p)
            {
                nodes.Add(new HaNode(name, address, p) { Location = entry.Location });
            }
        }

        if (list.Items.Count < 2)
        {
            diagnostics.Error(node, $"ha nodes lists {list.Items.Count} node{(list.Items.Count == 1 ? string.Empty : "s")}: a pair needs at least 2");
        }

        return nodes;
    }

    private static List<HaVirtualAddress> ReadVirtualAddresses(ConfigNode node, ConfigDiagnostics diagnostics)
    {
        var vips = new List<HaVirtualAddress>();
        if (node is not ConfigSequence list)
        {
            diagnostics.Error(node, $"ha virtual-addresses must be a list of addresses, not {node.KindName}");
            return vips;
        }

        foreach (var item in list.Items)
        {
            if (!ConfigValues.TryReadString(item, "a virtual address", diagnostics, out var text))
            {
                continue;
            }

            var slash = text.IndexOf('/', StringComparison.Ordinal);
            var addressText = slash < 0 ? text : text[..slash];
            if (!IPAddress.TryParse(addressText, out var address))
            {
                diagnostics.Error(item, $"virtual address '{text}' is not an IP address (ADDRESS or ADDRESS/PREFIX)");
                continue;
            }

            var max = address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
            var prefix = max;
            if (slash >= 0 && (!int.TryParse(text.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out prefix) || prefix < 1 || prefix > max))
            {
                diagnostics.Error(item, $"virtual address '{text}' has a bad prefix length: expected 1 to {max}");
                continue;
            }

            if (vips.Any(v => v.Address.Equals(address)))
            {
                diagnostics.Error(item, $"virtual address {address} is listed twice");
                continue;
            }

            vips.Add(new HaVirtualAddress(address, prefix) { Location = item.Location });
        }

        if (list.Items.Count == 0)
        {
            diagnostics.Error(node, "ha virtual-addresses is empty: leave it out to use the services' addresses");
        }

        return vips;
    }

    private static HaSyncConfig ReadSync(ConfigNode node, ConfigDiagnostics diagnostics)
    {
        var sync = new HaSyncConfig();
        if (node is not ConfigMapping mapping)
        {
            diagnostics.Error(node, $"ha sync must be a mapping (enabled, interface, id, …), not {node.KindName}");
            return sync;
        }

        ConfigValues.CheckKeys(mapping, s_syncKeys, diagnostics, "the ha sync section");
        if (mapping.TryGetValue("enabled", out var n) && ConfigValues.TryReadBoolean(n, "ha sync enabled", diagnostics, out var enabled))
        {
            sync = sync with { Enabled = enabled };
        }

        if (mapping.TryGetValue("interface", out n) && ReadInterfaceName(n, "ha sync interface", diagnostics) is { } name)
        {
            sync = sync with { Interface = name, InterfaceLocation = n.Location };
        }

        if (mapping.TryGetValue("id", out n) && ConfigValues.TryReadUInt32(n, "ha sync id", 0, 255, diagnostics, out var value))
        {
            sync = sync with { SyncId = (byte)value };
        }

        if (mapping.TryGetValue("port", out n) && ConfigValues.TryReadUInt32(n, "ha sync port", 1, 65535, diagnostics, out value))
        {
            sync = sync with { Port = (ushort)value };
        }

        if (mapping.TryGetValue("ttl", out n) && ConfigValues.TryReadUInt32(n, "ha sync ttl", 1, 255, diagnostics, out value))
        {
            sync = sync with { Ttl = (byte)value };
        }

        if (mapping.TryGetValue("max-length", out n) && ConfigValues.TryReadUInt32(n, "ha sync max-length", 576, 65507, diagnostics, out value))
        {
            sync = sync with { MaxLength = (ushort)value };
        }

        if (mapping.TryGetValue("group", out n) && ConfigValues.TryReadString(n, "ha sync group", diagnostics, out var text))
        {
            if (!IPAddress.TryParse(text, out var group) || !(group.AddressFamily == AddressFamily.InterNetwork ? (group.GetAddressBytes()[0] & 0xf0) == 0xe0 : group.IsIPv6Multicast))
            {
                diagnostics.Error(n, $"ha sync group '{text}' is not a multicast address");
            }
            else
            {
                sync = sync with { Group = group };
            }
        }

        if (mapping.TryGetValue("threshold", out n) && ConfigValues.TryReadUInt32(n, "ha sync threshold", 0, 1_000_000, diagnostics, out value))
        {
            sync = sync with { Threshold = (int)value };
        }

        if (mapping.TryGetValue("period", out n) && ConfigValues.TryReadUInt32(n, "ha sync period", 0, 1_000_000, diagnostics, out value))
        {
            sync = sync with { Period = (int)value };
        }

        // The kernel refuses a threshold at or above a non-zero period (EINVAL).
        if (sync.Period > 0 && sync.Threshold >= sync.Period)
        {
            diagnostics.Error(mapping["threshold"] ?? mapping["period"]!, $"ha sync threshold {sync.Threshold} must be below period {sync.Period} (or period 0), as the kernel requires");
        }

        if (mapping.TryGetValue("refresh-period", out n) && ConfigValues.TryReadDuration(n, "ha sync refresh-period", diagnostics, out var duration))
        {
            if (duration.Ticks % TimeSpan.TicksPerSecond != 0 || duration > TimeSpan.FromDays(1))
            {
                diagnostics.Error(n, "ha sync refresh-period must be whole seconds, 0 to 1d");
            }
            else
            {
                sync = sync with { RefreshPeriod = duration };
            }
        }

        return sync;
    }

    private static HaHealthConfig ReadHealth(ConfigNode node, ConfigDiagnostics diagnostics)
    {
        var health = new HaHealthConfig();
        if (node is not ConfigMapping mapping)
        {
            diagnostics.Error(node, $"ha health must be a mapping (min-healthy, penalty), not {node.KindName}");
            return health;
        }

        ConfigValues.CheckKeys(mapping, s_healthKeys, diagnostics, "the ha health section");
        if (mapping.TryGetValue("min-healthy", out var n) && ConfigValues.TryReadString(n, "ha health min-healthy", diagnostics, out var text))
        {
            if (text.EndsWith('%'))
            {
                if (double.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var percent) && percent > 0 && percent <= 100)
                {
                    health = health with { MinHealthyFraction = percent / 100 };
                }
                else
                {
                    diagnostics.Error(n, $"ha health min-healthy '{text}' must be a percentage above 0% and at most 100%");
                }
            }
            else if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var count) && count >= 1 && count <= 1_000_000)
            {
                health = health with { MinHealthyCount = count };
            }
            else
            {
                diagnostics.Error(n, $"ha health min-healthy '{text}' must be a number of real servers (1 or more) or a percentage (50%)");
            }
        }

        if (mapping.TryGetValue("penalty", out n) && ConfigValues.TryReadUInt32(n, "ha health penalty", 1, 253, diagnostics, out var value))
        {
            health = health with { Penalty = (int)value, PenaltyLocation = n.Location };
        }

        return health;
    }
}
