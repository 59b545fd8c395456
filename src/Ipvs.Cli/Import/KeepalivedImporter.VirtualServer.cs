using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Ipvs.State;
using Ipvs.State.Keepalived;

namespace Ipvs.Cli.Import;

internal sealed partial class KeepalivedImporter
{
    private static readonly string[] s_schedulers = ["rr", "wrr", "lc", "wlc", "lblc", "lblcr", "dh", "sh", "sed", "nq", "fo", "ovf", "mh", "twos"];

    private sealed record Forwarding(string Method, string? TunnelType = null, int TunnelPort = 0, string? Checksum = null)
    {
        public static readonly Forwarding Nat = new("masq");

        public void WriteTo(MapNode node)
        {
            node.Add("forward", Method);
            if (Method == "tunnel" && (TunnelType is not (null or "ipip") || Checksum is not (null or "nocsum")))
            {
                var tunnel = new MapNode().Add("type", TunnelType ?? "ipip");
                if (TunnelPort > 0)
                {
                    tunnel.Add("port", TunnelPort);
                }

                if (Checksum is not (null or "nocsum"))
                {
                    tunnel.Add("checksum", Checksum);
                }

                node.Add("tunnel", tunnel);
            }
        }
    }

    private sealed class VirtualServerModel(KeepalivedStatement statement)
    {
        public KeepalivedStatement Statement { get; } = statement;

        public AddressFamily? Family { get; set; }

        public string? Scheduler { get; set; }

        public List<string> Flags { get; } = [];

        public bool OnePacket { get; set; }

        public KeepalivedStatement? OnePacketStatement { get; set; }

        public Forwarding? Forwarding { get; set; }

        public string? Protocol { get; set; }

        public KeepalivedStatement? ProtocolStatement { get; set; }

        public long? PersistenceTimeout { get; set; }

        public string? Granularity { get; set; }

        public string? Engine { get; set; }

        public bool HaSuspend { get; set; }

        public KeepalivedStatement? HaSuspendStatement { get; set; }

        public string? VirtualHost { get; set; }

        public bool Alpha { get; set; }

        public bool Inhibit { get; set; }

        public long Quorum { get; set; } = 1;

        public long Hysteresis { get; set; }

        public KeepalivedStatement? QuorumStatement { get; set; }

        public DocumentNode? QuorumUp { get; set; }

        public DocumentNode? QuorumDown { get; set; }

        /// <summary>The timing keywords of the virtual server's block: its checkers' last fallback before the kind's defaults.</summary>
        public CheckTiming Timing { get; } = new();

        /// <summary>keepalived's delay_loop of the virtual server (60 s unless given).</summary>
        public TimeSpan DelayLoop => Timing.DelayLoop ?? TimeSpan.FromSeconds(60);

        /// <summary>keepalived's connect_timeout of the virtual server (5 s unless given).</summary>
        public TimeSpan ConnectTimeout => Timing.ConnectTimeout ?? TimeSpan.FromSeconds(5);

        public long Weight { get; set; } = 1;

        public (IPAddress Address, int Port, KeepalivedStatement Statement)? Sorry { get; set; }

        public Forwarding? SorryForwarding { get; set; }

        public bool SorryInhibit { get; set; }

        public List<RealServerModel> RealServers { get; } = [];
    }

    private sealed class RealServerModel(KeepalivedStatement statement, IPAddress address, int port)
    {
        public KeepalivedStatement Statement { get; } = statement;

        public IPAddress Address { get; } = address;

        public int Port { get; } = port;

        public long? Weight { get; set; }

        public Forwarding? Forwarding { get; set; }

        public long? Upper { get; set; }

        public long? Lower { get; set; }

        public bool? Inhibit { get; set; }

        public bool? Alpha { get; set; }

        public DocumentNode? OnUp { get; set; }

        public DocumentNode? OnDown { get; set; }

        /// <summary>The timing keywords of the real server's block: its checkers' fallback.</summary>
        public CheckTiming Timing { get; } = new();

        public string? VirtualHost { get; set; }

        public List<KeepalivedStatement> Checkers { get; } = [];

        public ListNode Checks { get; set; } = new();
    }

