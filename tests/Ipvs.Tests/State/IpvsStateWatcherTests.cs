using System.Net;
using System.Text;
using System.Threading.Channels;
using Ipvs.Model;
using Ipvs.State;

namespace Ipvs.Tests.State;

public sealed class IpvsStateWatcherTests : IAsyncDisposable
{
    private static readonly DateTimeOffset s_start = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly ManualTimeProvider _time = new(s_start);
    private readonly ManualSignal _signal = new();
    private readonly Channel<IpvsConfig> _applied = Channel.CreateUnbounded<IpvsConfig>();
    private readonly List<bool> _fileChanged = [];
    private readonly List<string> _log = [];
    private readonly CancellationTokenSource _stop = new();
    private string _file = "services:\n  - tcp/198.51.100.1:80\n";
    private Func<IpvsConfig, IpvsPlan> _plan = _ => EmptyPlan();
    private Task? _run;

    [Fact]
    public async Task Start_AppliesOnce_ThenAgainAtEachResync()
    {
        Start(new IpvsWatchOptions { ResyncInterval = TimeSpan.FromSeconds(10), TimeProvider = _time });
        Assert.Equal("tcp/198.51.100.1:80", (await NextApplyAsync()).Services[0].Key.ToString());

        await _time.WaitForTimerAsync(TimeSpan.FromSeconds(10));
        _time.Advance(TimeSpan.FromSeconds(9));
        Assert.False(_applied.Reader.TryRead(out _));
        _time.Advance(TimeSpan.FromSeconds(1));
        await NextApplyAsync();
        await _time.WaitForTimerAsync(TimeSpan.FromSeconds(10));
        _time.Advance(TimeSpan.FromSeconds(10));
        await NextApplyAsync();
    }

    [Fact]
    public async Task OverAnInMemoryIpvs_DriftIsRepairedAtTheResync_AndFileChangesAreApplied()
    {
        var ipvs = new InMemoryIpvs();
        var key = VirtualServiceKey.Parse("tcp/198.51.100.1:80");
        _file = "services:\n  - service: tcp/198.51.100.1:80\n    servers: [198.51.100.10]\n";
        Start(
            new IpvsWatchOptions { ResyncInterval = TimeSpan.FromSeconds(10), Debounce = TimeSpan.FromMilliseconds(200), TimeProvider = _time },
            new IpvsReconciler(ipvs, new IpvsReconcilerOptions { CheckKernelSupport = false, TimeProvider = _time, ReuseTable = true }));
        await NextApplyAsync();
        Assert.Equal(["198.51.100.10:80"], ipvs.GetRealServers(key, TestContext.Current.CancellationToken).Select(s => s.Endpoint));

        // Someone runs ipvsadm -D: nothing happens before the resync, the service is back at it.
        ipvs.DeleteService(key, TestContext.Current.CancellationToken);
        await _time.WaitForTimerAsync(TimeSpan.FromSeconds(10));
        _time.Advance(TimeSpan.FromSeconds(9));
        Assert.Null(ipvs.GetService(key, TestContext.Current.CancellationToken));
        _time.Advance(TimeSpan.FromSeconds(1));
        await NextApplyAsync();
        Assert.Equal(["198.51.100.10:80"], ipvs.GetRealServers(key, TestContext.Current.CancellationToken).Select(s => s.Endpoint));

        // A change of the file is applied after the debounce, without waiting for the resync.
        _file = "services:\n  - service: tcp/198.51.100.1:80\n    servers: [198.51.100.10, 198.51.100.11]\n";
        await _time.WaitForTimerAsync(TimeSpan.FromSeconds(10));
        _signal.Signal();
        await _time.WaitForTimerAsync(TimeSpan.FromMilliseconds(200));
        _time.Advance(TimeSpan.FromMilliseconds(200));
        await NextApplyAsync();
        Assert.Equal(["198.51.100.10:80", "198.51.100.11:80"], IpvsOrder.Servers(ipvs.GetRealServers(key, TestContext.Current.CancellationToken)).Select(s => s.Endpoint));
    }

