using System.Globalization;
using System.Net;
using Ipvs.Health;
using Ipvs.Health.Checks;
using Ipvs.Model;
using Ipvs.State;

namespace Ipvs.Cli.Care;

/// <summary>The keepalived-style part of a service: its policy and each real server's checks and scripts.</summary>
/// <param name="Policy">alpha, inhibit-on-failure, quorum, sorry server, ha-suspend.</param>
/// <param name="Servers">Every real server of the service (in its order) with its checks.</param>
internal sealed record CheckedHealth(CheckPolicy Policy, IReadOnlyList<CheckedRealServer> Servers)
{
    public bool Equals(CheckedHealth? other) => other is not null && Policy == other.Policy && Servers.SequenceEqual(other.Servers);

    public override int GetHashCode() => HashCode.Combine(Policy, Servers.Count);
}

/// <summary>
/// Reads the checks and policies of a care file's health section (docs/care.md, "Checks and
/// policies"): <c>checks</c>, <c>servers</c>, <c>alpha</c>, <c>inhibit-on-failure</c>,
/// <c>quorum</c>, <c>hysteresis</c>, the scripts, <c>sorry-server</c>, <c>ha-suspend</c>.
/// Every problem is reported at its line and column.
/// </summary>
internal static class CareChecksReader
{
    /// <summary>The health keys of the checks schema.</summary>
    public static readonly IReadOnlyList<string> PolicyKeys =
        ["checks", "servers", "alpha", "inhibit-on-failure", "quorum", "hysteresis", "on-quorum-up", "on-quorum-down", "sorry-server", "sorry-server-inhibit", "ha-suspend"];

    // lvscare-style keys that mean nothing for checks: refused beside them.
    private static readonly Dictionary<string, string> s_refusedWithChecks = new()
    {
        ["type"] = "each check has its own type",
        ["rise"] = "with checks a server is up after one pass, as in keepalived",
        ["fall"] = "with checks say 'retry' in the check (extra attempts before it counts as failed)",
        ["path"] = "give the path in an http check's urls",
        ["method"] = "checks send GET, as keepalived",
        ["headers"] = "checks send no extra headers, as keepalived",
        ["body"] = "checks send no body, as keepalived",
        ["status"] = "give status codes in an http check's urls",
        ["insecure-skip-verify"] = "give it in the https check",
    };

    private static readonly string[] s_commonKeys = ["type", "interval", "timeout", "retry", "delay-before-retry", "warmup", "connect-ip", "connect-port", "bind-to", "bind-port", "alpha"];
    private static readonly string[] s_kinds = ["http", "https", "tcp", "misc", "udp", "dns", "smtp", "ping", "file"];
    private static readonly string[] s_queryTypes = ["A", "NS", "CNAME", "SOA", "MX", "TXT", "AAAA"];
    private static readonly string[] s_serverKeys = ["checks", "on-up", "on-down", "alpha", "inhibit-on-failure"];
    private static readonly string[] s_urlKeys = ["path", "status", "digest", "virtualhost"];
    private static readonly string[] s_scriptKeys = ["run", "user", "timeout"];
    private static readonly string[] s_sorryKeys = ["server", "forward", "weight"];

    /// <summary>True when the section uses the checks schema (it has <c>checks</c> or <c>servers</c>).</summary>
    public static bool Applies(ConfigMapping health) => health.TryGetValue("checks", out _) || health.TryGetValue("servers", out _);

    /// <summary>Reports the policy keys used without checks (they would do nothing).</summary>
    public static void RefuseWithoutChecks(ConfigMapping health, ConfigDiagnostics diagnostics)
    {
        foreach (var entry in health.Entries)
        {
            if (PolicyKeys.Contains(entry.Key.Value))
            {
                diagnostics.Error(entry.Key, $"'{entry.Key.Value}' needs checks: add 'checks' to this health section (docs/care.md, \"Checks and policies\")");
            }
        }
    }