    /// <summary>
    /// The five timing keywords keepalived accepts in a virtual server, a real server and a
    /// checker; a checker's value wins over its real server's, which wins over its virtual
    /// server's (check_data.c).
    /// </summary>
    private sealed class CheckTiming
    {
        public TimeSpan? DelayLoop { get; set; }

        public TimeSpan? ConnectTimeout { get; set; }

        public long? Retry { get; set; }

        public TimeSpan? DelayBeforeRetry { get; set; }

        public TimeSpan? Warmup { get; set; }
    }

    /// <summary>Reads one of the timing keywords into <paramref name="timing"/>, with keepalived's bounds (retry's lower one differs by block).</summary>
    private void ReadTiming(KeepalivedStatement inner, CheckTiming timing, long minRetry)
    {
        switch (inner.Keyword)
        {
            case "retry":
                timing.Retry = Integer(inner, 0, minRetry, uint.MaxValue) ?? timing.Retry;
                break;
            case "delay_before_retry":
                timing.DelayBeforeRetry = Timer(inner, 0, 0) ?? timing.DelayBeforeRetry;
                break;
            case "warmup":
                timing.Warmup = Timer(inner, 0, 0) ?? timing.Warmup;
                break;
            case "connect_timeout":
                timing.ConnectTimeout = Timer(inner, 0, 1e-6) ?? timing.ConnectTimeout;
                break;
            case "delay_loop":
                timing.DelayLoop = Timer(inner, 0, 1e-6) ?? timing.DelayLoop;
                break;
            default:
                throw new ArgumentException($"{inner.Keyword} is not a timing keyword", nameof(inner));
        }
    }

    private sealed record Identity(string Compact, AddressFamily Family, int Port, bool Fwmark, string Protocol);

    private List<MapNode> VirtualServer(KeepalivedStatement statement)
    {
        var vs = new VirtualServerModel(statement);
        var errors = _result.Errors.Count;
        foreach (var inner in statement.Block!)
        {
            ReadVirtualServerKeyword(vs, inner);
        }

        foreach (var rs in vs.RealServers)
        {
            rs.Checks = new ListNode(rs.Checkers.Select(c => Check(c, rs, vs)).OfType<DocumentNode>());
        }

        var identities = Identities(vs);
        if (_result.Errors.Count > errors)
        {
            return [];
        }

        if (vs.RealServers.Count == 0)
        {
            Warn(statement, "a virtual server without real servers: keepalived ignores it, and so does the import");
            return [];
        }

        var services = new List<MapNode>();
        foreach (var identity in identities)
        {
            if (_serviceNames.TryGetValue(identity.Compact, out var first))
            {
                NotCarried(statement, $"service {identity.Compact} is also the virtual server at {first}: a care file has each service once; merge them");
                continue;
            }

            _serviceNames[identity.Compact] = statement.Location;
            services.Add(Service(vs, identity));
        }

        return services;
    }

