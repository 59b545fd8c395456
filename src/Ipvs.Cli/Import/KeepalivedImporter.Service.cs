using System.Globalization;
using System.Net.Sockets;
using Ipvs.State.Keepalived;

namespace Ipvs.Cli.Import;

internal sealed partial class KeepalivedImporter
{
    private static readonly string[] s_dnsTypes = ["A", "NS", "CNAME", "SOA", "MX", "TXT", "AAAA"];

    private readonly HashSet<string> _warned = new(StringComparer.Ordinal);

    // A warning once, however many services a group expands into.
    private void WarnOnce(KeepalivedStatement statement, string message)
    {
        if (_warned.Add(statement.Location + message))
        {
            Warn(statement, message);
        }
    }

    private MapNode Service(VirtualServerModel vs, Identity identity)
    {
        var node = new MapNode().Add("service", identity.Compact).Add("scheduler", vs.Scheduler ?? "wlc");
        if (vs.Scheduler is null)
        {
            WarnOnce(vs.Statement, "no lvs_sched: keepalived uses wlc (and says so); so does the import");
        }

        if (vs.Flags.Count > 0)
        {
            node.Add("flags", ListNode.Strings(vs.Flags));
        }

        var persistence = vs.PersistenceTimeout ?? (vs.Granularity is not null ? 360 : null);
        if (persistence is null && !identity.Fwmark && identity.Port == 0)
        {
            WarnOnce(vs.Statement, "port 0 is only valid for a persistent service: keepalived makes it persistent (360 s); so does the import");
            persistence = 360;
        }

        if (persistence is { } timeout)
        {
            node.Add("persistent", timeout);
        }

        if (vs.Granularity is { } granularity)
        {
            node.Add("netmask", granularity);
        }

        if (vs.Engine is { } engine)
        {
            node.Add("pe", engine);
        }

        if (vs.OnePacket)
        {
            if (identity.Fwmark || identity.Protocol == "udp")
            {
                node.Add("one-packet", true);
            }
            else
            {
                WarnOnce(vs.OnePacketStatement!, "one-packet scheduling needs UDP or a firewall mark: keepalived turns it off; so does the import");
            }
        }

        if (identity.Fwmark && vs.Statement.Argument(0)?.Value == "fwmark" && vs.ProtocolStatement is { } protocolStatement)
        {
            WarnOnce(protocolStatement, "a firewall-mark service has no protocol: keepalived ignores it; so does the import");
        }

        var servers = new ListNode();
        var kept = new List<(RealServerModel Server, string Endpoint)>();
        foreach (var rs in vs.RealServers)
        {
            var forwarding = rs.Forwarding ?? vs.Forwarding ?? Forwarding.Nat;
            if (forwarding.Method != "tunnel" && rs.Address.AddressFamily != identity.Family)
            {
                WarnOnce(rs.Statement, $"real server {rs.Address} is not of the family of {identity.Compact}, and only tunnelled servers may be: keepalived skips it; so does the import");
                continue;
            }

            var port = ServerPort(rs.Statement, rs.Port, forwarding, identity, "real server");
            var endpoint = FormatEndpoint(rs.Address, port);
            if (kept.Any(k => k.Endpoint == endpoint))
            {
                WarnOnce(rs.Statement, $"real server {endpoint} is listed twice in {identity.Compact}: keepalived keeps the first; so does the import");
                continue;
            }

            kept.Add((rs, endpoint));
            var server = new MapNode().Add("server", endpoint);
            forwarding.WriteTo(server);
            server.Add("weight", rs.Weight ?? vs.Weight);
            if (rs.Upper is { } upper and > 0)
            {
                server.Add("upper-threshold", upper);
            }

            if (rs.Lower is { } lower and > 0)
            {
                server.Add("lower-threshold", lower);
            }

            servers.Items.Add(server);
        }

        node.Add("servers", servers);
        node.Add("health", Health(vs, identity, kept));
        return node;
    }

    // keepalived's port rules: NAT keeps the server's port (the service's when none); DR and TUN
    // use the service's port (a different one is reset, with a warning); firewall marks take none.
    private int ServerPort(KeepalivedStatement statement, int port, Forwarding forwarding, Identity identity, string what)
    {
        if (identity.Fwmark)
        {
            if (forwarding.Method != "masq" && port != 0)
            {
                WarnOnce(statement, $"a {forwarding.Method} {what} of a firewall-mark service takes no port: keepalived clears it; so does the import");
                return 0;
            }

            return port;
        }

        if (port == 0)
        {
            return identity.Port;
        }

        if (forwarding.Method != "masq" && port != identity.Port)
        {
            WarnOnce(statement, $"a {forwarding.Method} {what} answers on the service's port {identity.Port}, not {port}: keepalived resets it; so does the import");
            return identity.Port;
        }

        return port;
    }