    /// <summary>Reads the checks schema of <paramref name="health"/>; <paramref name="options"/> holds the section's other settings (interval, timeout).</summary>
    public static CheckedHealth? Read(ServiceSectionContext context, ConfigMapping health, HealthCheckOptions options, bool timeoutGiven)
    {
        var diagnostics = context.Diagnostics;
        var errors = diagnostics.ErrorCount;
        foreach (var entry in health.Entries)
        {
            if (s_refusedWithChecks.TryGetValue(entry.Key.Value, out var why))
            {
                diagnostics.Error(entry.Key, $"'{entry.Key.Value}' does not go with checks: {why}");
            }
        }

        if (health.TryGetValue("fail-closed", out var node) && ConfigValues.TryReadBoolean(node, "fail-closed", diagnostics, out var failClosed) && !failClosed)
        {
            diagnostics.Error(node, "with checks a service has no panic (keepalived empties it): fail-closed can only be true");
        }

        if (health.TryGetValue("drain-timeout", out node) && ConfigValues.TryReadDuration(node, "drain-timeout", diagnostics, out var drain) && drain != TimeSpan.Zero)
        {
            diagnostics.Error(node, "with checks a failed server is removed at once (or kept at weight 0 with inhibit-on-failure), as keepalived: drain-timeout can only be 0s");
        }

        var defaults = new CheckDefaults(options.Interval, timeoutGiven ? options.Timeout : CheckDefinition.DefaultTimeout);
        var policy = new CheckPolicy { RepairInterval = options.Interval };
        policy = policy with
        {
            Alpha = ReadBool(health, "alpha", diagnostics),
            InhibitOnFailure = ReadBool(health, "inhibit-on-failure", diagnostics),
            SorryServerInhibit = ReadBool(health, "sorry-server-inhibit", diagnostics),
            HaSuspend = ReadBool(health, "ha-suspend", diagnostics),
        };
        if (health.TryGetValue("quorum", out node) && ConfigValues.TryReadUInt32(node, "quorum", 0, int.MaxValue, diagnostics, out var quorum))
        {
            policy = policy with { Quorum = quorum };
        }

        if (health.TryGetValue("hysteresis", out node) && ConfigValues.TryReadUInt32(node, "hysteresis", 0, int.MaxValue, diagnostics, out var hysteresis))
        {
            policy = policy with { Hysteresis = hysteresis };
        }

        if (health.TryGetValue("on-quorum-up", out node))
        {
            policy = policy with { OnQuorumUp = ReadScript(node, "on-quorum-up", diagnostics) };
        }

        if (health.TryGetValue("on-quorum-down", out node))
        {
            policy = policy with { OnQuorumDown = ReadScript(node, "on-quorum-down", diagnostics) };
        }

        var servicePort = context.Service?.Key.Port ?? 0;
        if (health.TryGetValue("sorry-server", out node))
        {
            var sorry = ReadSorryServer(node, servicePort, diagnostics);
            if (sorry is not null && context.RealServers.Any(r => r.Server.Address.Equals(sorry.Address) && r.Server.Port == sorry.Port))
            {
                diagnostics.Error(node, $"the sorry server {sorry.Endpoint} is also one of the service's servers: give another");
            }

            policy = policy with { SorryServer = sorry };
        }
        else if (health.TryGetValue("sorry-server-inhibit", out node))
        {
            diagnostics.Error(node, "sorry-server-inhibit needs a sorry-server");
        }

        IReadOnlyList<CheckDefinition> serviceChecks = [];
        if (health.TryGetValue("checks", out node))
        {
            serviceChecks = ReadChecks(node, defaults, diagnostics);
        }

        var perServer = new Dictionary<(IPAddress, ushort), CheckedRealServer>();
        if (health.TryGetValue("servers", out node))
        {
            if (node is not ConfigMapping servers)
            {
                diagnostics.Error(node, $"servers must be a mapping of ADDRESS:PORT to checks and scripts, not {node.KindName}");
            }
            else
            {
                foreach (var entry in servers.Entries)
                {
                    var key = entry.Key.Value;
                    if (!TryParseEndpoint(key, servicePort, out var address, out var port, out var error))
                    {
                        diagnostics.Error(entry.Key, $"'{key}' is not a real server: {error}");
                        continue;
                    }

                    var configured = context.RealServers.FirstOrDefault(r => r.Server.Address.Equals(address) && r.Server.Port == port);
                    if (configured is null)
                    {
                        diagnostics.Error(entry.Key, $"{AddressPort.Format(address, port)} is not one of this service's servers ({string.Join(", ", context.RealServers.Select(r => r.Server.Endpoint))})");
                        continue;
                    }

                    if (perServer.ContainsKey((address, port)))
                    {
                        diagnostics.Error(entry.Key, $"{AddressPort.Format(address, port)} is listed twice under servers");
                        continue;
                    }

                    perServer[(address, port)] = ReadServer(entry.Value, configured.Server, serviceChecks, defaults, diagnostics);
                }
            }
        }

        if (diagnostics.ErrorCount != errors)
        {
            return null;
        }

        var list = context.RealServers
            .Select(r => perServer.TryGetValue((r.Server.Address, r.Server.Port), out var own) ? own : new CheckedRealServer(r.Server, serviceChecks))
            .ToList();
        return new CheckedHealth(policy, list);
    }

