using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Ipvs.Model;

namespace Ipvs.Ha;

/// <summary>
/// One director's HA state as its daemon sees it: written to the status file, served on the
/// status port (<c>GET /ha</c>) and shown by <c>ipvs ha status</c>. Its JSON form is the wire
/// format between the two directors (snake_case keys, stable).
/// </summary>
public sealed record HaStatus
{
    /// <summary>The VRRP instance.</summary>
    public required string Instance { get; init; }

    /// <summary>This node's name.</summary>
    public required string Node { get; init; }

    /// <summary>This node's address.</summary>
    public required IPAddress Address { get; init; }

    /// <summary>The role keepalived last reported.</summary>
    public HaRoleState Role { get; init; }

    /// <summary>Since when.</summary>
    public DateTimeOffset? RoleSince { get; init; }

    /// <summary>The priority keepalived reported with the role.</summary>
    public int? ReportedPriority { get; init; }

    /// <summary>The node's configured priority.</summary>
    public int BasePriority { get; init; }

    /// <summary>The priority after health: base − track value × penalty (what keepalived advertises).</summary>
    public int EffectivePriority { get; init; }

    /// <summary>The number in the track file.</summary>
    public int TrackValue { get; init; }

    /// <summary>Why the priority is held at the floor (rejoining), or null.</summary>
    public string? HoldReason { get; init; }

    /// <summary>Why the priority is lowered: one line per down service.</summary>
    public IReadOnlyList<string> DownServices { get; init; } = [];

    /// <summary>The virtual addresses local on this node now.</summary>
    public IReadOnlyList<IPAddress> HeldAddresses { get; init; } = [];

    /// <summary>The sync daemons running in the kernel.</summary>
    public IReadOnlyList<SyncDaemon> SyncDaemons { get; init; } = [];

    /// <summary>Why the sync daemons could not be set as asked, or null.</summary>
    public string? SyncProblem { get; init; }

    /// <summary>Role changes seen since the daemon started.</summary>
    public int Transitions { get; init; }

    /// <summary>The daemon's process id (0 when no daemon wrote this).</summary>
    public int ProcessId { get; init; }

    /// <summary>When the daemon started.</summary>
    public DateTimeOffset? Started { get; init; }

    /// <summary>When this was taken.</summary>
    public DateTimeOffset Updated { get; init; }

    /// <summary>The other nodes, as "NAME ADDRESS".</summary>
    public IReadOnlyList<string> Peers { get; init; } = [];

    /// <summary>What the configuration, the role and the track file's number say of a node; the rest is left empty.</summary>
    public static HaStatus For(HaConfig ha, HaNode node, HaRole? role, int trackValue, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(ha);
        ArgumentNullException.ThrowIfNull(node);
        var track = Math.Max(trackValue, 0);
        return new HaStatus
        {
            Instance = ha.Instance,
            Node = node.Name,
            Address = node.Address,
            Role = role?.State ?? HaRoleState.Unknown,
            RoleSince = role?.Since,
            ReportedPriority = role?.Priority,
            BasePriority = node.Priority,
            EffectivePriority = ha.EffectivePriority(node, track),
            TrackValue = track,
            Updated = now,
            Peers = [.. ha.PeersOf(node).Select(p => p.Name + " " + p.Address)],
        };
    }

