using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Ipvs.State;
using Ipvs.State.Keepalived;

namespace Ipvs.Cli.Import;

/// <summary>
/// Translates keepalived's LVS configuration (virtual_server, virtual_server_group, real_server,
/// the checkers, track_file) into an <c>ipvs care -f</c> file: the declarative schema
/// (docs/config.md) with a keepalived-style <c>health</c> section per service (docs/care.md,
/// "Checks and policies"). keepalived's defaults are written out where ours could differ;
/// what keepalived corrects itself (a missing protocol, ports of DR servers, a quorum above the
/// total weight) is corrected the same way and reported as a warning; everything else that has
/// no counterpart is reported with its file:line, never dropped silently.
/// </summary>
internal sealed partial class KeepalivedImporter
{
    private readonly ImportResult _result;
    private readonly Dictionary<string, KeepalivedStatement> _groups = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TrackFile> _trackFiles = new(StringComparer.Ordinal);
    private readonly HashSet<string> _usedTrackFiles = new(StringComparer.Ordinal);
    private readonly HashSet<string> _usedGroups = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SourceLocation> _serviceNames = new(StringComparer.Ordinal);
    private string? _scriptUser;

    // Our limit, not keepalived's: a virtual server whose group expands beyond it is not written.
    internal const int MaxServicesPerVirtualServer = 4096;

    private KeepalivedImporter(ImportResult result) => _result = result;

    private sealed record TrackFile(string Name, string? Path, int Weight, bool Reverse, KeepalivedStatement Statement);

    public static ImportResult Import(KeepalivedConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var services = new ListNode();
        var document = new MapNode().Add("version", 1L).Add("services", services);
        var result = new ImportResult { Document = document };
        var importer = new KeepalivedImporter(result);
        importer.Run(config, services);
        return result;
    }

    private void Run(KeepalivedConfig config, ListNode services)
    {
        // First the blocks others refer to: groups, track files, the default script user.
        foreach (var statement in config.Statements)
        {
            switch (statement.Keyword)
            {
                case "virtual_server_group":
                    if (Required(statement, 0, "a group name") is { } name)
                    {
                        if (_groups.ContainsKey(name.Value))
                        {
                            Error(name.Location, $"virtual_server_group {name.Value} is defined twice");
                        }

                        _groups[name.Value] = statement;
                    }

                    break;
                case "track_file" or "vrrp_track_file":
                    ReadTrackFile(statement);
                    break;
                case "global_defs":
                    foreach (var inner in statement.Block!)
                    {
                        if (inner.Keyword == "script_user" && Required(inner, 0, "a user") is { } user)
                        {
                            _scriptUser = inner.Argument(1) is { } group ? user.Value + ":" + group.Value : user.Value;
                        }
                    }

                    break;
            }
        }

        foreach (var statement in config.Statements)
        {
            switch (statement.Keyword)
            {
                case "virtual_server":
                    foreach (var service in VirtualServer(statement))
                    {
                        services.Items.Add(service);
                    }

                    break;
                case "global_defs":
                    GlobalDefs(statement);
                    break;
                case "virtual_server_group" or "track_file" or "vrrp_track_file":
                    break;
                case "vrrp_instance":
                    if (!_pair)
                    {
                        NotCarried(statement, VrrpReason(statement));
                    }

                    break;
                case "vrrp_script" or "vrrp_sync_group" or "vrrp_track_process" or "track_group" or "garp_group" or "linkbeat_interfaces" or "linkbeat_use_polling"
                    or "static_ipaddress" or "static_routes" or "static_rules" or "interface_up_down_delays" or "bfd_instance":
                    NotCarried(statement, "VRRP and the host's addresses stay with keepalived: 'ipvs ha keepalived-config' writes a VRRP-only keepalived.conf from the ha section (docs/ha.md)");
                    break;
                case "SSL":
                    NotCarried(statement, "a client certificate for SSL_GET: ipvs's https checks present none");
                    break;
                case "net_namespace" or "net_namespace_ipvs":
                    NotCarried(statement, "run ipvs care inside the namespace instead: ip netns exec NAME ipvs care -f FILE");
                    break;
                default:
                    NotCarried(statement, "a keepalived process setting with no counterpart in a care file");
                    break;
            }
        }

        foreach (var (name, trackFile) in _trackFiles)
        {
            if (!_usedTrackFiles.Contains(name))
            {
                NotCarried(trackFile.Statement, "not used by a FILE_CHECK: a VRRP track_file stays with keepalived (the ha section moves the address itself, docs/ha.md)");
            }
        }

        foreach (var (name, group) in _groups)
        {
            if (!_usedGroups.Contains(name))
            {
                Warn(group, $"virtual_server_group {name} is used by no virtual_server; keepalived ignores it too");
            }
        }
    }