    private readonly record struct CheckDefaults(TimeSpan Interval, TimeSpan Timeout);

    private static CheckedRealServer ReadServer(ConfigNode node, RealServer server, IReadOnlyList<CheckDefinition> serviceChecks, CheckDefaults defaults, ConfigDiagnostics diagnostics)
    {
        var result = new CheckedRealServer(server, serviceChecks);
        if (node is ConfigScalar { IsNull: true })
        {
            return result;
        }

        if (node is not ConfigMapping mapping)
        {
            diagnostics.Error(node, $"a server's entry must be a mapping (checks, on-up, on-down, alpha, inhibit-on-failure), not {node.KindName}");
            return result;
        }

        ConfigValues.CheckKeys(mapping, s_serverKeys, diagnostics, "a server's checks");
        if (mapping.TryGetValue("checks", out var checks))
        {
            result = result with { Checks = ReadChecks(checks, defaults, diagnostics) };
        }

        if (mapping.TryGetValue("alpha", out var alpha) && ConfigValues.TryReadBoolean(alpha, "alpha", diagnostics, out var serverAlpha))
        {
            result = result with { Alpha = serverAlpha };
        }

        if (mapping.TryGetValue("inhibit-on-failure", out var inhibit) && ConfigValues.TryReadBoolean(inhibit, "inhibit-on-failure", diagnostics, out var serverInhibit))
        {
            result = result with { InhibitOnFailure = serverInhibit };
        }

        if (mapping.TryGetValue("on-up", out var up))
        {
            result = result with { OnUp = ReadScript(up, "on-up", diagnostics) };
        }

        if (mapping.TryGetValue("on-down", out var down))
        {
            result = result with { OnDown = ReadScript(down, "on-down", diagnostics) };
        }

        return result;
    }

    private static List<CheckDefinition> ReadChecks(ConfigNode node, CheckDefaults defaults, ConfigDiagnostics diagnostics)
    {
        var list = new List<CheckDefinition>();
        if (node is not ConfigSequence sequence)
        {
            diagnostics.Error(node, $"checks must be a list of checks ({{type: tcp}}, {{type: http, urls: [...]}}, …), not {node.KindName}");
            return list;
        }

        foreach (var item in sequence.Items)
        {
            if (ReadCheck(item, defaults, diagnostics) is { } check)
            {
                list.Add(check);
            }
        }

        return list;
    }

