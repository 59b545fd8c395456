using System.Net;
using Ipvs.Ha;
using Ipvs.Model;

namespace Ipvs.Tests.Ha;

public sealed class HaFollowerTests : IDisposable
{
    private static readonly VirtualServiceKey s_web = VirtualServiceKey.Parse("tcp/198.18.0.100:9000");
    private static readonly VirtualServiceKey s_dns = VirtualServiceKey.Parse("udp/198.18.0.100:53");
    private readonly string _runDirectory = Directory.CreateTempSubdirectory("ipvs-ha-").FullName;
    private readonly SteppedClock _clock = new(new DateTimeOffset(2026, 12, 2, 12, 0, 0, TimeSpan.Zero));
    private readonly List<string> _log = [];
    private readonly HaFollower _follower;

    public HaFollowerTests()
    {
        var result = HaSectionReader.Parse(HaSectionReaderTests.Pair, "pair.yaml");
        var ha = HaSectionReader.Of(result.Config!)!;
        _follower = new HaFollower(ha, ha.Nodes[0], new HaPaths(_runDirectory, ha.Instance, "lb1"), _clock, Log, client: null);
    }

    private HaPaths Paths => _follower.Paths;

    public void Dispose()
    {
        _follower.Dispose();
        Directory.Delete(_runDirectory, recursive: true);
    }

    private void Log(string line)
    {
        lock (_log)
        {
            _log.Add(line);
        }
    }

    [Fact]
    public void TheRoleFile_IsFollowed_AndTransitionsCounted()
    {
        Assert.Null(_follower.RefreshRole());

        Paths.WriteRole(new HaRole(HaRoleState.Backup, 150, _clock.GetUtcNow()));
        Assert.Equal(HaRoleState.Backup, _follower.RefreshRole()!.State);
        Paths.WriteRole(new HaRole(HaRoleState.Master, 150, _clock.GetUtcNow().AddSeconds(3)));
        Assert.Equal(HaRoleState.Master, _follower.RefreshRole()!.State);
        _follower.RefreshRole();

        var status = _follower.Snapshot();
        Assert.Equal(HaRoleState.Master, status.Role);
        Assert.Equal(_clock.GetUtcNow().AddSeconds(3), status.RoleSince);
        Assert.Equal(1, status.Transitions);
        Assert.Contains("ha: role BACKUP -> MASTER (priority 150)", _log);
    }

    [Fact]
    public async Task ARoleChange_IsSeenWithoutAPoll()
    {
        var seen = new TaskCompletionSource<HaRole>(TaskCreationOptions.RunContinuationsAsynchronously);
        _follower.RoleChanged += (_, role) => seen.TrySetResult(role);

        Paths.WriteRole(new HaRole(HaRoleState.Master, 150, _clock.GetUtcNow()));

        var role = await seen.Task.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        Assert.Equal(HaRoleState.Master, role.State);
    }

    [Fact]
    public void DownServices_LowerThePriorityByThePenaltyEach()
    {
        _follower.UpdateTrack();
        Assert.Equal(0, Paths.ReadTrack());

        Assert.True(_follower.UpdateHealth([(s_web, 0, 2), (s_dns, 1, 1)]));
        Assert.Equal(1, Paths.ReadTrack());
        var status = _follower.Snapshot();
        Assert.Equal(90, status.EffectivePriority);
        Assert.Equal("tcp/198.18.0.100:9000: 0 of 2 real servers healthy (needs 1 healthy real server)", Assert.Single(status.DownServices));

        // Two down: 150 - 2 × 60 = 30, still above the floor and below a peer with one down (40).
        _follower.UpdateHealth([(s_web, 0, 2), (s_dns, 0, 1)]);
        Assert.Equal(2, Paths.ReadTrack());
        Assert.Equal(30, _follower.Snapshot().EffectivePriority);

        _follower.UpdateHealth([(s_web, 2, 2), (s_dns, 1, 1)]);
        Assert.Equal(0, Paths.ReadTrack());
        Assert.Contains(_log, l => l.StartsWith("ha: every service is up: priority 150", StringComparison.Ordinal));
    }

    [Fact]
    public void FromFault_ThePriorityIsHeldUntilTheRejoinDelayHasPassed()
    {
        Paths.WriteRole(new HaRole(HaRoleState.Master, 150, _clock.GetUtcNow()));
        _follower.RefreshRole();
        _follower.UpdateTrack();
        Assert.Equal(0, Paths.ReadTrack());

        Paths.WriteRole(new HaRole(HaRoleState.Fault, 150, _clock.GetUtcNow()));
        _follower.RefreshRole();
        Assert.Equal(3, Paths.ReadTrack()); // 150 - 3 × 60 → the floor
        _clock.Advance(TimeSpan.FromMinutes(5));
        _follower.UpdateTrack();
        Assert.Equal(3, Paths.ReadTrack()); // held for as long as FAULT lasts

        Paths.WriteRole(new HaRole(HaRoleState.Backup, 1, _clock.GetUtcNow()));
        _follower.RefreshRole();
        _clock.Advance(TimeSpan.FromSeconds(9.9));
        _follower.UpdateTrack();
        Assert.Equal(3, Paths.ReadTrack());
        Assert.StartsWith("back from FAULT", _follower.Snapshot().HoldReason, StringComparison.Ordinal);

        _clock.Advance(TimeSpan.FromSeconds(0.2));
        _follower.UpdateTrack();
        Assert.Equal(0, Paths.ReadTrack());
        Assert.Null(_follower.Snapshot().HoldReason);
        Assert.Equal(150, _follower.Snapshot().EffectivePriority);
    }