    private void ReadVirtualServerKeyword(VirtualServerModel vs, KeepalivedStatement inner)
    {
        switch (inner.Keyword)
        {
            case "ip_family":
                if (Required(inner, 0, "inet or inet6") is { } family)
                {
                    if (family.Value is "inet" or "inet6")
                    {
                        vs.Family = family.Value == "inet" ? AddressFamily.InterNetwork : AddressFamily.InterNetworkV6;
                    }
                    else
                    {
                        Error(family.Location, $"ip_family '{family.Value}' is not inet or inet6");
                    }
                }

                break;
            case "retry" or "delay_before_retry" or "warmup" or "connect_timeout" or "delay_loop":
                ReadTiming(inner, vs.Timing, minRetry: 1);
                break;
            case "inhibit_on_failure":
                vs.Inhibit = true;
                break;
            case "lb_algo" or "lvs_sched":
                if (Required(inner, 0, "a scheduler") is { } scheduler)
                {
                    if (s_schedulers.Contains(scheduler.Value))
                    {
                        vs.Scheduler = scheduler.Value;
                    }
                    else
                    {
                        Error(scheduler.Location, $"unknown scheduler '{scheduler.Value}'; known: {string.Join(' ', s_schedulers)}");
                    }
                }

                break;
            case "hashed":
                Warn(inner, "has no effect (the kernel marks every service hashed); ignored");
                break;
            case "ops":
                vs.OnePacket = true;
                vs.OnePacketStatement = inner;
                break;
            case "flag-1" or "flag-2" or "flag-3":
                AddFlag(vs, inner.Keyword);
                break;
            case "sh-port" or "sh-fallback" or "mh-port" or "mh-fallback":
                // keepalived looks at the scheduler set so far: before 'lvs_sched sh' the flag is ignored.
                if (vs.Scheduler == inner.Keyword[..2])
                {
                    AddFlag(vs, inner.Keyword);
                }
                else
                {
                    Warn(inner, $"keepalived ignores it: it applies to the {inner.Keyword[..2]} scheduler only, set by an lvs_sched before it");
                }

                break;
            case "lb_kind" or "lvs_method":
                vs.Forwarding = ReadForwarding(inner) ?? vs.Forwarding;
                break;
            case "persistence_engine":
                vs.Engine = Required(inner, 0, "an engine name")?.Value ?? vs.Engine;
                break;
            case "persistence_timeout":
                vs.PersistenceTimeout = inner.Argument(0) is null ? 360 : Integer(inner, 0, 1, 2678400) ?? vs.PersistenceTimeout;
                break;
            case "persistence_granularity":
                vs.Granularity = Required(inner, 0, "a netmask")?.Value ?? vs.Granularity;
                break;
            case "protocol":
                if (Required(inner, 0, "TCP, UDP or SCTP") is { } protocol)
                {
                    var lower = protocol.Value.ToLowerInvariant();
                    if (lower is "tcp" or "udp" or "sctp")
                    {
                        vs.Protocol = lower;
                        vs.ProtocolStatement = inner;
                    }
                    else
                    {
                        Error(protocol.Location, $"protocol '{protocol.Value}' is not TCP, UDP or SCTP");
                    }
                }

                break;
            case "ha_suspend":
                vs.HaSuspend = true;
                vs.HaSuspendStatement = inner;
                break;
            case "virtualhost":
                vs.VirtualHost = Required(inner, 0, "a host name")?.Value ?? vs.VirtualHost;
                break;
            case "alpha":
                vs.Alpha = true;
                break;
            case "quorum_up":
                vs.QuorumUp = Script(inner);
                break;
            case "quorum_down":
                vs.QuorumDown = Script(inner);
                break;
            case "quorum":
                vs.Quorum = Integer(inner, 0, 1, uint.MaxValue) ?? vs.Quorum;
                vs.QuorumStatement = inner;
                break;
            case "hysteresis":
                vs.Hysteresis = Integer(inner, 0, 0, uint.MaxValue) ?? vs.Hysteresis;
                break;
            case "weight":
                vs.Weight = Integer(inner, 0, 1, 65535) ?? vs.Weight;
                break;
            case "sorry_server":
                if (Required(inner, 0, "an address") is { } sorryAddress && Address(sorryAddress, "sorry_server") is { } sorry && Port(inner.Argument(1), "sorry_server") is { } sorryPort)
                {
                    vs.Sorry = (sorry, sorryPort, inner);
                }

                break;
            case "sorry_server_inhibit":
                if (vs.Sorry is null)
                {
                    Warn(inner, "before or without sorry_server: keepalived ignores it");
                }
                else
                {
                    vs.SorryInhibit = true;
                }

                break;
            case "sorry_server_lvs_method":
                if (vs.Sorry is null)
                {
                    Warn(inner, "before or without sorry_server: keepalived ignores it");
                }
                else
                {
                    vs.SorryForwarding = ReadForwarding(inner) ?? vs.SorryForwarding;
                }

                break;
            case "real_server":
                RealServer(vs, inner);
                break;
            case "omega":
                NotCarried(inner, "ipvs care runs no scripts when it stops: on SIGTERM it leaves the table as it is, so traffic keeps flowing while it restarts");
                break;
            case "smtp_alert":
                NotCarried(inner, "ipvs sends no email: changes are in its log, its metrics, and the on-up/on-down scripts");
                break;
            case "snmp_name":
                NotCarried(inner, "ipvs has no SNMP agent: its metrics are Prometheus'");
                break;
            default:
                NotCarried(inner, "no counterpart in a care file");
                break;
        }
    }

    private static void AddFlag(VirtualServerModel vs, string flag)
    {
        if (!vs.Flags.Contains(flag))
        {
            vs.Flags.Add(flag);
        }
    }