    private static CheckDefinition? ReadCheck(ConfigNode checkNode, CheckDefaults defaults, ConfigDiagnostics diagnostics)
    {
        if (checkNode is not ConfigMapping mapping)
        {
            diagnostics.Error(checkNode, $"a check must be a mapping with a type ({string.Join(" ", s_kinds)}), not {checkNode.KindName}");
            return null;
        }

        if (!mapping.TryGetValue("type", out var typeNode))
        {
            diagnostics.Error(mapping, $"a check needs a type: {string.Join(" ", s_kinds)}");
            return null;
        }

        if (!ConfigValues.TryReadString(typeNode, "check type", diagnostics, out var type))
        {
            return null;
        }

        string[] own = type switch
        {
            "http" or "https" => ["urls", "virtualhost", "insecure-skip-verify"],
            "tcp" or "ping" => [],
            "misc" => ["run", "dynamic", "user"],
            "udp" => ["payload", "require-reply"],
            "dns" => ["query-type", "name"],
            "smtp" => ["helo-name"],
            "file" => ["path", "weight", "reverse"],
            _ => null!,
        };
        if (own is null)
        {
            var suggestion = ConfigValues.Suggest(type, s_kinds);
            diagnostics.Error(typeNode, $"unknown check type '{type}'" + (suggestion is null ? string.Empty : $" (did you mean '{suggestion}'?)") + $"; known: {string.Join(" ", s_kinds)}");
            return null;
        }

        ConfigValues.CheckKeys(mapping, [.. s_commonKeys, .. own], diagnostics, $"a {type} check");
        var errors = diagnostics.ErrorCount;
        CheckDefinition check = type switch
        {
            "http" or "https" => ReadHttp(mapping, type == "https", diagnostics),
            "tcp" => new TcpCheck(),
            "ping" => new PingCheck(),
            "misc" => ReadMisc(mapping, diagnostics),
            "udp" => ReadUdp(mapping, diagnostics),
            "dns" => ReadDns(mapping, diagnostics),
            "smtp" => new SmtpCheck { HeloName = ReadOptionalString(mapping, "helo-name", diagnostics) },
            _ => ReadFile(mapping, diagnostics),
        };

        // keepalived's retry defaults: 0 for MISC_CHECK, 3 for DNS_CHECK, 1 otherwise. A FILE_CHECK
        // has no timer there (the file is watched and read at start): no retries, no warmup here.
        check = check with
        {
            Interval = defaults.Interval,
            Timeout = defaults.Timeout,
            Retry = check.Kind switch { CheckKind.Misc or CheckKind.File => 0, CheckKind.Dns => 3, _ => 1 },
            Warmup = check.Kind == CheckKind.File ? TimeSpan.Zero : null,
        };
        if (mapping.TryGetValue("interval", out var node) && ReadPositiveDuration(node, "interval", diagnostics) is { } interval)
        {
            check = check with { Interval = interval };
        }

        if (mapping.TryGetValue("timeout", out node) && ReadPositiveDuration(node, "timeout", diagnostics) is { } timeout)
        {
            check = check with { Timeout = timeout };
        }

        if (mapping.TryGetValue("retry", out node) && ConfigValues.TryReadUInt32(node, "retry", 0, 1000, diagnostics, out var retry))
        {
            check = check with { Retry = (int)retry };
        }

        if (mapping.TryGetValue("delay-before-retry", out node) && ConfigValues.TryReadDuration(node, "delay-before-retry", diagnostics, out var delay))
        {
            check = check with { DelayBeforeRetry = delay };
        }

        if (mapping.TryGetValue("warmup", out node) && ConfigValues.TryReadDuration(node, "warmup", diagnostics, out var warmup))
        {
            check = check with { Warmup = warmup };
        }

        if (mapping.TryGetValue("alpha", out node) && ConfigValues.TryReadBoolean(node, "alpha", diagnostics, out var checkAlpha))
        {
            check = check with { Alpha = checkAlpha };
        }

        if (mapping.TryGetValue("connect-ip", out node))
        {
            check = check with { ConnectAddress = ReadAddress(node, "connect-ip", diagnostics) };
        }

        if (mapping.TryGetValue("connect-port", out node) && ConfigValues.TryReadUInt32(node, "connect-port", 1, 65535, diagnostics, out var port))
        {
            check = check with { ConnectPort = (ushort)port };
        }

        if (mapping.TryGetValue("bind-to", out node))
        {
            check = check with { BindAddress = ReadAddress(node, "bind-to", diagnostics) };
        }

        if (mapping.TryGetValue("bind-port", out node) && ConfigValues.TryReadUInt32(node, "bind-port", 1, 65535, diagnostics, out port))
        {
            check = check with { BindPort = (ushort)port };
        }

        if (check.ConnectAddress is { } connect && check.BindAddress is { } bind && connect.AddressFamily != bind.AddressFamily)
        {
            diagnostics.Error(mapping, $"bind-to {bind} and connect-ip {connect} are of different address families");
        }

        return diagnostics.ErrorCount == errors ? check : null;
    }

