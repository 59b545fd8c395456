using System.Globalization;
using System.Net;
using Ipvs.State;
using Ipvs.State.Keepalived;

namespace Ipvs.Cli.Import;

/// <summary>
/// The pair: one keepalived.conf per director. The services come from the first file; the
/// vrrp_instance blocks with one virtual_router_id in two files and the first file's
/// lvs_sync_daemon become the ha section (docs/ha.md), checked with HaSectionReader before it is
/// written, so an invalid section is reported instead of written.
/// </summary>
internal sealed partial class KeepalivedImporter
{
    private bool _pair;

    private static readonly string[] s_mappedVrrp =
        ["interface", "virtual_router_id", "advert_int", "nopreempt", "preempt", "preempt_delay", "unicast_src_ip", "unicast_peer", "priority", "virtual_ipaddress"];

    /// <summary>Imports the first file's services, and the ha section from the pair of files.</summary>
    public static ImportResult Import(IReadOnlyList<KeepalivedConfig> configs)
    {
        ArgumentNullException.ThrowIfNull(configs);
        if (configs.Count < 2)
        {
            return Import(configs[0]);
        }

        var services = new ListNode();
        var document = new MapNode().Add("version", 1L).Add("services", services);
        var result = new ImportResult { Document = document };
        var importer = new KeepalivedImporter(result) { _pair = true };
        importer.Run(configs[0], services);
        for (var i = 1; i < configs.Count; i++)
        {
            importer.CompareServices(configs[0], configs[i], services);
        }

        if (result.Errors.Count == 0)
        {
            importer.Ha(configs, document, services);
        }

        return result;
    }

    private void CompareServices(KeepalivedConfig first, KeepalivedConfig other, ListNode services)
    {
        var otherResult = Import(other);
        foreach (var message in otherResult.Errors)
        {
            _result.Errors.Add(message);
        }

        if (otherResult.Errors.Count > 0)
        {
            return;
        }

        var otherServices = ((ListNode)otherResult.Document!["services"]!).Items;
        var virtualServers = other.Statements.Where(s => s.Keyword == "virtual_server").ToList();
        var count = Math.Max(services.Items.Count, otherServices.Count);
        for (var i = 0; i < count; i++)
        {
            var mine = i < services.Items.Count ? services.Items[i].ToJson() : null;
            var theirs = i < otherServices.Count ? otherServices[i].ToJson() : null;
            if (mine == theirs)
            {
                continue;
            }

            // One service per virtual_server unless a group expands it: the closest block names the line.
            var statement = virtualServers.Count == 0 ? null : virtualServers[Math.Min(i, virtualServers.Count - 1)];
            var reason = theirs is null
                ? $"{first.Files[0]} has a service this file lacks: the services are written from the first file only"
                : mine is null
                    ? $"a service that {first.Files[0]} lacks: the services are written from the first file only"
                    : $"describes the services otherwise than {first.Files[0]} (service {i + 1}): the services are written from the first file only";
            if (statement is not null)
            {
                NotCarried(statement, reason);
            }
            else
            {
                _result.NotCarried.Add(new ImportItem(new SourceLocation(other.Files[0], 1, 1), "virtual_server", reason));
            }

            return;
        }
    }

    private sealed record Director(string Name, KeepalivedConfig Config, KeepalivedStatement Instance);