    private void ReadTrackFile(KeepalivedStatement statement)
    {
        var name = Required(statement, 0, "a name");
        if (name is null)
        {
            return;
        }

        string? path = null;
        var weight = 1;
        var reverse = false;
        foreach (var inner in statement.Block!)
        {
            switch (inner.Keyword)
            {
                case "file":
                    path = Required(inner, 0, "a file path")?.Value;
                    break;
                case "weight":
                    if (Integer(inner, 0, -254, 254) is { } w)
                    {
                        weight = (int)w;
                    }

                    if (inner.Argument(1) is { } option)
                    {
                        if (option.Value == "reverse")
                        {
                            reverse = true;
                        }
                        else
                        {
                            Error(option.Location, $"unknown track_file weight option '{option.Value}' (keepalived knows 'reverse')");
                        }
                    }

                    break;
                case "init_file":
                    NotCarried(inner, "ipvs does not create or initialise the file: create it before ipvs care starts");
                    break;
            }
        }

        if (path is null)
        {
            Error(statement.Location, $"track_file {name.Value} has no 'file'");
        }

        _trackFiles[name.Value] = new TrackFile(name.Value, path, weight, reverse, statement);
    }

    private void GlobalDefs(KeepalivedStatement statement)
    {
        foreach (var inner in statement.Block!)
        {
            switch (inner.Keyword)
            {
                case "script_user":
                    break; // applied to every script that names no user
                case "lvs_sync_daemon":
                    if (!_pair)
                    {
                        NotCarried(inner, SyncReason(inner));
                    }

                    break;
                case "router_id" when _pair:
                    break; // the node's name in the ha section
                case "lvs_timeouts":
                    NotCarried(inner, "IPVS connection timeouts are not part of a care file: set them with 'ipvs timeout set' (ipvsadm --set) at boot");
                    break;
                case "lvs_flush" or "lvs_flush_on_stop" or "lvs_flush_onstop":
                    NotCarried(inner, "ipvs care leaves services that are not in its file alone and keeps its rules when it stops (traffic keeps flowing); flush with 'ipvs flush' if you need it");
                    break;
                case "router_id":
                    NotCarried(inner, "it names this host in keepalived's emails and SNMP, which ipvs does not send; its log lines and metrics are per service and server");
                    break;
                case "notification_email" or "notification_email_from" or "smtp_server" or "smtp_helo_name" or "smtp_connect_timeout" or "smtp_alert"
                    or "smtp_alert_checker" or "smtp_alert_vrrp" or "no_email_faults" or "no_checker_emails":
                    NotCarried(inner, "ipvs sends no email: changes are in its log, its metrics, and the on-up/on-down scripts");
                    break;
                case "enable_script_security":
                    NotCarried(inner, "ipvs runs scripts with an argument array (never a shell) as the user given to each; it does not check the scripts' file permissions");
                    break;
                default:
                    NotCarried(inner, inner.Keyword.StartsWith("vrrp_", StringComparison.Ordinal) || inner.Keyword.StartsWith("garp", StringComparison.Ordinal)
                        ? "VRRP stays with keepalived (docs/ha.md)"
                        : "a keepalived process setting with no counterpart in a care file");
                    break;
            }
        }
    }

    private static string VrrpReason(KeepalivedStatement statement)
    {
        var parts = new List<string>();
        if (statement.Argument(0) is { } name)
        {
            parts.Add("instance: " + name.Value);
        }

        foreach (var inner in statement.Block!)
        {
            var value = inner.Argument(0)?.Value;
            switch (inner.Keyword)
            {
                case "interface" when value is not null:
                    parts.Add("interface: " + value);
                    break;
                case "virtual_router_id" when value is not null:
                    parts.Add("router-id: " + value);
                    break;
                case "advert_int" when value is not null:
                    parts.Add("advert-interval: " + value + "s");
                    break;
                case "nopreempt":
                    parts.Add("preempt: false");
                    break;
                case "preempt_delay" when value is not null:
                    parts.Add("preempt-delay: " + value + "s");
                    break;
                case "unicast_peer":
                    parts.Add("unicast: true");
                    break;
                case "priority" when value is not null:
                    parts.Add("this director's priority: " + value);
                    break;
                case "unicast_src_ip" when value is not null:
                    parts.Add("this director's address: " + value);
                    break;
            }
        }

        return "the ha section (docs/ha.md) describes both directors (nodes: name, address, priority) and this file only one, so it is not written"
            + " (give the other director's keepalived.conf as a second FILE to write it); the values read: " + string.Join(", ", parts)
            + ". keepalived keeps doing VRRP ('ipvs ha keepalived-config' writes its file)";
    }

    private static string SyncReason(KeepalivedStatement statement)
    {
        var words = statement.Arguments.Select(a => a.Value).ToList();
        var parts = new List<string>();
        if (words.Count > 0)
        {
            parts.Add("interface: " + words[0]);
        }

        for (var i = 1; i + 1 < words.Count; i++)
        {
            var key = words[i] switch
            {
                "id" => "id",
                "port" => "port",
                "ttl" => "ttl",
                "group" => "group",
                "maxlen" => "max-length",
                _ => null,
            };
            if (key is not null)
            {
                parts.Add(key + ": " + words[i + 1]);
                i++;
            }
        }

        return "the sync daemons are the ha section's 'sync' (" + string.Join(", ", parts) + "), and ipvs runs both daemons on both directors instead of switching them with the VRRP state (docs/ha.md); give the other director's keepalived.conf as a second FILE to write the ha section";
    }