    private static HttpCheck ReadHttp(ConfigMapping mapping, bool tls, ConfigDiagnostics diagnostics)
    {
        var check = new HttpCheck { Tls = tls, VirtualHost = ReadOptionalString(mapping, "virtualhost", diagnostics) };
        if (mapping.TryGetValue("insecure-skip-verify", out var node) && ConfigValues.TryReadBoolean(node, "insecure-skip-verify", diagnostics, out var skip))
        {
            check = check with { InsecureSkipVerify = skip };
        }

        if (!mapping.TryGetValue("urls", out node))
        {
            diagnostics.Error(mapping, $"an {(tls ? "https" : "http")} check needs urls (each with a path; keepalived's url blocks)");
            return check;
        }

        if (node is not ConfigSequence urls || urls.Items.Count == 0)
        {
            diagnostics.Error(node, $"urls must be a list of at least one {{path: /, status: [200], digest: …, virtualhost: …}}, not {node.KindName}");
            return check;
        }

        var list = new List<HttpCheckUrl>();
        foreach (var item in urls.Items)
        {
            if (item is not ConfigMapping url)
            {
                diagnostics.Error(item, $"a url must be a mapping (path, status, digest, virtualhost), not {item.KindName}");
                continue;
            }

            ConfigValues.CheckKeys(url, s_urlKeys, diagnostics, "a url");
            var entry = new HttpCheckUrl { VirtualHost = ReadOptionalString(url, "virtualhost", diagnostics) };
            if (url.TryGetValue("path", out var pathNode) && ConfigValues.TryReadString(pathNode, "path", diagnostics, out var path))
            {
                if (!path.StartsWith('/') || path.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
                {
                    diagnostics.Error(pathNode, $"the path '{path}' must start with '/' and contain no spaces");
                }

                entry = entry with { Path = path };
            }
            else if (pathNode is null)
            {
                diagnostics.Error(url, "a url needs a path");
            }

            if (url.TryGetValue("status", out var statusNode))
            {
                entry = entry with { StatusCodes = ReadStatusRanges(statusNode, diagnostics) };
            }

            if (url.TryGetValue("digest", out var digestNode) && ConfigValues.TryReadString(digestNode, "digest", diagnostics, out var digest))
            {
                if (digest.Length != 32 || !digest.All(Uri.IsHexDigit))
                {
                    diagnostics.Error(digestNode, $"digest '{digest}' must be an MD5 digest: 32 hexadecimal digits (genhash prints it)");
                }

                entry = entry with { Digest = digest.ToLowerInvariant() };
            }

            list.Add(entry);
        }

        return check with { Urls = list };
    }

    private static List<StatusCodeRange> ReadStatusRanges(ConfigNode node, ConfigDiagnostics diagnostics)
    {
        var ranges = new List<StatusCodeRange>();
        var items = node is ConfigSequence sequence ? sequence.Items : [node];
        foreach (var item in items)
        {
            if (item is not ConfigScalar { IsNull: false } scalar)
            {
                diagnostics.Error(item, $"a status must be a code (200) or a range (\"200-299\"), not {item.KindName}");
                continue;
            }

            var parts = scalar.Value.Split('-');
            if (parts.Length is 1 or 2
                && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var first)
                && int.TryParse(parts[^1], NumberStyles.None, CultureInfo.InvariantCulture, out var last)
                && first is >= 100 and <= 999 && last is >= 100 and <= 999)
            {
                if (last < first)
                {
                    diagnostics.Error(item, $"the status range '{scalar.Value}' ends before it starts");
                    continue;
                }

                ranges.Add(new StatusCodeRange(first, last));
            }
            else
            {
                diagnostics.Error(item, $"'{scalar.Value}' is not a status code (100-999) or a range of them (\"200-299\")");
            }
        }

        return ranges;
    }

    private static MiscCheck ReadMisc(ConfigMapping mapping, ConfigDiagnostics diagnostics)
    {
        var check = new MiscCheck { Dynamic = ReadBool(mapping, "dynamic", diagnostics), User = ReadOptionalString(mapping, "user", diagnostics) };
        if (!mapping.TryGetValue("run", out var node))
        {
            diagnostics.Error(mapping, "a misc check needs run: the program and its arguments, as a list ([/usr/local/bin/check, 198.18.1.2])");
            return check;
        }

        return check with { Command = ReadArguments(node, "run", diagnostics) ?? [] };
    }

    private static UdpCheck ReadUdp(ConfigMapping mapping, ConfigDiagnostics diagnostics)
    {
        var check = new UdpCheck();
        if (mapping.TryGetValue("payload", out var node) && ReadHex(node, "payload", diagnostics) is { } payload)
        {
            check = check with { Payload = payload };
        }

        if (mapping.TryGetValue("require-reply", out node))
        {
            if (node is ConfigScalar { IsQuoted: false, Value: "true" or "false" } flag)
            {
                check = check with { RequireReply = flag.Value == "true" };
            }
            else if (ReadHex(node, "require-reply", diagnostics) is { } expected)
            {
                check = check with { RequireReply = true, ExpectedReply = expected };
            }
        }

        return check;
    }

