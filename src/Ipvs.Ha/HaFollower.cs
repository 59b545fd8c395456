using System.Globalization;
using System.Net;
using Ipvs.Model;
using Ipvs.Netlink.Route;
using Ipvs.State;

namespace Ipvs.Ha;

/// <summary>
/// A director's side of an <c>ha</c> section, inside the daemon that keeps its IPVS table
/// (<c>ipvs care -f</c> or <c>ipvs apply --watch</c>): it checks the host before any change,
/// keeps both connection sync daemons and the sync tunables, follows the role keepalived records
/// in the role file, turns down services into the track file's number, and publishes the status.
/// Runs in the calling process's network namespace.
/// </summary>
public sealed class HaFollower : IDisposable
{
    private const string SyncThresholdSysctl = "sync_threshold";
    private const string SyncRefreshPeriodSysctl = "sync_refresh_period";
    private const byte RouteTypeLocal = 2;

    private readonly IIpvs? _client;
    private readonly TimeProvider _time;
    private readonly Action<string> _log;
    private readonly Lock _lock = new();
    private readonly Lock _trackLock = new();
    private readonly Lock _roleLock = new();
    private readonly Lock _statusLock = new();
    private volatile bool _disposed;
    private readonly FileSystemWatcher? _watcher;
    private HaRole? _role;
    private IReadOnlyList<string> _downServices = [];
    private int _trackValue = -1;
    private bool _holdWhileFault;
    private long? _holdUntil;
    private string? _holdReason;
    private int _transitions;
    private IReadOnlyList<SyncDaemon> _daemons = [];
    private string _syncProblem = string.Empty;

    /// <summary>Follows <paramref name="ha"/> as <paramref name="node"/>.</summary>
    public HaFollower(HaConfig ha, HaNode node, IIpvs client, HaPaths paths, TimeProvider? time = null, Action<string>? log = null)
        : this(ha, node, paths, time, log, client ?? throw new ArgumentNullException(nameof(client)))
    {
    }

    // Without a client: everything but the sync daemons (host tests of the role and the track file).
    internal HaFollower(HaConfig ha, HaNode node, HaPaths paths, TimeProvider? time, Action<string>? log, IIpvs? client)
    {
        ArgumentNullException.ThrowIfNull(ha);
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(paths);
        Config = ha;
        Node = node;
        Paths = paths;
        _client = client;
        _time = time ?? TimeProvider.System;
        _log = log ?? (_ => { });
        Started = _time.GetUtcNow();
        Directory.CreateDirectory(paths.RunDirectory);
        try
        {
            // The role must not wait for a round: keepalived's notify hook renames the role file
            // into place, and this wakes us at once.
            // keepalived's init_file rewrites the track file when it starts: put ours back at once.
            _watcher = new FileSystemWatcher(paths.RunDirectory, $"ha-{paths.Instance}-{paths.Node}.*")
            {
                NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size,
            };
            _watcher.Changed += (_, e) => OnFileChanged(e.Name);
            _watcher.Created += (_, e) => OnFileChanged(e.Name);
            _watcher.Renamed += (_, e) => OnFileChanged(e.Name);
            _watcher.EnableRaisingEvents = true;
        }
        catch (Exception e) when (e is IOException or ArgumentException or PlatformNotSupportedException)
        {
            _watcher = null;
        }
    }