    private MapNode Health(VirtualServerModel vs, Identity identity, List<(RealServerModel Server, string Endpoint)> servers)
    {
        var health = new MapNode()
            .Add("interval", Duration(vs.DelayLoop))
            .Add("fail-closed", true)
            .Add("drain-timeout", "0s")
            .Add("alpha", vs.Alpha)
            .Add("inhibit-on-failure", vs.Inhibit);

        var quorum = vs.Quorum;
        var hysteresis = vs.Hysteresis;
        // keepalived sums before it resets ports: servers of the service's family (or tunnelled), duplicates once.
        var weightSum = vs.RealServers
            .Where(r => (r.Forwarding ?? vs.Forwarding ?? Forwarding.Nat).Method == "tunnel" || r.Address.AddressFamily == identity.Family)
            .DistinctBy(r => (r.Address, r.Port))
            .Sum(r => r.Weight ?? vs.Weight);
        if (quorum > weightSum && weightSum > 0)
        {
            WarnOnce(vs.QuorumStatement ?? vs.Statement, $"quorum {quorum} is above the total weight of the real servers ({weightSum}): keepalived lowers it to {weightSum}; so does the import");
            quorum = weightSum;
        }

        if (hysteresis >= quorum)
        {
            WarnOnce(vs.Statement, $"hysteresis {hysteresis} is not below quorum {quorum}: keepalived sets it to {quorum - 1}; so does the import");
            hysteresis = quorum - 1;
        }

        if (quorum != 1)
        {
            health.Add("quorum", quorum);
        }

        if (hysteresis != 0)
        {
            health.Add("hysteresis", hysteresis);
        }

        if (vs.QuorumUp is { } up)
        {
            health.Add("on-quorum-up", up);
        }

        if (vs.QuorumDown is { } down)
        {
            health.Add("on-quorum-down", down);
        }

        if (vs.Sorry is { } sorry)
        {
            var forwarding = vs.SorryForwarding ?? vs.Forwarding ?? Forwarding.Nat;
            if (forwarding.Method != "tunnel" && sorry.Address.AddressFamily != identity.Family)
            {
                WarnOnce(sorry.Statement, $"sorry server {sorry.Address} is not of the family of {identity.Compact}: keepalived skips it; so does the import");
            }
            else
            {
                var port = ServerPort(sorry.Statement, sorry.Port, forwarding, identity, "sorry server");
                var node = new MapNode().Add("server", FormatEndpoint(sorry.Address, port));
                forwarding.WriteTo(node);
                node.Add("weight", 1L);
                health.Add("sorry-server", node);
                if (vs.SorryInhibit)
                {
                    health.Add("sorry-server-inhibit", true);
                }
            }
        }

        if (vs.HaSuspend)
        {
            if (identity.Fwmark)
            {
                WarnOnce(vs.HaSuspendStatement!, "ha_suspend does not work with firewall marks: keepalived clears it; so does the import");
            }
            else
            {
                health.Add("ha-suspend", true);
            }
        }

        // The most common list of checks is the service's; servers with others list their own.
        var common = servers.Select(s => s.Server.Checks.ToJson()).GroupBy(j => j).OrderByDescending(g => g.Count()).Select(g => g.Key).FirstOrDefault();
        var commonChecks = servers.FirstOrDefault(s => s.Server.Checks.ToJson() == common).Server?.Checks ?? new ListNode();
        health.Add("checks", commonChecks);

        var perServer = new MapNode();
        foreach (var (rs, endpoint) in servers)
        {
            var entry = new MapNode();
            if (rs.Checks.ToJson() != common)
            {
                entry.Add("checks", rs.Checks);
            }

            if (rs.OnUp is { } onUp)
            {
                entry.Add("on-up", onUp);
            }

            if (rs.OnDown is { } onDown)
            {
                entry.Add("on-down", onDown);
            }

            if (rs.Alpha is { } alpha && alpha != vs.Alpha)
            {
                entry.Add("alpha", alpha);
            }

            if (rs.Inhibit is { } inhibit && inhibit != vs.Inhibit)
            {
                entry.Add("inhibit-on-failure", inhibit);
            }

            if (entry.Entries.Count > 0)
            {
                perServer.Add(endpoint, entry);
            }
        }

        if (perServer.Entries.Count > 0)
        {
            health.Add("servers", perServer);
        }

        return health;
    }