    private void Ha(IReadOnlyList<KeepalivedConfig> configs, MapNode document, ListNode services)
    {
        var firstInstances = configs[0].Statements.Where(s => s.Keyword == "vrrp_instance").ToList();
        List<Director>? directors = null;
        foreach (var instance in firstInstances)
        {
            var id = Value(instance, "virtual_router_id");
            var matches = new List<Director> { new(NodeName(configs[0]), configs[0], instance) };
            for (var i = 1; i < configs.Count; i++)
            {
                if (configs[i].Statements.FirstOrDefault(s => s.Keyword == "vrrp_instance" && Value(s, "virtual_router_id") == id) is { } match)
                {
                    matches.Add(new Director(NodeName(configs[i]), configs[i], match));
                }
            }

            if (directors is null && id is not null && matches.Count == configs.Count)
            {
                directors = matches;
            }
            else
            {
                NotCarried(instance, directors is null
                    ? $"no vrrp_instance with virtual_router_id {id ?? "(none)"} in every file: the ha section needs the instance of each director; " + VrrpReason(instance)
                    : "the ha section holds one VRRP instance; this one stays with keepalived (docs/ha.md)");
            }
        }

        foreach (var config in configs.Skip(1))
        {
            foreach (var instance in config.Statements.Where(s => s.Keyword == "vrrp_instance"))
            {
                if (directors is null || !directors.Any(d => ReferenceEquals(d.Instance, instance)))
                {
                    NotCarried(instance, $"no vrrp_instance with this virtual_router_id in {configs[0].Files[0]}: the ha section is written from the instance of every file");
                }
            }
        }

        var syncs = configs.Select(c => c.Statements.Where(s => s.Keyword == "global_defs").SelectMany(s => s.Block!).FirstOrDefault(s => s.Keyword == "lvs_sync_daemon")).ToList();
        if (directors is null)
        {
            foreach (var sync in syncs.OfType<KeepalivedStatement>())
            {
                NotCarried(sync, SyncReason(sync));
            }

            return;
        }

        var ha = HaNode(directors, syncs);
        if (ha is null)
        {
            return;
        }

        // Checked as 'ipvs care' will read it: an invalid section is reported, never written.
        var check = new MapNode().Add("version", 1L).Add("services", new ListNode(services.Items.Select(WithoutHealth))).Add("ha", ha);
        var read = Ipvs.Ha.HaSectionReader.Parse(check.ToYaml(), "ha section");
        if (!read.Succeeded)
        {
            var reason = "the ha section written from it would not be valid: "
                + string.Join("; ", read.Diagnostics.Where(d => d.Severity == ConfigSeverity.Error).Select(d => d.Message))
                + "; " + VrrpReason(directors[0].Instance);
            NotCarried(directors[0].Instance, reason);
            return;
        }

        document.Add("ha", ha);
    }

    private static DocumentNode WithoutHealth(DocumentNode service)
    {
        if (service is not MapNode map)
        {
            return service;
        }

        var copy = new MapNode();
        foreach (var (key, value) in map.Entries.Where(e => e.Key != "health"))
        {
            copy.Add(key, value);
        }

        return copy;
    }