    /// <summary>The JSON form.</summary>
    public string ToJson()
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            WriteTo(json);
        }

        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    /// <summary>Writes the JSON object.</summary>
    public void WriteTo(Utf8JsonWriter json)
    {
        ArgumentNullException.ThrowIfNull(json);
        json.WriteStartObject();
        json.WriteString("instance", Instance);
        json.WriteString("node", Node);
        json.WriteString("address", Address.ToString());
        json.WriteString("role", HaRole.Name(Role));
        WriteTime(json, "role_since", RoleSince);
        if (ReportedPriority is { } reported)
        {
            json.WriteNumber("reported_priority", reported);
        }
        else
        {
            json.WriteNull("reported_priority");
        }

        json.WriteNumber("base_priority", BasePriority);
        json.WriteNumber("effective_priority", EffectivePriority);
        json.WriteNumber("track_value", TrackValue);
        if (HoldReason is null)
        {
            json.WriteNull("hold");
        }
        else
        {
            json.WriteString("hold", HoldReason);
        }

        json.WriteStartArray("down_services");
        foreach (var line in DownServices)
        {
            json.WriteStringValue(line);
        }

        json.WriteEndArray();
        json.WriteStartArray("held_addresses");
        foreach (var address in HeldAddresses)
        {
            json.WriteStringValue(address.ToString());
        }

        json.WriteEndArray();
        json.WriteStartArray("sync_daemons");
        foreach (var daemon in SyncDaemons)
        {
            json.WriteStartObject();
            json.WriteString("state", IpvsNames.Name(daemon.State));
            json.WriteString("interface", daemon.Interface);
            json.WriteNumber("sync_id", daemon.SyncId);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        if (SyncProblem is null)
        {
            json.WriteNull("sync_problem");
        }
        else
        {
            json.WriteString("sync_problem", SyncProblem);
        }

        json.WriteNumber("transitions", Transitions);
        json.WriteNumber("pid", ProcessId);
        WriteTime(json, "started", Started);
        WriteTime(json, "updated", Updated);
        json.WriteStartArray("peers");
        foreach (var peer in Peers)
        {
            json.WriteStringValue(peer);
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    /// <summary>Reads the JSON form; null when it is not one.</summary>
    public static HaStatus? FromJson(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        try
        {
            using var document = JsonDocument.Parse(text);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !IPAddress.TryParse(root.GetProperty("address").GetString(), out var address))
            {
                return null;
            }

            HaRole.TryParseState(root.GetProperty("role").GetString() ?? string.Empty, out var role);
            return new HaStatus
            {
                Instance = root.GetProperty("instance").GetString() ?? string.Empty,
                Node = root.GetProperty("node").GetString() ?? string.Empty,
                Address = address,
                Role = role,
                RoleSince = ReadTime(root, "role_since"),
                ReportedPriority = root.TryGetProperty("reported_priority", out var p) && p.ValueKind == JsonValueKind.Number ? p.GetInt32() : null,
                BasePriority = root.GetProperty("base_priority").GetInt32(),
                EffectivePriority = root.GetProperty("effective_priority").GetInt32(),
                TrackValue = root.GetProperty("track_value").GetInt32(),
                HoldReason = root.TryGetProperty("hold", out var hold) && hold.ValueKind == JsonValueKind.String ? hold.GetString() : null,
                DownServices = [.. root.GetProperty("down_services").EnumerateArray().Select(e => e.GetString() ?? string.Empty)],
                HeldAddresses = [.. root.GetProperty("held_addresses").EnumerateArray().Select(e => IPAddress.TryParse(e.GetString(), out var a) ? a : null).OfType<IPAddress>()],
                SyncDaemons =
                [
                    .. root.GetProperty("sync_daemons").EnumerateArray().Select(e => new SyncDaemon(
                        IpvsNames.ParseSyncDaemonState(e.GetProperty("state").GetString() ?? string.Empty) ?? SyncDaemonState.Backup,
                        e.GetProperty("interface").GetString() ?? string.Empty,
                        e.GetProperty("sync_id").GetUInt32())),
                ],
                SyncProblem = root.TryGetProperty("sync_problem", out var sp) && sp.ValueKind == JsonValueKind.String ? sp.GetString() : null,
                Transitions = root.GetProperty("transitions").GetInt32(),
                ProcessId = root.GetProperty("pid").GetInt32(),
                Started = ReadTime(root, "started"),
                Updated = ReadTime(root, "updated") ?? DateTimeOffset.MinValue,
                Peers = [.. root.GetProperty("peers").EnumerateArray().Select(e => e.GetString() ?? string.Empty)],
            };
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }

    private static void WriteTime(Utf8JsonWriter json, string name, DateTimeOffset? value)
    {
        if (value is { } time)
        {
            json.WriteString(name, time.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture));
        }
        else
        {
            json.WriteNull(name);
        }
    }

    private static DateTimeOffset? ReadTime(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
        && DateTimeOffset.TryParse(value.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time)
            ? time
            : null;
}
