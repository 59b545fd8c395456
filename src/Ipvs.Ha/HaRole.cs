using System.Globalization;

namespace Ipvs.Ha;

/// <summary>A director's VRRP state, as keepalived reports it.</summary>
public enum HaRoleState
{
    /// <summary>Nothing heard from keepalived yet.</summary>
    Unknown,

    /// <summary>Holds the virtual addresses.</summary>
    Master,

    /// <summary>Stands by.</summary>
    Backup,

    /// <summary>Cannot take part (its interface is down, or a tracked file says so).</summary>
    Fault,

    /// <summary>keepalived stopped.</summary>
    Stop,
}

/// <summary>The role keepalived last reported for this node, and since when.</summary>
/// <param name="State">MASTER, BACKUP, FAULT or STOP.</param>
/// <param name="Priority">The priority keepalived reported with it.</param>
/// <param name="Since">When keepalived reported it.</param>
public sealed record HaRole(HaRoleState State, int Priority, DateTimeOffset Since)
{
    /// <summary>keepalived's word for a state.</summary>
    public static string Name(HaRoleState state) => state switch
    {
        HaRoleState.Master => "MASTER",
        HaRoleState.Backup => "BACKUP",
        HaRoleState.Fault => "FAULT",
        HaRoleState.Stop => "STOP",
        _ => "UNKNOWN",
    };

    /// <summary>Reads keepalived's word for a state (case-insensitive).</summary>
    public static bool TryParseState(string text, out HaRoleState state)
    {
        state = text.ToUpperInvariant() switch
        {
            "MASTER" => HaRoleState.Master,
            "BACKUP" => HaRoleState.Backup,
            "FAULT" => HaRoleState.Fault,
            "STOP" or "STOPPED" or "DELETED" => HaRoleState.Stop,
            _ => HaRoleState.Unknown,
        };
        return state != HaRoleState.Unknown;
    }

    /// <summary>The role file's one line: <c>STATE PRIORITY SINCE</c> (ISO 8601, UTC).</summary>
    public string ToLine() => Name(State) + " " + Priority.ToString(CultureInfo.InvariantCulture) + " " + Since.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);

    /// <summary>Reads a role file's line; null when it is not one.</summary>
    public static HaRole? ParseLine(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        var parts = line.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != 3 || !TryParseState(parts[0], out var state)
            || !int.TryParse(parts[1], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var priority)
            || !DateTimeOffset.TryParse(parts[2], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var since))
        {
            return null;
        }

        return new HaRole(state, priority, since);
    }
}

/// <summary>
/// The files a director's <c>ipvs</c> and keepalived share, under a run directory (default
/// <c>/run/ipvs</c>), named by instance and node so that several nodes can share one directory
/// (the lab's namespaces do):
/// <c>ha-INSTANCE-NODE.role</c> (written by <c>ipvs ha notify</c>, keepalived's notify hook),
/// <c>ha-INSTANCE-NODE.track</c> (written by <c>ipvs</c>, keepalived's <c>track_file</c>), and
/// <c>ha-INSTANCE-NODE.status.json</c> (the daemon's status, for <c>ipvs ha status</c>).
/// </summary>
public sealed record HaPaths(string RunDirectory, string Instance, string Node)
{
    /// <summary>The default run directory.</summary>
    public const string DefaultRunDirectory = "/run/ipvs";

    /// <summary>The role file.</summary>
    public string RoleFile => Path.Combine(RunDirectory, $"ha-{Instance}-{Node}.role");

    /// <summary>The track file keepalived reads.</summary>
    public string TrackFile => Path.Combine(RunDirectory, $"ha-{Instance}-{Node}.track");

    /// <summary>The daemon's status.</summary>
    public string StatusFile => Path.Combine(RunDirectory, $"ha-{Instance}-{Node}.status.json");

    /// <summary>Reads the role file; null when it is missing or unreadable.</summary>
    public HaRole? ReadRole()
    {
        try
        {
            return File.Exists(RoleFile) ? HaRole.ParseLine(File.ReadAllText(RoleFile)) : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>Writes the role file atomically (a whole line or the previous one, never half).</summary>
    public void WriteRole(HaRole role)
    {
        ArgumentNullException.ThrowIfNull(role);
        WriteAtomically(RoleFile, role.ToLine() + "\n");
    }

    /// <summary>Reads the number in the track file; null when it is missing or not a number.</summary>
    public int? ReadTrack()
    {
        try
        {
            return File.Exists(TrackFile) && int.TryParse(File.ReadAllText(TrackFile).Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) ? value : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>Writes the number keepalived multiplies by the track weight.</summary>
    public void WriteTrack(int value) => WriteAtomically(TrackFile, value.ToString(CultureInfo.InvariantCulture) + "\n");

    /// <summary>Writes a file through a temporary one and a rename, so that a reader sees the old or the new text.</summary>
    public static void WriteAtomically(string path, string text)
    {
        ArgumentNullException.ThrowIfNull(path);
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        var temporary = Path.Combine(directory, "." + Path.GetFileName(path) + "." + Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "." + Guid.NewGuid().ToString("N")[..8] + ".tmp");
        File.WriteAllText(temporary, text);
        File.Move(temporary, path, overwrite: true);
    }
}