    private void OnFileChanged(string? name)
    {
        if (_disposed)
        {
            return;
        }

        try
        {
            if (name == Path.GetFileName(Paths.RoleFile))
            {
                RefreshRole();
            }
            else if (name == Path.GetFileName(Paths.TrackFile) && Volatile.Read(ref _trackValue) >= 0)
            {
                lock (_trackLock)
                {
                    EnsureTrackFile();
                }
            }
        }
        catch (IOException)
        {
            // The next repair pass (every few seconds) tries again.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    /// <summary>The section followed.</summary>
    public HaConfig Config { get; }

    /// <summary>This director.</summary>
    public HaNode Node { get; }

    /// <summary>Its run files.</summary>
    public HaPaths Paths { get; }

    /// <summary>When the follower started.</summary>
    public DateTimeOffset Started { get; }

    /// <summary>Raised (on a thread-pool thread) after every role change keepalived reported.</summary>
    public event Action<HaRole?, HaRole>? RoleChanged;

    /// <summary>
    /// Which node of <paramref name="ha"/> this host is: <paramref name="requested"/> when given,
    /// else the node whose address is local here, else the one named like the host.
    /// </summary>
    public static HaNode? ResolveNode(HaConfig ha, string? requested, out string error, string option = "--ha-node")
    {
        ArgumentNullException.ThrowIfNull(ha);
        error = string.Empty;
        if (!string.IsNullOrEmpty(requested))
        {
            var named = ha.FindNode(requested);
            if (named is null)
            {
                error = $"{option} {requested} is none of the ha section's nodes ({string.Join(", ", ha.Nodes.Select(n => n.Name))})";
            }

            return named;
        }

        try
        {
            using var route = RouteNetlinkClient.Open();
            var local = ha.Nodes.Where(n => route.FindRoute(n.Address)?.Type == RouteTypeLocal).ToList();
            if (local.Count == 1)
            {
                return local[0];
            }

            if (local.Count > 1)
            {
                error = $"the addresses of several ha nodes are local here ({string.Join(", ", local.Select(n => n.Name))}): say which with {option}";
                return null;
            }
        }
        catch (Exception e) when (IsNetlinkFailure(e))
        {
        }

        var host = Environment.MachineName;
        var byName = ha.FindNode(host);
        if (byName is null)
        {
            error = $"this host is none of the ha section's nodes: no node's address is local and the host name '{host}' is none of {string.Join(", ", ha.Nodes.Select(n => n.Name))}; say which with {option}";
        }

        return byName;
    }

    /// <summary>
    /// What keeps the section from working on this host, as file diagnostics: interfaces that do
    /// not exist. Called before the first change.
    /// </summary>
    public static IReadOnlyList<ConfigDiagnostic> CheckHost(HaConfig ha)
    {
        ArgumentNullException.ThrowIfNull(ha);
        var problems = new List<ConfigDiagnostic>();
        using var route = RouteNetlinkClient.Open();
        if (route.FindLink(ha.Interface) is null)
        {
            problems.Add(new ConfigDiagnostic(ha.InterfaceLocation, ConfigSeverity.Error, $"ha interface '{ha.Interface}' does not exist on this host{Known(route)}"));
        }

        if (ha.Sync.Enabled && ha.Sync.Interface is { } syncInterface && route.FindLink(syncInterface) is null)
        {
            problems.Add(new ConfigDiagnostic(ha.Sync.InterfaceLocation ?? ha.Location, ConfigSeverity.Error, $"ha sync interface '{syncInterface}' does not exist on this host{Known(route)}"));
        }

        return problems;

        static string Known(RouteNetlinkClient route)
        {
            _ = route;
            try
            {
                var names = Directory.GetDirectories("/sys/class/net").Select(Path.GetFileName).Where(n => n is not null).Order(StringComparer.Ordinal).ToList();
                return names.Count == 0 ? string.Empty : " (its interfaces: " + string.Join(", ", names) + ")";
            }
            catch (IOException)
            {
                return string.Empty;
            }
            catch (UnauthorizedAccessException)
            {
                return string.Empty;
            }
        }
    }

    /// <summary>
    /// Makes the sync tunables and daemons match the section: both daemons (master and backup)
    /// with the section's settings, none when sync is off. Returns what it changed.
    /// </summary>
    public async Task<IReadOnlyList<string>> EnsureSyncAsync(CancellationToken cancellationToken = default)
    {
        var client = _client ?? throw new InvalidOperationException("This follower has no IPVS client.");
        var changes = new List<string>();
        var sync = Config.Sync;
        try
        {
            if (sync.Enabled)
            {
                var threshold = sync.Threshold.ToString(CultureInfo.InvariantCulture) + " " + sync.Period.ToString(CultureInfo.InvariantCulture);
                if (WriteSysctl(SyncThresholdSysctl, threshold))
                {
                    changes.Add($"set net.ipv4.vs.sync_threshold to \"{threshold}\"");
                }

                var refresh = ((long)sync.RefreshPeriod.TotalSeconds).ToString(CultureInfo.InvariantCulture);
                if (WriteSysctl(SyncRefreshPeriodSysctl, refresh))
                {
                    changes.Add($"set net.ipv4.vs.sync_refresh_period to {refresh}");
                }
            }

            var running = client.GetSyncDaemons(cancellationToken);
            foreach (var state in new[] { SyncDaemonState.Master, SyncDaemonState.Backup })
            {
                var current = running.FirstOrDefault(d => d.State == state);
                var desired = sync.Enabled ? DesiredDaemon(state) : null;
                if (current is not null && (desired is null || !SameDaemon(current, desired)))
                {
                    client.StopSyncDaemon(state, cancellationToken);
                    changes.Add($"stopped the {Describe(current)}");
                }

                if (desired is not null && (current is null || !SameDaemon(current, desired)))
                {
                    client.StartSyncDaemon(desired, cancellationToken);
                    changes.Add($"started the {Describe(desired)}");
                    if (state == SyncDaemonState.Backup)
                    {
                        // Until the peer has synced its connections, this table lacks them.
                        HoldForRejoin($"its backup sync daemon was just started: waiting {ConfigValues.FormatDuration(Config.RejoinDelay)} for the peer's connections");
                    }
                }
            }

            var daemons = client.GetSyncDaemons(cancellationToken);
            lock (_lock)
            {
                _daemons = daemons;
                _syncProblem = string.Empty;
            }
        }
        catch (Exception e) when (e is IpvsException or IOException or UnauthorizedAccessException)
        {
            lock (_lock)
            {
                _syncProblem = e.Message;
            }

            throw;
        }

        return changes;
    }

    /// <summary>The daemon of <paramref name="state"/> the section asks for.</summary>
    public SyncDaemon DesiredDaemon(SyncDaemonState state) =>
        new(state, Config.Sync.EffectiveInterface(Config), Config.Sync.EffectiveSyncId(Config))
        {
            Port = Config.Sync.Port,
            Ttl = Config.Sync.Ttl,
            MulticastGroup = Config.Sync.Group,
            MaxLength = Config.Sync.MaxLength,
        };

    // The kernel reports its defaults (port 8848, ttl 1, its group and length) where 0 or null was asked.
    private static bool SameDaemon(SyncDaemon current, SyncDaemon desired) =>
        current.Interface == desired.Interface && current.SyncId == desired.SyncId
        && (desired.Port == 0 || current.Port == 0 || current.Port == desired.Port)
        && (desired.Ttl == 0 || current.Ttl == 0 || current.Ttl == desired.Ttl)
        && (desired.MulticastGroup is null || current.MulticastGroup is null || current.MulticastGroup.Equals(desired.MulticastGroup))
        && (desired.MaxLength == 0 || current.MaxLength == 0 || current.MaxLength == desired.MaxLength);

    private static string Describe(SyncDaemon daemon) =>
        $"{IpvsNames.Name(daemon.State)} sync daemon (interface {daemon.Interface}, sync id {daemon.SyncId})";

    private static bool WriteSysctl(string name, string value)
    {
        var path = Path.Combine(ProcFs.IpvsSysctl.Directory, name);
        var current = File.Exists(path) ? string.Join(' ', File.ReadAllText(path).Split([' ', '\t', '\n'], StringSplitOptions.RemoveEmptyEntries)) : null;
        if (current == value)
        {
            return false;
        }

        File.WriteAllText(path, value + "\n");
        return true;
    }

    /// <summary>Reads the role file; logs and reports a change. Returns the role now known.</summary>
    public HaRole? RefreshRole()
    {
        HaRole? read;
        HaRole? previous;
        var changed = false;
        // Reading and applying are one step: a read made before a newer one (the watcher's thread
        // and a caller racing) must not be applied after it and bring an old role back.
        lock (_roleLock)
        {
            read = Paths.ReadRole();
            lock (_lock)
            {
                previous = _role;
                if (read is not null && read != previous)
                {
                    changed = true;
                    _role = read;
                    if (previous is not null)
                    {
                        _transitions++;
                    }

                    // A director without its interface misses the peer's syncs: it stays at the floor
                    // while in FAULT (so that it cannot preempt the moment it is back), then for the
                    // rejoin delay while the peer's sync daemon refreshes the connections it missed.
                    if (read.State == HaRoleState.Fault)
                    {
                        _holdWhileFault = true;
                        _holdReason = "keepalived reports FAULT (its interface is down): it missed the peer's syncs";
                    }
                    else if (_holdWhileFault)
                    {
                        _holdWhileFault = false;
                        _holdUntil = _time.GetTimestamp() + (long)(Config.RejoinDelay.TotalSeconds * _time.TimestampFrequency);
                        _holdReason = $"back from FAULT: waiting {ConfigValues.FormatDuration(Config.RejoinDelay)} for the peer's sync daemon to refresh the connections it missed";
                    }
                }
            }
        }

        if (changed)
        {
            _log(previous is null
                ? $"ha: role {HaRole.Name(read!.State)} (priority {read.Priority}, since {read.Since:yyyy-MM-ddTHH:mm:ss.fffZ})"
                : $"ha: role {HaRole.Name(previous.State)} -> {HaRole.Name(read!.State)} (priority {read.Priority})");
            RoleChanged?.Invoke(previous, read);
        }

        // Also when another thread (the file watcher) is applying this very change: the track
        // file is settled when this returns.
        UpdateTrack();
        if (changed)
        {
            WriteStatusFile();
        }

        return changed ? read : previous;
    }

    /// <summary>Holds the priority at the floor for the rejoin delay from now (the backup sync daemon was just started).</summary>
    public void HoldForRejoin(string reason)
    {
        lock (_lock)
        {
            // The master's own table is the one in use: lowering it would move the addresses
            // away for nothing (a repaired backup daemon on the master, ipvs restarted there).
            if (_role?.State == HaRoleState.Master)
            {
                return;
            }

            _holdUntil = _time.GetTimestamp() + (long)(Config.RejoinDelay.TotalSeconds * _time.TimestampFrequency);
            _holdReason = reason;
        }

        UpdateTrack();
    }

    /// <summary>
    /// Records the health of every service (healthy and total real servers) and writes the track
    /// file when the number of down services changed. Returns true when it changed.
    /// </summary>
    public bool UpdateHealth(IEnumerable<(VirtualServiceKey Service, int Healthy, int Total)> services)
    {
        ArgumentNullException.ThrowIfNull(services);
        var down = services.Where(s => Config.Health.IsDown(s.Healthy, s.Total))
            .Select(s => $"{s.Service}: {s.Healthy} of {s.Total} real servers healthy (needs {Config.Health.Describe()})")
            .ToList();
        bool changed;
        lock (_lock)
        {
            changed = !down.SequenceEqual(_downServices);
            _downServices = down;
        }

        return UpdateTrack() || changed;
    }

    /// <summary>
    /// Computes the track file's number (the hold, else the down services) and writes it when it
    /// changed or the file does not hold it; logs why. True when the number changed.
    /// </summary>
    public bool UpdateTrack()
    {
        lock (_trackLock)
        {
            return UpdateTrackLocked();
        }
    }

    private bool UpdateTrackLocked()
    {
        int value;
        int previous;
        string why;
        lock (_lock)
        {
            if (_holdUntil is { } until && _time.GetTimestamp() >= until)
            {
                _holdUntil = null;
            }

            var holding = _holdWhileFault || _holdUntil is not null;
            if (!holding)
            {
                _holdReason = null;
            }

            previous = _trackValue;
            value = holding ? Config.HoldValue(Node) : TrackValue(_downServices.Count);
            _trackValue = value;
            why = holding
                ? $"priority held at the floor: {_holdReason}"
                : _downServices.Count == 0
                    ? $"every service is up: priority {Node.Priority}"
                    : $"{_downServices.Count} service{(_downServices.Count == 1 ? " is" : "s are")} down, priority {EffectivePriority(value)} instead of {Node.Priority}: {string.Join("; ", _downServices)}";
        }

        EnsureTrackFile();
        if (value != previous)
        {
            _log($"ha: {why} (track file {Paths.TrackFile}: {value})");
            WriteStatusFile();
        }

        return value != previous;
    }

    /// <summary>Writes the track file when it does not hold the current value (also undoes keepalived's init_file once ipvs is ready). True when it wrote.</summary>
    public bool EnsureTrackFile()
    {
        if (_disposed)
        {
            return false;
        }

        int value;
        lock (_lock)
        {
            value = _trackValue;
        }

        if (Paths.ReadTrack() == value)
        {
            return false;
        }

        Paths.WriteTrack(value);
        return true;
    }

    // The number keepalived multiplies by -penalty for down services; never so large that the
    // priority would reach keepalived's floor (1), where two directors with different counts of
    // down services would look alike.
    private int TrackValue(int downServices)
    {
        var max = Math.Max(0, (Node.Priority - 2) / Config.Health.Penalty);
        return Math.Min(downServices, max);
    }

    private int EffectivePriority(int trackValue) => Config.EffectivePriority(Node, trackValue);

    /// <summary>The follower's view of this director now.</summary>
    public HaStatus Snapshot()
    {
        HaRole? role;
        IReadOnlyList<string> down;
        int track;
        int transitions;
        IReadOnlyList<SyncDaemon> daemons;
        string syncProblem;
        string? holdReason;
        lock (_lock)
        {
            role = _role;
            down = _downServices;
            track = _trackValue;
            transitions = _transitions;
            daemons = _daemons;
            syncProblem = _syncProblem;
            holdReason = _holdReason;
        }

        return HaStatus.For(Config, Node, role, track, _time.GetUtcNow()) with
        {
            HoldReason = holdReason,
            DownServices = down,
            HeldAddresses = HeldAddresses(Config),
            SyncDaemons = daemons,
            SyncProblem = syncProblem.Length == 0 ? null : syncProblem,
            Transitions = transitions,
            ProcessId = Environment.ProcessId,
            Started = Started,
        };
    }

    /// <summary>The section's virtual addresses that are local here now (held by this director).</summary>
    public static IReadOnlyList<IPAddress> HeldAddresses(HaConfig ha)
    {
        ArgumentNullException.ThrowIfNull(ha);
        try
        {
            using var route = RouteNetlinkClient.Open();
            return [.. ha.VirtualAddresses.Select(v => v.Address).Where(a => route.FindRoute(a)?.Type == RouteTypeLocal)];
        }
        catch (Exception e) when (IsNetlinkFailure(e))
        {
            return [];
        }
    }

    private static bool IsNetlinkFailure(Exception e) =>
        e is IpvsException or Netlink.NetlinkException or Netlink.NetlinkProtocolException or IOException;

    /// <summary>Writes the status file (for <c>ipvs ha status</c> on this host).</summary>
    public void WriteStatusFile()
    {
        try
        {
            lock (_statusLock)
            {
                if (!_disposed)
                {
                    HaPaths.WriteAtomically(Paths.StatusFile, Snapshot().ToJson());
                }
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _disposed = true;
        _watcher?.Dispose();
        // Let a write under way (from the watcher's thread) finish before the status file goes.
        lock (_trackLock)
        {
        }

        try
        {
            lock (_statusLock)
            {
                File.Delete(Paths.StatusFile);
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