    private DocumentNode? Check(KeepalivedStatement checker, RealServerModel rs, VirtualServerModel vs)
    {
        var type = checker.Keyword switch
        {
            "HTTP_GET" => "http",
            "SSL_GET" => "https",
            "TCP_CHECK" => "tcp",
            "SMTP_CHECK" => "smtp",
            "DNS_CHECK" => "dns",
            "UDP_CHECK" => "udp",
            "PING_CHECK" => "ping",
            "MISC_CHECK" => "misc",
            "FILE_CHECK" => "file",
            _ => null,
        };
        if (type is null)
        {
            NotCarried(checker, "BFD is not part of ipvs: keep the server without this check, or check it another way");
            return null;
        }

        var node = new MapNode().Add("type", type);
        if (type == "file")
        {
            return FileCheck(checker, node);
        }

        var timing = new CheckTiming();
        bool? alpha = null;
        string? virtualHost = null;
        var urls = new ListNode();
        var connect = new MapNode();
        string? miscUser = null;
        DocumentNode? miscRun = null;
        long miscTimeout = 0;
        var miscDynamic = false;
        var extra = new MapNode();
        foreach (var inner in checker.Block!)
        {
            switch (inner.Keyword)
            {
                case "connect_ip":
                    if (Required(inner, 0, "an address") is { } ip && Address(ip, "connect_ip") is { } connectAddress)
                    {
                        connect.Add("connect-ip", connectAddress.ToString());
                    }

                    break;
                case "connect_port":
                    if (Integer(inner, 0, 1, 65535) is { } connectPort)
                    {
                        connect.Add("connect-port", connectPort);
                    }

                    break;
                case "bindto":
                    if (Required(inner, 0, "an address") is { } bind && Address(bind, "bindto") is { } bindAddress)
                    {
                        connect.Add("bind-to", bindAddress.ToString());
                    }

                    break;
                case "bind_port":
                    if (Integer(inner, 0, 1, 65535) is { } bindPort)
                    {
                        connect.Add("bind-port", bindPort);
                    }

                    break;
                case "retry" or "delay_before_retry" or "warmup" or "connect_timeout" or "delay_loop":
                    ReadTiming(inner, timing, minRetry: 0);
                    break;
                case "nb_get_retry":
                    Warn(inner, "deprecated by keepalived; read as 'retry'");
                    timing.Retry = Integer(inner, 0, 0, uint.MaxValue) ?? timing.Retry;
                    break;
                case "alpha":
                    alpha = Flag(inner) ?? alpha;
                    break;
                case "virtualhost":
                    virtualHost = Required(inner, 0, "a host name")?.Value ?? virtualHost;
                    break;
                case "url":
                    if (Url(inner) is { } url)
                    {
                        urls.Items.Add(url);
                    }

                    break;
                case "misc_path":
                    if (KeepalivedScript.TryParse(inner, out var script, out var error))
                    {
                        miscRun = ListNode.Strings(script.Arguments);
                    }
                    else
                    {
                        Error(inner.Location, error);
                    }

                    break;
                case "misc_timeout":
                    miscTimeout = Integer(inner, 0, 0, uint.MaxValue / 1_000_000) ?? miscTimeout;
                    break;
                case "misc_dynamic":
                    miscDynamic = true;
                    break;
                case "user":
                    if (Required(inner, 0, "a user") is { } user)
                    {
                        miscUser = inner.Argument(1) is { } group ? user.Value + ":" + group.Value : user.Value;
                    }

                    break;
                case "payload":
                    if (Hex(inner, allowWildcard: false) is { } payload)
                    {
                        extra.Add("payload", payload);
                    }

                    break;
                case "require_reply":
                    if (inner.Arguments.Count == 0)
                    {
                        extra.Add("require-reply", true);
                    }
                    else if (Hex(inner, allowWildcard: true) is { } reply)
                    {
                        extra.Add("require-reply", reply);
                    }

                    break;
                case "type":
                    if (Required(inner, 0, "a record type") is { } dnsType)
                    {
                        var upper = dnsType.Value.ToUpperInvariant();
                        if (s_dnsTypes.Contains(upper))
                        {
                            extra.Add("query-type", upper);
                        }
                        else
                        {
                            Error(dnsType.Location, $"DNS_CHECK type '{dnsType.Value}' is not one of {string.Join(' ', s_dnsTypes)}");
                        }
                    }

                    break;
                case "name":
                    if (Required(inner, 0, "a name") is { } dnsName)
                    {
                        extra.Add("name", dnsName.Value);
                    }

                    break;
                case "helo_name":
                    if (Required(inner, 0, "a name") is { } helo)
                    {
                        extra.Add("helo-name", helo.Value);
                    }

                    break;
                case "bind_if":
                    NotCarried(inner, "checks cannot be bound to an interface: use bindto with an address of the interface");
                    break;
                case "fwmark":
                    NotCarried(inner, "checks are not sent with a firewall mark");
                    break;
                case "log_all_failures":
                    NotCarried(inner, "ipvs logs each change of a server's state, not each failed attempt");
                    break;
                case "http_protocol":
                    NotCarried(inner, "ipvs's HTTP checks send HTTP/1.1 requests with a Host header; the protocol cannot be chosen");
                    break;
                case "enable_sni":
                    NotCarried(inner, "no counterpart in ipvs's https checks");
                    break;
                case "fast_recovery":
                    NotCarried(inner, "no counterpart: after a failure the next check comes after delay_loop");
                    break;
                case "min_reply_length" or "max_reply_length":
                    NotCarried(inner, "UDP replies are checked by their first bytes only (require_reply HEX)");
                    break;
                default:
                    NotCarried(inner, "no counterpart in a care file");
                    break;
            }
        }

        if (type is "http" or "https")
        {
            if (urls.Items.Count == 0)
            {
                Warn(checker, "a check without url: keepalived drops it; so does the import");
                return null;
            }

            node.Add("urls", urls);
            if ((virtualHost ?? rs.VirtualHost ?? vs.VirtualHost) is { } host)
            {
                node.Add("virtualhost", host);
            }
        }

        if (type == "misc")
        {
            if (miscRun is null)
            {
                Warn(checker, "a MISC_CHECK without misc_path: keepalived drops it; so does the import");
                return null;
            }

            node.Add("run", miscRun);
            if (miscDynamic)
            {
                node.Add("dynamic", true);
            }

            if ((miscUser ?? _scriptUser) is { } scriptUser)
            {
                node.Add("user", scriptUser);
            }
        }

        foreach (var (key, value) in extra.Entries)
        {
            node.Add(key, value);
        }

        foreach (var (key, value) in connect.Entries)
        {
            node.Add(key, value);
        }

        // keepalived's defaults, resolved as check_data.c does: the checker's, else the real
        // server's, else the virtual server's, else the kind's.
        var interval = timing.DelayLoop ?? rs.Timing.DelayLoop ?? vs.DelayLoop;
        var attemptTimeout = type == "misc"
            ? (miscTimeout > 0 ? TimeSpan.FromSeconds(miscTimeout) : vs.DelayLoop)
            : timing.ConnectTimeout ?? rs.Timing.ConnectTimeout ?? vs.ConnectTimeout;
        var retries = timing.Retry ?? rs.Timing.Retry ?? vs.Timing.Retry ?? type switch
        {
            "misc" => 0,
            "dns" => 3,
            _ => 1,
        };
        var pause = timing.DelayBeforeRetry ?? rs.Timing.DelayBeforeRetry ?? vs.Timing.DelayBeforeRetry ?? type switch
        {
            "http" or "https" => TimeSpan.FromSeconds(3),
            "dns" => interval,
            _ => TimeSpan.FromSeconds(1),
        };
        var start = timing.Warmup ?? rs.Timing.Warmup ?? vs.Timing.Warmup ?? interval;
        node.Add("interval", Duration(interval))
            .Add("timeout", Duration(attemptTimeout))
            .Add("retry", retries)
            .Add("delay-before-retry", Duration(pause))
            .Add("warmup", Duration(start));
        var serverAlpha = rs.Alpha ?? vs.Alpha;
        if (alpha is { } checkAlpha && checkAlpha != serverAlpha)
        {
            node.Add("alpha", checkAlpha);
        }

        return node;
    }