    private static DnsCheck ReadDns(ConfigMapping mapping, ConfigDiagnostics diagnostics)
    {
        var check = new DnsCheck();
        if (mapping.TryGetValue("query-type", out var node) && ConfigValues.TryReadString(node, "query-type", diagnostics, out var type))
        {
            var upper = type.ToUpperInvariant();
            if (!s_queryTypes.Contains(upper))
            {
                diagnostics.Error(node, $"unknown query-type '{type}'; known: {string.Join(" ", s_queryTypes)}");
            }

            check = check with { QueryType = upper };
        }

        if (mapping.TryGetValue("name", out node) && ConfigValues.TryReadString(node, "name", diagnostics, out var name))
        {
            if (name.Length > 253 || name.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)) || name.Split('.').Any(l => l.Length > 63))
            {
                diagnostics.Error(node, $"'{name}' is not a DNS name");
            }

            check = check with { Name = name };
        }

        return check;
    }

    private static FileCheck ReadFile(ConfigMapping mapping, ConfigDiagnostics diagnostics)
    {
        var check = new FileCheck { Reverse = ReadBool(mapping, "reverse", diagnostics) };
        if (!mapping.TryGetValue("path", out var node))
        {
            diagnostics.Error(mapping, "a file check needs a path (the file holding a number)");
        }
        else if (ConfigValues.TryReadString(node, "path", diagnostics, out var path))
        {
            if (!path.StartsWith('/'))
            {
                diagnostics.Error(node, $"the path '{path}' must be absolute");
            }

            check = check with { Path = path };
        }

        if (mapping.TryGetValue("weight", out node))
        {
            if (node is ConfigScalar { IsNull: false } scalar && int.TryParse(scalar.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var weight) && weight != int.MinValue)
            {
                check = check with { Weight = weight };
            }
            else
            {
                diagnostics.Error(node, "weight must be a whole number from -2147483647 to 2147483647 (the multiplier of the file's value)");
            }
        }

        if (check.Reverse && !mapping.TryGetValue("weight", out _))
        {
            diagnostics.Error(mapping, "reverse needs a weight");
        }

        return check;
    }

    private static byte[]? ReadHex(ConfigNode node, string what, ConfigDiagnostics diagnostics)
    {
        if (!ConfigValues.TryReadString(node, what, diagnostics, out var text))
        {
            return null;
        }

        var digits = text.Replace(" ", string.Empty, StringComparison.Ordinal);
        if (digits.Length == 0 || digits.Length % 2 != 0 || !digits.All(Uri.IsHexDigit))
        {
            diagnostics.Error(node, $"{what} '{text}' must be bytes in hexadecimal, two digits each (\"0a1b2c\")");
            return null;
        }

        return Convert.FromHexString(digits);
    }

    /// <summary>A script: an argument array, or {run, user, timeout}.</summary>
    internal static ScriptCommand? ReadScript(ConfigNode node, string what, ConfigDiagnostics diagnostics)
    {
        if (node is ConfigSequence)
        {
            return ReadArguments(node, what, diagnostics) is { } arguments ? new ScriptCommand { Arguments = arguments } : null;
        }

        if (node is not ConfigMapping mapping)
        {
            diagnostics.Error(node, $"{what} must be an argument array ([/usr/local/bin/notify, up]) or {{run: [...], user: USER, timeout: 10s}}, not {node.KindName}");
            return null;
        }

        ConfigValues.CheckKeys(mapping, s_scriptKeys, diagnostics, $"the {what} script");
        if (!mapping.TryGetValue("run", out var run))
        {
            diagnostics.Error(mapping, $"the {what} script needs run: the program and its arguments");
            return null;
        }

        var script = ReadArguments(run, what, diagnostics) is { } args ? new ScriptCommand { Arguments = args } : null;
        var user = ReadOptionalString(mapping, "user", diagnostics);
        TimeSpan? timeout = mapping.TryGetValue("timeout", out var timeoutNode) ? ReadPositiveDuration(timeoutNode, "timeout", diagnostics) : null;
        return script is null ? null : script with { User = user, Timeout = timeout ?? ScriptCommand.DefaultTimeout };
    }

    private static List<string>? ReadArguments(ConfigNode node, string what, ConfigDiagnostics diagnostics)
    {
        if (node is not ConfigSequence sequence || sequence.Items.Count == 0)
        {
            diagnostics.Error(node, $"{what} must be a list: the program's absolute path, then its arguments (never run through a shell)");
            return null;
        }

        var arguments = new List<string>();
        foreach (var item in sequence.Items)
        {
            if (item is ConfigScalar { IsNull: false } scalar)
            {
                if (scalar.Value.Contains('\0', StringComparison.Ordinal))
                {
                    diagnostics.Error(item, "an argument cannot contain a NUL character");
                }

                arguments.Add(scalar.Value);
            }
            else
            {
                diagnostics.Error(item, $"an argument must be a value, not {item.KindName}");
            }
        }

        if (arguments.Count > 0 && !arguments[0].StartsWith('/'))
        {
            diagnostics.Error(sequence.Items[0], $"the program '{arguments[0]}' must be an absolute path");
        }

        return arguments;
    }

    private static RealServer? ReadSorryServer(ConfigNode node, ushort servicePort, ConfigDiagnostics diagnostics)
    {
        ConfigNode endpointNode = node;
        ConfigMapping? mapping = null;
        if (node is ConfigMapping m)
        {
            mapping = m;
            ConfigValues.CheckKeys(m, s_sorryKeys, diagnostics, "the sorry server");
            if (!m.TryGetValue("server", out var server))
            {
                diagnostics.Error(m, "the sorry server needs server: ADDRESS:PORT");
                return null;
            }

            endpointNode = server;
        }

        if (!ConfigValues.TryReadString(endpointNode, "sorry-server", diagnostics, out var text))
        {
            return null;
        }

        if (!TryParseEndpoint(text, servicePort, out var address, out var port, out var error))
        {
            diagnostics.Error(endpointNode, $"the sorry server '{text}' is not ADDRESS:PORT: {error}");
            return null;
        }

        var sorry = new RealServer(address, port);
        if (mapping is not null)
        {
            if (mapping.TryGetValue("forward", out var forwardNode) && ConfigValues.TryReadString(forwardNode, "forward", diagnostics, out var forward))
            {
                if (IpvsNames.ParseConfigForwarding(forward) is { } method)
                {
                    sorry = sorry with { ForwardingMethod = method };
                }
                else
                {
                    diagnostics.Error(forwardNode, $"unknown forwarding method '{forward}': expected masq, route, tunnel or local");
                }
            }

            if (mapping.TryGetValue("weight", out var weightNode) && ConfigValues.TryReadUInt32(weightNode, "weight", 0, CheckedServiceKeeper.MaxWeight, diagnostics, out var weight))
            {
                sorry = sorry with { Weight = (int)weight };
            }
        }

        return sorry;
    }

    private static bool TryParseEndpoint(string text, ushort defaultPort, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out IPAddress? address, out ushort port, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? error)
    {
        if (IPAddress.TryParse(text, out address) && !text.StartsWith('['))
        {
            port = defaultPort;
            error = null;
            return true;
        }

        return AddressPort.TryParse(text, out address, out port, out error);
    }

    private static IPAddress? ReadAddress(ConfigNode node, string what, ConfigDiagnostics diagnostics)
    {
        if (ConfigValues.TryReadString(node, what, diagnostics, out var text))
        {
            // IPAddress.TryParse takes "198.18.1" as 198.18.0.1: an IPv4 address must have its four parts.
            if (IPAddress.TryParse(text, out var address) && !text.Contains('/', StringComparison.Ordinal)
                && (address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork || text.Count(c => c == '.') == 3))
            {
                return address;
            }

            diagnostics.Error(node, $"{what} '{text}' is not an IP address");
        }

        return null;
    }

    private static string? ReadOptionalString(ConfigMapping mapping, string key, ConfigDiagnostics diagnostics) =>
        mapping.TryGetValue(key, out var node) && ConfigValues.TryReadString(node, key, diagnostics, out var text) ? text : null;

    private static bool ReadBool(ConfigMapping mapping, string key, ConfigDiagnostics diagnostics) =>
        mapping.TryGetValue(key, out var node) && ConfigValues.TryReadBoolean(node, key, diagnostics, out var value) && value;

    private static TimeSpan? ReadPositiveDuration(ConfigNode node, string what, ConfigDiagnostics diagnostics)
    {
        if (!ConfigValues.TryReadDuration(node, what, diagnostics, out var value))
        {
            return null;
        }

        if (value <= TimeSpan.Zero)
        {
            diagnostics.Error(node, $"{what} must be positive, not {ConfigValues.FormatDuration(value)}");
            return null;
        }

        return value;
    }
}