    private MapNode? HaNode(List<Director> directors, List<KeepalivedStatement?> syncs)
    {
        var first = directors[0].Instance;
        var ha = new MapNode();
        var failed = false;
        if (first.Argument(0) is { } name)
        {
            ha.Add("instance", name.Value);
        }

        foreach (var field in new[] { "interface", "virtual_router_id", "advert_int", "preempt_delay" })
        {
            var values = directors.Select(d => Value(d.Instance, field)).Distinct().ToList();
            if (values.Count > 1)
            {
                NotCarried(directors[1].Instance, $"{field} differs between the directors ({string.Join(", ", values.Select(v => v ?? "(default)"))}): the ha section has one for both");
                failed = true;
            }
        }

        var preempt = directors.Select(d => d.Instance.Block!.Any(s => s.Keyword == "nopreempt")).Distinct().ToList();
        if (preempt.Count > 1)
        {
            NotCarried(directors[1].Instance, "nopreempt on one director only: the ha section has one preempt for both");
            failed = true;
        }

        var unicast = directors.Select(d => d.Instance.Block!.Any(s => s.Keyword == "unicast_peer")).Distinct().ToList();
        if (unicast.Count > 1)
        {
            NotCarried(directors[1].Instance, "unicast_peer on one director only: the ha section is unicast or multicast for both");
            failed = true;
        }

        if (Value(first, "interface") is { } iface)
        {
            ha.Add("interface", iface);
        }

        if (Value(first, "virtual_router_id") is { } routerId && long.TryParse(routerId, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
        {
            ha.Add("router-id", id);
        }

        if (Value(first, "advert_int") is { } advert)
        {
            ha.Add("advert-interval", advert + "s");
        }

        if (preempt[0])
        {
            ha.Add("preempt", false);
        }

        if (Value(first, "preempt_delay") is { } delay)
        {
            ha.Add("preempt-delay", delay + "s");
        }

        if (unicast[0])
        {
            ha.Add("unicast", true);
        }

        var nodes = new ListNode();
        var priorities = new Dictionary<string, Director>(StringComparer.Ordinal);
        foreach (var director in directors)
        {
            var address = Value(director.Instance, "unicast_src_ip")
                ?? directors.Where(d => d != director).SelectMany(d => d.Instance.Block!.Where(s => s.Keyword == "unicast_peer").SelectMany(s => s.Block ?? []))
                    .Select(s => s.Keyword).FirstOrDefault(a => !directors.Any(o => o != director && Value(o.Instance, "unicast_src_ip") == a));
            if (address is null || !IPAddress.TryParse(address, out _))
            {
                NotCarried(director.Instance, $"the address of director {director.Name} on {Value(director.Instance, "interface")} is not in the files (no unicast_src_ip): the ha section needs each node's address; add it by hand");
                failed = true;
            }

            var priority = Value(director.Instance, "priority") ?? "100";
            if (priorities.TryGetValue(priority, out var other))
            {
                NotCarried(director.Instance, $"priority {priority} is also {other.Name}'s: the ha section needs different priorities (keepalived breaks the tie by the higher address)");
                failed = true;
            }

            priorities[priority] = director;
            var node = new MapNode().Add("name", director.Name).Add("address", address ?? "").Add("priority", long.TryParse(priority, NumberStyles.None, CultureInfo.InvariantCulture, out var p) ? p : 0);
            nodes.Items.Add(node);
        }

        ha.Add("nodes", nodes);

        var vips = new List<string>();
        foreach (var entry in first.Block!.Where(s => s.Keyword == "virtual_ipaddress").SelectMany(s => s.Block ?? []))
        {
            vips.Add(entry.Keyword);
            if (entry.Arguments.Count > 0)
            {
                NotCarried(entry, $"{string.Join(' ', entry.Arguments.Select(a => a.Value))}: the ha section adds the address on the VRRP interface with no other option");
            }
        }

        if (vips.Count > 0)
        {
            ha.Add("virtual-addresses", ListNode.Strings(vips));
        }

        foreach (var director in directors)
        {
            foreach (var inner in director.Instance.Block!)
            {
                if (!s_mappedVrrp.Contains(inner.Keyword))
                {
                    NotCarried(inner, VrrpOptionReason(inner.Keyword));
                }
            }
        }

        if (syncs[0] is { } sync)
        {
            ha.Add("sync", SyncNode(sync));
        }

        foreach (var other in syncs.Skip(1).OfType<KeepalivedStatement>())
        {
            if (syncs[0] is null || !other.Arguments.Select(a => a.Value).SequenceEqual(syncs[0]!.Arguments.Select(a => a.Value)))
            {
                NotCarried(other, "differs from the first file's lvs_sync_daemon: the ha section's sync is the first file's, for both directors");
            }
        }

        return failed ? null : ha;
    }

    private MapNode SyncNode(KeepalivedStatement statement)
    {
        var sync = new MapNode();
        var words = statement.Arguments;
        if (words.Count > 0)
        {
            sync.Add("interface", words[0].Value);
        }

        for (var i = 1; i < words.Count; i++)
        {
            var key = words[i].Value;
            var value = i + 1 < words.Count ? words[i + 1].Value : null;
            switch (key)
            {
                case "id" or "port" or "ttl" or "maxlen" when value is not null && long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n):
                    sync.Add(key == "maxlen" ? "max-length" : key, n);
                    i++;
                    break;
                case "group" when value is not null:
                    sync.Add("group", value);
                    i++;
                    break;
                case "inst" when value is not null:
                    i++; // the instance: the ha section has one
                    break;
                default:
                    if (i == 1)
                    {
                        break; // the instance written without 'inst'
                    }

                    Error(words[i].Location, $"lvs_sync_daemon: unknown option '{key}' (keepalived knows inst, id, maxlen, port, ttl, group)");
                    break;
            }
        }

        return sync;
    }

    private static string VrrpOptionReason(string keyword) => keyword switch
    {
        "state" => "the ha section starts each director as keepalived's BACKUP and the priorities decide (docs/ha.md)",
        "track_script" or "track_interface" or "track_file" or "track_process" or "track_bfd" => "the ha section tracks the services' health (health.min-healthy, health.penalty), nothing else (docs/ha.md)",
        "authentication" => "VRRP authentication was removed from VRRPv3 (RFC 5798); the ha section writes none",
        _ when keyword.StartsWith("notify", StringComparison.Ordinal) => "keepalived's notify runs 'ipvs ha notify' (docs/ha.md); other notify scripts are not written",
        _ when keyword.StartsWith("garp", StringComparison.Ordinal) => "keepalived's defaults for gratuitous ARP apply",
        _ => "the ha section has no counterpart (docs/ha.md)",
    };

    private string NodeName(KeepalivedConfig config) =>
        config.Statements.Where(s => s.Keyword == "global_defs").SelectMany(s => s.Block!).FirstOrDefault(s => s.Keyword == "router_id")?.Argument(0)?.Value
        ?? Path.GetFileNameWithoutExtension(config.Files[0]);

    private static string? Value(KeepalivedStatement statement, string keyword) =>
        statement.Block?.LastOrDefault(s => s.Keyword == keyword)?.Argument(0)?.Value;
}