    private DocumentNode? FileCheck(KeepalivedStatement checker, MapNode node)
    {
        TrackFile? trackFile = null;
        int? weight = null;
        bool? reverse = null;
        foreach (var inner in checker.Block!)
        {
            switch (inner.Keyword)
            {
                case "track_file":
                    if (Required(inner, 0, "a track_file name") is { } name)
                    {
                        if (_trackFiles.TryGetValue(name.Value, out var found))
                        {
                            trackFile = found;
                            _usedTrackFiles.Add(name.Value);
                        }
                        else
                        {
                            Error(name.Location, $"track_file '{name.Value}' is not defined (a top-level track_file {name.Value} {{ file PATH }} block)");
                        }
                    }

                    break;
                case "weight":
                    weight = (int?)Integer(inner, 0, -65535, 65535) ?? weight;
                    if (inner.Argument(1) is { } option)
                    {
                        if (option.Value is "reverse" or "noreverse")
                        {
                            reverse = option.Value == "reverse";
                        }
                        else
                        {
                            Error(option.Location, $"unknown weight option '{option.Value}' (reverse or noreverse)");
                        }
                    }
                    else
                    {
                        reverse = false;
                    }

                    break;
            }
        }

        if (trackFile?.Path is null)
        {
            if (trackFile is null)
            {
                Warn(checker, "a FILE_CHECK without track_file: keepalived drops it; so does the import");
            }

            return null;
        }

        node.Add("path", trackFile.Path).Add("weight", (long)(weight ?? trackFile.Weight));
        if (weight is null ? trackFile.Reverse : reverse == true)
        {
            node.Add("reverse", true);
        }

        return node;
    }