    // keepalived's svr_forwarding_handler(): NAT | DR | TUN [type ipip|gue|gre] [port N] [nocsum|csum|remcsum].
    private Forwarding? ReadForwarding(KeepalivedStatement statement)
    {
        if (Required(statement, 0, "NAT, DR or TUN") is not { } method)
        {
            return null;
        }

        var name = method.Value switch
        {
            "NAT" => "masq",
            "DR" => "route",
            "TUN" => "tunnel",
            _ => null,
        };
        if (name is null)
        {
            Error(method.Location, $"{statement.Keyword} '{method.Value}' is not NAT, DR or TUN");
            return null;
        }

        string type = "ipip";
        var port = 0;
        string checksum = "nocsum";
        var args = statement.Arguments;
        for (var i = 1; i < args.Count; i++)
        {
            switch (args[i].Value)
            {
                case "type" when i + 1 < args.Count && args[i + 1].Value is "ipip" or "gue" or "gre":
                    type = args[++i].Value;
                    break;
                case "port" when i + 1 < args.Count && int.TryParse(args[i + 1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var p) && p is >= 1 and <= 65535:
                    port = p;
                    i++;
                    break;
                case "nocsum" or "csum" or "remcsum":
                    checksum = args[i].Value;
                    break;
                default:
                    Error(args[i].Location, $"invalid tunnel option '{args[i].Value}' (type ipip|gue|gre, port 1-65535, nocsum|csum|remcsum)");
                    return null;
            }
        }

        if ((type == "gue") != (port != 0))
        {
            Error(statement.Location, "gue tunnels need a port, and other tunnels take none");
            return null;
        }

        if (type == "ipip" && checksum != "nocsum")
        {
            Error(statement.Location, "ipip tunnels take no checksum option");
            return null;
        }

        if (type == "gre" && checksum == "remcsum")
        {
            Error(statement.Location, "gre tunnels do not support remcsum");
            return null;
        }

        if (name != "tunnel" && args.Count > 1)
        {
            Error(args[1].Location, $"tunnel options apply to TUN only, not {method.Value}");
            return null;
        }

        return name == "tunnel" ? new Forwarding(name, type, port, checksum) : new Forwarding(name);
    }

    private void RealServer(VirtualServerModel vs, KeepalivedStatement statement)
    {
        if (Required(statement, 0, "an address") is not { } addressWord || Address(addressWord, "real_server") is not { } address || Port(statement.Argument(1), "real_server") is not { } port)
        {
            return;
        }

        var rs = new RealServerModel(statement, address, port);
        foreach (var inner in statement.Block!)
        {
            switch (inner.Keyword)
            {
                case "weight":
                    rs.Weight = Integer(inner, 0, 0, 65535) ?? rs.Weight;
                    break;
                case "lvs_method":
                    rs.Forwarding = ReadForwarding(inner) ?? rs.Forwarding;
                    break;
                case "uthreshold":
                    rs.Upper = Integer(inner, 0, 0, uint.MaxValue) ?? rs.Upper;
                    break;
                case "lthreshold":
                    rs.Lower = Integer(inner, 0, 0, uint.MaxValue) ?? rs.Lower;
                    break;
                case "inhibit_on_failure":
                    rs.Inhibit = Flag(inner) ?? rs.Inhibit;
                    break;
                case "alpha":
                    rs.Alpha = Flag(inner) ?? rs.Alpha;
                    break;
                case "notify_up":
                    if (rs.OnUp is not null)
                    {
                        Warn(inner, "a second notify_up: keepalived keeps the first");
                    }
                    else
                    {
                        rs.OnUp = Script(inner);
                    }

                    break;
                case "notify_down":
                    if (rs.OnDown is not null)
                    {
                        Warn(inner, "a second notify_down: keepalived keeps the first");
                    }
                    else
                    {
                        rs.OnDown = Script(inner);
                    }

                    break;
                case "retry" or "delay_before_retry" or "warmup" or "connect_timeout" or "delay_loop":
                    ReadTiming(inner, rs.Timing, minRetry: 1);
                    break;
                case "virtualhost":
                    rs.VirtualHost = Required(inner, 0, "a host name")?.Value ?? rs.VirtualHost;
                    break;
                case "HTTP_GET" or "SSL_GET" or "TCP_CHECK" or "SMTP_CHECK" or "DNS_CHECK" or "UDP_CHECK" or "PING_CHECK" or "MISC_CHECK" or "FILE_CHECK" or "BFD_CHECK":
                    rs.Checkers.Add(inner);
                    break;
                case "smtp_alert":
                    NotCarried(inner, "ipvs sends no email: changes are in its log, its metrics, and the on-up/on-down scripts");
                    break;
                case "snmp_name":
                    NotCarried(inner, "ipvs has no SNMP agent: its metrics are Prometheus'");
                    break;
                default:
                    NotCarried(inner, "no counterpart in a care file");
                    break;
            }
        }

        vs.RealServers.Add(rs);
    }

    private List<Identity> Identities(VirtualServerModel vs)
    {
        var statement = vs.Statement;
        var first = statement.Argument(0);
        var identities = new List<Identity>();
        if (first is null)
        {
            Error(statement.Location, "virtual_server needs an address and port, 'fwmark N' or 'group NAME'");
            return identities;
        }

        var fwmarkFamily = vs.Family ?? vs.RealServers.Where(r => (r.Forwarding ?? vs.Forwarding ?? Forwarding.Nat).Method != "tunnel").Select(r => (AddressFamily?)r.Address.AddressFamily).FirstOrDefault()
            ?? vs.Sorry?.Address.AddressFamily ?? AddressFamily.InterNetwork;
        if (first.Value == "fwmark")
        {
            if (Integer(statement, 1, 1, uint.MaxValue) is { } mark)
            {
                identities.Add(FwmarkIdentity(mark, fwmarkFamily));
            }
        }
        else if (first.Value == "group")
        {
            if (Required(statement, 1, "a group name") is { } name)
            {
                if (!_groups.TryGetValue(name.Value, out var group))
                {
                    Error(name.Location, $"virtual_server_group '{name.Value}' is not defined");
                }
                else
                {
                    _usedGroups.Add(name.Value);
                    identities.AddRange(GroupIdentities(vs, group, fwmarkFamily));
                }
            }
        }
        else if (Address(first, "virtual_server") is { } address && Port(statement.Argument(1), "virtual_server") is { } port)
        {
            identities.Add(AddressIdentity(vs, address, port));
        }

        return identities;
    }

    private static Identity FwmarkIdentity(long mark, AddressFamily family) =>
        new((family == AddressFamily.InterNetworkV6 ? "fwmark6/" : "fwmark/") + mark.ToString(CultureInfo.InvariantCulture), family, 0, true, string.Empty);

    private Identity AddressIdentity(VirtualServerModel vs, IPAddress address, int port)
    {
        var protocol = vs.Protocol;
        if (protocol is null)
        {
            Warn(vs.Statement, "no protocol: keepalived uses UDP (and says so); so does the import. Write 'protocol TCP' if TCP was meant");
            protocol = "udp";
        }

        return new Identity($"{protocol}/{FormatEndpoint(address, port)}", address.AddressFamily, port, false, protocol);
    }

    private IEnumerable<Identity> GroupIdentities(VirtualServerModel vs, KeepalivedStatement group, AddressFamily fwmarkFamily)
    {
        var identities = new List<Identity>();
        foreach (var entry in group.Block!)
        {
            var words = entry.Words;
            if (words[0].Value == "fwmark")
            {
                if (Integer(entry, 0, 1, uint.MaxValue) is not { } mark)
                {
                    continue;
                }

                var family = fwmarkFamily;
                if (entry.Argument(1) is { } familyWord)
                {
                    if (familyWord.Value is "inet" or "inet6")
                    {
                        family = familyWord.Value == "inet" ? AddressFamily.InterNetwork : AddressFamily.InterNetworkV6;
                    }
                    else
                    {
                        Error(familyWord.Location, $"fwmark family '{familyWord.Value}' is not inet or inet6");
                        continue;
                    }
                }

                identities.Add(FwmarkIdentity(mark, family));
                continue;
            }

            if (Port(words.Count > 1 ? words[1] : null, "virtual_server_group") is not { } port)
            {
                continue;
            }

            var range = Range(words[0], out var tooLarge);
            if (tooLarge || (range is not null && identities.Count + range.Count > MaxServicesPerVirtualServer))
            {
                NotCarried(entry, $"expands to more than {MaxServicesPerVirtualServer} services (one per address), so this virtual server is not written: use a firewall mark (fwmark) for large ranges");
                return [];
            }

            if (range is null)
            {
                continue;
            }

            identities.AddRange(range.Select(address => AddressIdentity(vs, address, port)));
        }

        return identities.DistinctBy(i => i.Compact);
    }

    // A virtual_server_group address: A.B.C.D, A.B.C.D-E (last byte), A.B.C.D-A.B.C.F, or a CIDR A.B.C.0/N.
    private List<IPAddress>? Range(KeepalivedWord word, out bool tooLarge)
    {
        tooLarge = false;
        var text = word.Value;
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        var dash = text.IndexOf('-', StringComparison.Ordinal);
        if (slash > 0)
        {
            if (StrictAddress(text[..slash]) is not { } network || !int.TryParse(text[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var prefix)
                || prefix < 1 || prefix > (network.AddressFamily == AddressFamily.InterNetwork ? 32 : 128))
            {
                Error(word.Location, $"'{text}' is not an address/prefix");
                return null;
            }

            var bits = network.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
            var value = ToNumber(network);
            var hostBits = bits - prefix;
            if (hostBits > 16)
            {
                tooLarge = true;
                return null;
            }

            var mask = (System.Numerics.BigInteger.One << hostBits) - 1;
            if ((value & mask) != 0)
            {
                Error(word.Location, $"'{text}' has bits set beyond its prefix (keepalived skips it)");
                return null;
            }

            return Enumerate(value, value | mask, network.AddressFamily);
        }

        if (dash > 0)
        {
            if (StrictAddress(text[..dash]) is not { } start)
            {
                Error(word.Location, $"'{text}' is not an address range");
                return null;
            }

            var endText = text[(dash + 1)..];
            IPAddress? end;
            if (endText.Contains(start.AddressFamily == AddressFamily.InterNetwork ? '.' : ':', StringComparison.Ordinal))
            {
                end = StrictAddress(endText);
            }
            else
            {
                // keepalived's inet_stor(): the last byte (IPv4, decimal) or the last 16 bits (IPv6, hex) of the end.
                var last = start.AddressFamily == AddressFamily.InterNetwork
                    ? (int.TryParse(endText, NumberStyles.None, CultureInfo.InvariantCulture, out var b) && b <= 255 ? b : -1)
                    : (int.TryParse(endText, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var h) && h <= 0xffff ? h : -1);
                end = null;
                if (last >= 0)
                {
                    var width = start.AddressFamily == AddressFamily.InterNetwork ? 8 : 16;
                    var startValue = ToNumber(start);
                    var endValue = (startValue >> width << width) | last;
                    end = FromNumber(endValue, start.AddressFamily);
                }
            }

            if (end is null || end.AddressFamily != start.AddressFamily || ToNumber(end) < ToNumber(start))
            {
                Error(word.Location, $"'{text}' is not an address range (its end must follow its start)");
                return null;
            }

            tooLarge = ToNumber(end) - ToNumber(start) >= MaxServicesPerVirtualServer;
            return tooLarge ? null : Enumerate(ToNumber(start), ToNumber(end), start.AddressFamily);
        }

        return Address(word, "virtual_server_group address") is { } single ? [single] : null;
    }

    private static List<IPAddress> Enumerate(System.Numerics.BigInteger first, System.Numerics.BigInteger last, AddressFamily family)
    {
        var list = new List<IPAddress>();
        for (var value = first; value <= last; value++)
        {
            list.Add(FromNumber(value, family));
        }

        return list;
    }

    private static System.Numerics.BigInteger ToNumber(IPAddress address) => new(address.GetAddressBytes(), isUnsigned: true, isBigEndian: true);

    private static IPAddress FromNumber(System.Numerics.BigInteger value, AddressFamily family)
    {
        var length = family == AddressFamily.InterNetwork ? 4 : 16;
        var bytes = value.ToByteArray(isUnsigned: true, isBigEndian: true);
        var padded = new byte[length];
        Array.Copy(bytes, 0, padded, length - bytes.Length, bytes.Length);
        return new IPAddress(padded);
    }
}