    // ---- helpers ----

    private void Error(SourceLocation location, string message) =>
        _result.Errors.Add((location.Line == 0 ? location.File : location.ToString()) + ": " + message);

    private void NotCarried(KeepalivedStatement statement, string reason) =>
        _result.NotCarried.Add(new ImportItem(statement.Location, statement.Keyword, reason));

    private void Warn(KeepalivedStatement statement, string message) =>
        _result.Warnings.Add(new ImportItem(statement.Location, statement.Keyword, message));

    private KeepalivedWord? Required(KeepalivedStatement statement, int index, string what)
    {
        if (statement.Argument(index) is { } word)
        {
            return word;
        }

        Error(statement.Location, $"{statement.Keyword} needs {what}");
        return null;
    }

    private long? Integer(KeepalivedStatement statement, int index, long min, long max)
    {
        if (Required(statement, index, "a number") is not { } word)
        {
            return null;
        }

        if (long.TryParse(word.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
        {
            return value;
        }

        Error(word.Location, $"{statement.Keyword} '{word.Value}' is not a number from {min} to {max}");
        return null;
    }

    // keepalived's read_timer(): seconds, with a fraction down to microseconds.
    private TimeSpan? Timer(KeepalivedStatement statement, int index, double minSeconds)
    {
        if (Required(statement, index, "a time in seconds") is not { } word)
        {
            return null;
        }

        if (double.TryParse(word.Value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var seconds) && seconds >= minSeconds && seconds <= uint.MaxValue)
        {
            return TimeSpan.FromMicroseconds(Math.Round(seconds * 1_000_000));
        }

        Error(word.Location, $"{statement.Keyword} '{word.Value}' is not a time in seconds" + (minSeconds > 0 ? $" of at least {minSeconds.ToString(CultureInfo.InvariantCulture)}" : string.Empty));
        return null;
    }

    // keepalived's check_true_false(): no value means true.
    private bool? Flag(KeepalivedStatement statement)
    {
        if (statement.Argument(0) is not { } word)
        {
            return true;
        }

        switch (word.Value)
        {
            case "true" or "on" or "yes":
                return true;
            case "false" or "off" or "no":
                return false;
            default:
                Error(word.Location, $"{statement.Keyword} '{word.Value}' is not one of true, false, on, off, yes, no");
                return null;
        }
    }

    internal static string Duration(TimeSpan value)
    {
        if (value.Ticks % TimeSpan.TicksPerSecond == 0)
        {
            return ((long)value.TotalSeconds).ToString(CultureInfo.InvariantCulture) + "s";
        }

        return ((long)Math.Round(value.TotalMilliseconds)).ToString(CultureInfo.InvariantCulture) + "ms";
    }

    private DocumentNode? Script(KeepalivedStatement statement)
    {
        if (!KeepalivedScript.TryParse(statement, out var script, out var error))
        {
            Error(statement.Location, error);
            return null;
        }

        var user = script.User is null ? _scriptUser : script.Group is null ? script.User : script.User + ":" + script.Group;
        var run = ListNode.Strings(script.Arguments);
        return user is null ? run : new MapNode().Add("run", run).Add("user", user);
    }

    private static string FormatEndpoint(IPAddress address, int port) =>
        address.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{address}]:{port}" : $"{address}:{port}";

    private IPAddress? Address(KeepalivedWord word, string what)
    {
        if (StrictAddress(word.Value) is { } address)
        {
            return address;
        }

        Error(word.Location, $"{what} '{word.Value}' is not an IP address");
        return null;
    }

    // inet_pton(): IPv4 as four decimal bytes without leading zeros (not .NET's inet_aton forms), or IPv6.
    internal static IPAddress? StrictAddress(string text)
    {
        if (text.Contains(':', StringComparison.Ordinal))
        {
            return !text.Contains('/', StringComparison.Ordinal) && !text.Contains('%', StringComparison.Ordinal) && IPAddress.TryParse(text, out var v6) && v6.AddressFamily == AddressFamily.InterNetworkV6 ? v6 : null;
        }

        var parts = text.Split('.');
        if (parts.Length != 4 || parts.Any(p => p.Length is 0 or > 3 || !p.All(char.IsAsciiDigit) || (p.Length > 1 && p[0] == '0') || int.Parse(p, CultureInfo.InvariantCulture) > 255))
        {
            return null;
        }

        return IPAddress.Parse(text);
    }

    private int? Port(KeepalivedWord? word, string what)
    {
        if (word is null)
        {
            return 0;
        }

        if (int.TryParse(word.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is >= 0 and <= 65535)
        {
            return port;
        }

        Error(word.Location, $"{what} port '{word.Value}' is not a number from 0 to 65535");
        return null;
    }
}