    [Fact]
    public async Task FileChange_IsAppliedAfterTheDebounce_WithoutWaitingForTheResync()
    {
        Start(new IpvsWatchOptions { ResyncInterval = TimeSpan.FromHours(1), Debounce = TimeSpan.FromMilliseconds(200), TimeProvider = _time });
        await NextApplyAsync();

        _file = "services:\n  - tcp/198.51.100.2:80\n";
        _signal.Signal();
        await _time.WaitForTimerAsync(TimeSpan.FromMilliseconds(200)); // the debounce
        _time.Advance(TimeSpan.FromMilliseconds(200));

        Assert.Equal("tcp/198.51.100.2:80", (await NextApplyAsync()).Services[0].Key.ToString());
        Assert.Contains(Logged(), l => l.StartsWith("the file changed: 1 services", StringComparison.Ordinal));
    }

    [Fact]
    public async Task OnlyPassesMadeBecauseTheFileChanged_AreToldSo_AndTheirTimeIsLogged()
    {
        Start(new IpvsWatchOptions { ResyncInterval = TimeSpan.FromSeconds(10), Debounce = TimeSpan.FromMilliseconds(200), TimeProvider = _time });
        await NextApplyAsync();

        // The loop logs a pass after the apply delegate returns: wait for the line, do not race it.
        await LogLineAsync(l => l.StartsWith("first pass done in ", StringComparison.Ordinal) && l.Contains(": 0 changes (read and parse the file ", StringComparison.Ordinal));

        // A change of content: a file-change pass.
        _file = "services:\n  - tcp/198.51.100.2:80\n";
        _signal.Signal();
        await _time.WaitForTimerAsync(TimeSpan.FromMilliseconds(200));
        _time.Advance(TimeSpan.FromMilliseconds(200));
        await NextApplyAsync();
        await LogLineAsync(l => l.StartsWith("file change applied in ", StringComparison.Ordinal));

        // An event without a change of content, then the resync: passes over the whole table.
        _signal.Signal();
        await _time.WaitForTimerAsync(TimeSpan.FromMilliseconds(200));
        _time.Advance(TimeSpan.FromMilliseconds(200));
        await NextApplyAsync();
        await _time.WaitForTimerAsync(TimeSpan.FromSeconds(10));
        _time.Advance(TimeSpan.FromSeconds(10));
        await NextApplyAsync();

        lock (_fileChanged)
        {
            Assert.Equal([false, true, false, false], _fileChanged);
        }

        Assert.Single(Logged(), l => l.StartsWith("file change applied in ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ChangeMissedByNotifications_IsFoundAtTheResync()
    {
        Start(new IpvsWatchOptions { ResyncInterval = TimeSpan.FromSeconds(5), TimeProvider = _time });
        await NextApplyAsync();

        _file = "services:\n  - tcp/198.51.100.3:80\n";
        await _time.WaitForTimerAsync(TimeSpan.FromSeconds(5));
        _time.Advance(TimeSpan.FromSeconds(5));

        Assert.Equal("tcp/198.51.100.3:80", (await NextApplyAsync()).Services[0].Key.ToString());
    }

    [Fact]
    public async Task InvalidFile_IsReported_AndTheLastValidOneStaysInForce()
    {
        Start(new IpvsWatchOptions { ResyncInterval = TimeSpan.FromSeconds(5), TimeProvider = _time });
        await NextApplyAsync();

        _file = "services:\n  - service: tcp/198.51.100.1:80\n    scheduler: bogus\n";
        _signal.Signal();
        await _time.WaitForTimerAsync(TimeSpan.FromMilliseconds(200));
        _time.Advance(TimeSpan.FromMilliseconds(200));

        Assert.Equal("tcp/198.51.100.1:80", (await NextApplyAsync()).Services[0].Key.ToString());
        Assert.Contains(Logged(), l => l.StartsWith("watched.yaml:3:16: error: unknown scheduler 'bogus'", StringComparison.Ordinal));
        Assert.Contains("the file is not valid; keeping the last valid configuration", Logged());
    }

    [Fact]
    public async Task InvalidFileAtStart_AppliesNothing_UntilItIsFixed()
    {
        _file = "services: {}";
        Start(new IpvsWatchOptions { ResyncInterval = TimeSpan.FromSeconds(5), TimeProvider = _time });
        await _time.WaitForTimerAsync(TimeSpan.FromSeconds(5));
        Assert.False(_applied.Reader.TryRead(out _));
        Assert.Contains("the file is not valid; waiting for a valid one", Logged());

        _file = "services: []";
        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.Empty((await NextApplyAsync()).Services);
    }

    [Fact]
    public async Task WhileServersDrain_TheyAreCheckedAtTheDrainPollInterval_AndTheirDeadline()
    {
        var key = VirtualServiceKey.Parse("tcp/198.51.100.1:80");
        var server = new RealServer(IPAddress.Parse("192.0.2.1"), 80) { Weight = 0, ActiveConnections = 3 };
        var draining = new DrainingServer(new RealServerId(key, server.Address, server.Port), server, s_start, s_start.AddSeconds(3));
        _plan = _ => new IpvsPlan([], [draining], new Dictionary<RealServerId, DateTimeOffset>(), 1, 1);
        Start(new IpvsWatchOptions { ResyncInterval = TimeSpan.FromMinutes(1), DrainPollInterval = TimeSpan.FromSeconds(2), TimeProvider = _time });
        await NextApplyAsync();
        await _time.WaitForTimerAsync(TimeSpan.FromSeconds(2));
        Assert.Contains(Logged(), l => l.StartsWith("draining tcp/198.51.100.1:80 192.0.2.1:80: 3 active", StringComparison.Ordinal));

        _time.Advance(TimeSpan.FromSeconds(2));
        await NextApplyAsync();

        // The deadline (3 s) comes before the next poll (4 s).
        await _time.WaitForTimerAsync(TimeSpan.FromSeconds(1));
        _time.Advance(TimeSpan.FromSeconds(1));
        await NextApplyAsync();

        // Past the deadline, the next check is a poll interval away; draining was logged once.
        await _time.WaitForTimerAsync(TimeSpan.FromSeconds(2));
        Assert.Single(Logged(), l => l.StartsWith("draining", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Cancellation_StopsTheLoop()
    {
        Start(new IpvsWatchOptions { ResyncInterval = TimeSpan.FromSeconds(5), TimeProvider = _time });
        await NextApplyAsync();
        await _time.WaitForTimerAsync(TimeSpan.FromSeconds(5));

        await _stop.CancelAsync();

        await _run!.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        Assert.True(_run.IsCompletedSuccessfully);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_run is not null)
        {
            await _run.WaitAsync(TimeSpan.FromSeconds(10));
        }

        _stop.Dispose();
        _signal.Dispose();
    }

    private void Start(IpvsWatchOptions options, IpvsReconciler? reconciler = null)
    {
        var watcher = new IpvsStateWatcher(
            () => Encoding.UTF8.GetBytes(_file),
            bytes => IpvsConfigReader.Parse(bytes.ToArray(), "watched.yaml"),
            async (config, fileChanged, cancellationToken) =>
            {
                lock (_fileChanged)
                {
                    _fileChanged.Add(fileChanged);
                }

                // With a reconciler, the pass is real (an in-memory IPVS) and is announced once done.
                var result = reconciler is null
                    ? new IpvsReconcileResult(_plan(config), null, [], [])
                    : fileChanged ? await reconciler.ApplyFileChangeAsync(config, cancellationToken) : await reconciler.ApplyAsync(config, cancellationToken);
                _applied.Writer.TryWrite(config);
                return result;
            },
            _signal,
            options,
            line =>
            {
                lock (_log)
                {
                    _log.Add(line);
                }
            });
        _run = Task.Run(() => watcher.RunAsync(_stop.Token));
    }

    private async Task<IpvsConfig> NextApplyAsync() =>
        await _applied.Reader.ReadAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

    // The loop logs from its own thread: read a copy.
    private string[] Logged()
    {
        lock (_log)
        {
            return [.. _log];
        }
    }

    private async Task LogLineAsync(Func<string, bool> match)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            lock (_log)
            {
                if (_log.Any(match))
                {
                    return;
                }

                Assert.True(DateTime.UtcNow < deadline, "no such log line within 10 s; logged:\n" + string.Join('\n', _log));
            }

            await Task.Delay(5, TestContext.Current.CancellationToken);
        }
    }

    private static IpvsPlan EmptyPlan() => new([], [], new Dictionary<RealServerId, DateTimeOffset>(), 0, 0);

    private sealed class ManualSignal : IFileChangeSignal
    {
        private readonly SemaphoreSlim _semaphore = new(0);

        public void Signal() => _semaphore.Release();

        public Task WaitAsync(CancellationToken cancellationToken) => _semaphore.WaitAsync(cancellationToken);

        public void Dispose() => _semaphore.Dispose();
    }
}
