using System.Net;
using Ipvs.Health;
using Ipvs.Model;
using Microsoft.Extensions.Time.Testing;

namespace Ipvs.Tests.Health;

/// <summary>
/// The keeper's rounds over <see cref="InMemoryIpvs"/> with a scripted prober and a clock that
/// moves only when told: no sleeps, no kernel. The lab keeps the rounds against real servers
/// (Care tests).
/// </summary>
public sealed class VirtualServiceKeeperTests
{
    private static readonly VirtualServiceKey Web = VirtualServiceKey.Parse("tcp/198.18.0.1:80");
    private static readonly RealServer A = new(IPAddress.Parse("198.18.1.1"), 8080) { Weight = 2 };
    private static readonly RealServer B = new(IPAddress.Parse("198.18.1.2"), 8080) { Weight = 3 };

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static (InMemoryIpvs Ipvs, ScriptedProber Prober, FakeTimeProvider Time, VirtualServiceKeeper Keeper) Keeper(TimeSpan? drainTimeout = null)
    {
        var ipvs = new InMemoryIpvs();
        var prober = new ScriptedProber();
        var time = new FakeTimeProvider();
        var options = new HealthCheckOptions { Type = HealthCheckType.Tcp, Interval = TimeSpan.FromSeconds(5), DrainTimeout = drainTimeout ?? TimeSpan.FromSeconds(20) };
        var keeper = new VirtualServiceKeeper(ipvs, new VirtualService(Web) { Scheduler = "wrr" }, [A, B], options, prober, time);
        return (ipvs, prober, time, keeper);
    }

    private static string Servers(InMemoryIpvs ipvs) =>
        string.Join(", ", IpvsOrder.Servers(ipvs.GetRealServers(Web, Token)).Select(s => s.Endpoint + " w" + s.Weight));

    [Fact]
    public void Ensure_CreatesTheServiceAndEveryServer()
    {
        var (ipvs, _, _, keeper) = Keeper();

        var results = keeper.Ensure(Token);

        Assert.Equal(3, results.Count);
        Assert.Equal("wrr", ipvs.GetService(Web, Token)!.Scheduler);
        Assert.Equal("198.18.1.1:8080 w2, 198.18.1.2:8080 w3", Servers(ipvs));
    }

    [Fact]
    public async Task FailedServer_IsDrainedAtWeightZero_ThenRemoved_AndComesBackWhenHealthy()
    {
        var (ipvs, prober, time, keeper) = Keeper();
        keeper.Ensure(Token);

        prober.Down.Add(B.Endpoint);
        await keeper.RunRoundAsync(Token);
        Assert.Equal("198.18.1.1:8080 w2, 198.18.1.2:8080 w0", Servers(ipvs));

        time.Advance(TimeSpan.FromSeconds(10));
        await keeper.RunRoundAsync(Token);
        Assert.Equal("198.18.1.1:8080 w2, 198.18.1.2:8080 w0", Servers(ipvs));

        time.Advance(TimeSpan.FromSeconds(11));
        await keeper.RunRoundAsync(Token);
        Assert.Equal("198.18.1.1:8080 w2", Servers(ipvs));

        prober.Down.Clear();
        time.Advance(TimeSpan.FromSeconds(5));
        await keeper.RunRoundAsync(Token);
        Assert.Equal("198.18.1.1:8080 w2, 198.18.1.2:8080 w3", Servers(ipvs));
        Assert.Equal(4 * 2, prober.Probes);
    }

    [Fact]
    public async Task Round_RepairsWhatOthersChanged_BeforeProbing()
    {
        var (ipvs, _, _, keeper) = Keeper();
        keeper.Ensure(Token);
        ipvs.DeleteService(Web, Token);

        await keeper.RunRoundAsync(Token);

        Assert.Equal(3, keeper.Repairs);
        Assert.Equal("198.18.1.1:8080 w2, 198.18.1.2:8080 w3", Servers(ipvs));

        ipvs.UpdateRealServer(Web, A with { Weight = 9 }, Token);
        ipvs.AddRealServer(Web, new RealServer(IPAddress.Parse("198.18.1.9"), 8080), Token);
        await keeper.RunRoundAsync(Token);

        Assert.Equal(4, keeper.Repairs);
        Assert.Equal("198.18.1.1:8080 w2, 198.18.1.2:8080 w3, 198.18.1.9:8080 w1", Servers(ipvs));
    }

    [Fact]
    public async Task RoundAgainstATableThatRefuses_IsReported_NotThrown()
    {
        var ipvs = new InMemoryIpvs();
        var observer = new FailureRecorder();
        var refusing = new VirtualServiceKeeper(
            ipvs,
            new VirtualService(Web) { Scheduler = "nosuch" },
            [A],
            new HealthCheckOptions { Type = HealthCheckType.Tcp },
            new ScriptedProber(),
            new FakeTimeProvider(),
            observer);

        Assert.Throws<SchedulerNotFoundException>(() => refusing.Ensure(Token));
        await refusing.RunRoundAsync(Token);

        Assert.Null(ipvs.GetService(Web, Token));
        // The kernel's refusal is an outcome of the round (reported per change), not a failure of it.
        Assert.Equal((1, 0), (observer.Completed, observer.Failed));
        Assert.True(observer.Refused >= 2, $"refusals reported: {observer.Refused}");
    }

    private sealed class ScriptedProber : IHealthProber
    {
        private int _probes;

        public HashSet<string> Down { get; } = [];

        public int Probes => _probes;

        public string Name => "scripted";

        public ValueTask<ProbeResult> ProbeAsync(IPAddress address, ushort port, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _probes);
            lock (Down)
            {
                return ValueTask.FromResult(Down.Contains(AddressPort.Format(address, port))
                    ? ProbeResult.Unhealthy(TimeSpan.FromMilliseconds(1), "connection refused")
                    : ProbeResult.Healthy(TimeSpan.FromMilliseconds(1)));
            }
        }

        public void Dispose()
        {
        }
    }

    private sealed class FailureRecorder : IVirtualServiceKeeperObserver
    {
        public int Completed { get; private set; }

        public int Failed { get; private set; }

        public int Refused { get; private set; }

        public void ProbeCompleted(VirtualServiceKey service, RealServerHealth server, ProbeResult result)
        {
        }

        public void HealthChanged(VirtualServiceKey service, RealServerHealth server, RealServerHealthState previous, ServiceHealth health)
        {
        }

        public void PanicChanged(VirtualServiceKey service, bool inPanic, ServiceHealth health)
        {
        }

        public void KernelChanged(VirtualServiceKey service, IpvsOperationResult result, KernelChangeCause cause)
        {
            if (!result.Succeeded)
            {
                Refused++;
            }
        }

        public void RoundFailed(VirtualServiceKey service, Exception error) => Failed++;

        public void RoundCompleted(VirtualServiceKey service, TimeSpan duration, ServiceHealth health) => Completed++;
    }
}