    private MapNode? Url(KeepalivedStatement statement)
    {
        var url = new MapNode();
        string? path = null;
        var status = new ListNode();
        foreach (var inner in statement.Block!)
        {
            switch (inner.Keyword)
            {
                case "path":
                    path = Required(inner, 0, "a path")?.Value ?? path;
                    break;
                case "digest":
                    if (Required(inner, 0, "an MD5 digest") is { } digest)
                    {
                        if (digest.Value.Length == 32 && digest.Value.All(char.IsAsciiHexDigit))
                        {
                            url.Add("digest", digest.Value.ToLowerInvariant());
                        }
                        else
                        {
                            Error(digest.Location, $"digest '{digest.Value}' is not an MD5 digest (32 hex digits)");
                        }
                    }

                    break;
                case "status_code":
                    foreach (var word in inner.Arguments)
                    {
                        var parts = word.Value.Split('-');
                        if (parts.Length is 1 or 2 && parts.All(p => int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out var code) && code is >= 100 and <= 599)
                            && int.Parse(parts[0], CultureInfo.InvariantCulture) <= int.Parse(parts[^1], CultureInfo.InvariantCulture))
                        {
                            status.Items.Add(parts.Length == 1 ? new ValueNode(long.Parse(parts[0], CultureInfo.InvariantCulture)) : new ValueNode(word.Value));
                        }
                        else
                        {
                            Error(word.Location, $"status_code '{word.Value}' is not a code or a range of codes from 100 to 599");
                        }
                    }

                    break;
                case "virtualhost":
                    if (Required(inner, 0, "a host name") is { } host)
                    {
                        url.Add("virtualhost", host.Value);
                    }

                    break;
                default:
                    NotCarried(inner, "ipvs's HTTP checks compare the status code and the body's MD5 digest, not regular expressions");
                    break;
            }
        }

        if (path is null)
        {
            Warn(statement, "a url without path: keepalived drops it; so does the import");
            return null;
        }

        var result = new MapNode().Add("path", path);
        if (status.Items.Count > 0)
        {
            result.Add("status", status);
        }

        foreach (var (key, value) in url.Entries)
        {
            result.Add(key, value);
        }

        return result;
    }

    // keepalived's read_hex_str(): hex digits, blanks ignored; in a reply, 'X' or 'x' pairs match any byte.
    private string? Hex(KeepalivedStatement statement, bool allowWildcard)
    {
        var text = string.Concat(statement.Arguments.Select(a => a.Value)).Replace(" ", string.Empty, StringComparison.Ordinal);
        if (text.Length > 0 && text.Length % 2 == 0 && text.All(char.IsAsciiHexDigit))
        {
            return text.ToLowerInvariant();
        }

        if (allowWildcard && text.Length % 2 == 0 && text.All(c => char.IsAsciiHexDigit(c) || c is 'x' or 'X'))
        {
            NotCarried(statement, "a reply pattern with wildcards: ipvs compares the reply's first bytes exactly; write the bytes before the first wildcard");
            return null;
        }

        Error(statement.Location, $"{statement.Keyword} '{text}' is not hex bytes");
        return null;
    }

    internal static string Plural(int count, string noun) => count.ToString(CultureInfo.InvariantCulture) + " " + noun + (count == 1 ? string.Empty : "s");
}