    [Fact]
    public void AStartedBackupDaemon_HoldsThePriorityForTheRejoinDelay()
    {
        _follower.HoldForRejoin("its backup sync daemon was just started");
        Assert.Equal(3, Paths.ReadTrack());

        _clock.Advance(TimeSpan.FromSeconds(10));
        _follower.UpdateTrack();
        Assert.Equal(0, Paths.ReadTrack());
    }

    [Fact]
    public void TheMaster_IsNeverHeld_ForARestartedBackupDaemon()
    {
        // Lowering the master would move the addresses away from the table in use, for nothing.
        Paths.WriteRole(new HaRole(HaRoleState.Master, 150, _clock.GetUtcNow()));
        _follower.RefreshRole();

        _follower.HoldForRejoin("its backup sync daemon was just started");

        Assert.Equal(0, Paths.ReadTrack());
        Assert.Null(_follower.Snapshot().HoldReason);
    }

    [Fact]
    public async Task KeepalivedsInitFile_IsUndoneAtOnce_OnceIpvsIsReady()
    {
        _follower.UpdateTrack();
        File.WriteAllText(Paths.TrackFile, "3\n"); // keepalived restarted: init_file 3 overwrite

        // The file watcher puts it back without waiting for a repair pass.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (Paths.ReadTrack() != 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10, TestContext.Current.CancellationToken);
        }

        Assert.Equal(0, Paths.ReadTrack());
        Assert.False(_follower.EnsureTrackFile());
    }

    [Fact]
    public void DownServices_NeverReachTheFloor()
    {
        // Down services keep the order between directors: only the hold goes to the floor.
        var many = Enumerable.Range(1, 10).Select(i => (VirtualServiceKey.Parse($"tcp/198.18.0.100:{i}"), 0, 1)).ToList();

        _follower.UpdateHealth(many);

        Assert.Equal(2, Paths.ReadTrack());
        Assert.Equal(30, _follower.Snapshot().EffectivePriority);
    }

    [Fact]
    public void TheStatus_RoundTripsThroughJson()
    {
        Paths.WriteRole(new HaRole(HaRoleState.Backup, 150, _clock.GetUtcNow()));
        _follower.RefreshRole();
        _follower.UpdateHealth([(s_web, 0, 2)]);
        var status = _follower.Snapshot() with
        {
            SyncDaemons = [new SyncDaemon(SyncDaemonState.Master, "eth0", 51), new SyncDaemon(SyncDaemonState.Backup, "eth0", 51)],
            HeldAddresses = [IPAddress.Parse("198.18.0.100")],
        };

        var read = HaStatus.FromJson(status.ToJson())!;

        Assert.Equal(status.ToJson(), read.ToJson());
        Assert.Equal(HaRoleState.Backup, read.Role);
        Assert.Equal(90, read.EffectivePriority);
        Assert.Equal(2, read.SyncDaemons.Count);
        Assert.Null(HaStatus.FromJson("{\"node\": 1}"));
        Assert.Null(HaStatus.FromJson("not json"));
    }

    [Theory]
    [InlineData("MASTER 150 2026-12-02T12:00:00.000Z", HaRoleState.Master, 150)]
    [InlineData("fault 0 2026-12-02T12:00:00.000Z\n", HaRoleState.Fault, 0)]
    [InlineData("STOP 100 2026-12-02T12:00:00Z", HaRoleState.Stop, 100)]
    public void RoleLines_AreRead(string line, HaRoleState state, int priority)
    {
        var role = HaRole.ParseLine(line)!;

        Assert.Equal((state, priority), (role.State, role.Priority));
        Assert.Equal(new DateTimeOffset(2026, 12, 2, 12, 0, 0, TimeSpan.Zero), role.Since);
        Assert.Equal(role, HaRole.ParseLine(role.ToLine()));
    }

    [Theory]
    [InlineData("")]
    [InlineData("MASTER")]
    [InlineData("LEADER 1 2026-12-02T12:00:00Z")]
    [InlineData("MASTER x 2026-12-02T12:00:00Z")]
    [InlineData("MASTER 1 yesterday")]
    public void OtherLines_AreNotRoles(string line) => Assert.Null(HaRole.ParseLine(line));

    /// <summary>A clock whose wall time and monotonic timestamp move only when told to.</summary>
    private sealed class SteppedClock(DateTimeOffset start) : TimeProvider
    {
        private long _ticks;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override DateTimeOffset GetUtcNow() => start.AddTicks(Interlocked.Read(ref _ticks));

        public override long GetTimestamp() => Interlocked.Read(ref _ticks);

        public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
    }
}
