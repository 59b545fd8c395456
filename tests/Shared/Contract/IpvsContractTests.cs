using System.Net;
using Ipvs.Model;

namespace Ipvs.Testing.Contract;

/// <summary>An IPVS table under test and what owns it (a network namespace for the kernel).</summary>
internal sealed class IpvsUnderTest(IIpvs ipvs, IDisposable? owner) : IDisposable
{
    public IIpvs Ipvs { get; } = ipvs;

    public void Dispose()
    {
        (Ipvs as IDisposable)?.Dispose();
        owner?.Dispose();
    }
}

/// <summary>
/// What the kernel's IPVS does, as one suite run twice: against the kernel in the lab
/// (Ipvs.KernelTests) and against <see cref="InMemoryIpvs"/> on the host (Ipvs.Tests). A fake
/// that drifts from the kernel fails on one side only. Each table has an interface "sync0"
/// with MTU 1500 for sync daemons.
/// </summary>
public abstract class IpvsContractTests
{
    private static readonly VirtualServiceKey Tcp = VirtualServiceKey.Parse("tcp/198.18.0.1:80");
    private static readonly VirtualServiceKey Tcp6 = VirtualServiceKey.Parse("tcp/[2001:db8::1]:80");
    private static readonly IPAddress Rs1 = IPAddress.Parse("198.18.1.1");
    private static readonly IPAddress Rs2 = IPAddress.Parse("198.18.1.2");

    private protected static CancellationToken Token => TestContext.Current.CancellationToken;

    private protected abstract IpvsUnderTest Open();

    [Fact]
    public void AddedService_IsListed_WithItsSettings()
    {
        using var table = Open();
        var service = new VirtualService(Tcp) { Scheduler = "wrr", Flags = ServiceFlags.Persistent, Timeout = TimeSpan.FromSeconds(300), Netmask = PersistenceNetmask.FromPrefixLength(Tcp.Family, 24) };
        table.Ipvs.AddService(service, Token);

        var listed = Assert.Single(table.Ipvs.GetServices(Token));
        Assert.True(listed.HasSameSettings(service));
        Assert.Equal(ServiceFlags.Persistent, listed.Flags);
        Assert.Equal(0ul, listed.Statistics!.Connections);
        Assert.True(table.Ipvs.GetService(Tcp, Token)!.HasSameSettings(service));
    }

    [Fact]
    public void ServiceTwice_IsRefused_AsExisting()
    {
        using var table = Open();
        table.Ipvs.AddService(new VirtualService(Tcp), Token);

        var error = Assert.Throws<ServiceExistsException>(() => table.Ipvs.AddService(new VirtualService(Tcp) { Scheduler = "rr" }, Token));

        Assert.Equal("Service already exists", error.Reason);
        Assert.Equal("wlc", Assert.Single(table.Ipvs.GetServices(Token)).Scheduler);
    }

    [Fact]
    public void UnknownSchedulerOrEngine_IsRefused_AsNotFound()
    {
        using var table = Open();
        Assert.Throws<SchedulerNotFoundException>(() => table.Ipvs.AddService(new VirtualService(Tcp) { Scheduler = "nosuch" }, Token));
        Assert.Throws<SchedulerNotFoundException>(() => table.Ipvs.AddService(new VirtualService(Tcp) { PersistenceEngine = "nosuch" }, Token));
        Assert.Empty(table.Ipvs.GetServices(Token));
    }

    [Fact]
    public void MissingService_IsRefused_ForEveryChange_AndReadsAsNull()
    {
        using var table = Open();
        Assert.Null(table.Ipvs.GetService(Tcp, Token));
        Assert.Empty(table.Ipvs.GetRealServers(Tcp, Token));
        Assert.Throws<ServiceNotFoundException>(() => table.Ipvs.UpdateService(new VirtualService(Tcp), Token));
        Assert.Throws<ServiceNotFoundException>(() => table.Ipvs.DeleteService(Tcp, Token));
        Assert.Throws<ServiceNotFoundException>(() => table.Ipvs.ZeroCounters(Tcp, Token));
        var add = Assert.Throws<ServiceNotFoundException>(() => table.Ipvs.AddRealServer(Tcp, new RealServer(Rs1, 80), Token));
        Assert.Equal("Service not defined", add.Reason);
        Assert.Throws<ServiceNotFoundException>(() => table.Ipvs.UpdateRealServer(Tcp, new RealServer(Rs1, 80), Token));
        Assert.Throws<ServiceNotFoundException>(() => table.Ipvs.DeleteRealServer(Tcp, Rs1, 80, Token));
    }

    [Fact]
    public void UpdatedService_KeepsItsRealServers()
    {
        using var table = Open();
        table.Ipvs.AddService(new VirtualService(Tcp), Token);
        table.Ipvs.AddRealServer(Tcp, new RealServer(Rs1, 80), Token);

        table.Ipvs.UpdateService(new VirtualService(Tcp) { Scheduler = "sh", Flags = ServiceFlags.ShFallback | ServiceFlags.ShPort }, Token);

        var entry = Assert.Single(table.Ipvs.GetTable(Token));
        Assert.Equal("sh", entry.Service.Scheduler);
        Assert.Equal(ServiceFlags.ShFallback | ServiceFlags.ShPort, entry.Service.Flags);
        Assert.Equal(Rs1, Assert.Single(entry.RealServers).Address);
    }

    [Fact]
    public void DeletedService_TakesItsRealServers()
    {
        using var table = Open();
        table.Ipvs.AddService(new VirtualService(Tcp), Token);
        table.Ipvs.AddRealServer(Tcp, new RealServer(Rs1, 80), Token);

        table.Ipvs.DeleteService(Tcp, Token);
        table.Ipvs.AddService(new VirtualService(Tcp), Token);

        Assert.Empty(table.Ipvs.GetRealServers(Tcp, Token));
    }

    [Fact]
    public void FirewallMarkAndIPv6Services_AreTheirOwnKeys()
    {
        using var table = Open();
        var mark = VirtualServiceKey.ForFirewallMark(7);
        var mark6 = VirtualServiceKey.ForFirewallMark(7, System.Net.Sockets.AddressFamily.InterNetworkV6);
        table.Ipvs.AddService(new VirtualService(mark), Token);
        table.Ipvs.AddService(new VirtualService(mark6), Token);
        table.Ipvs.AddService(new VirtualService(Tcp6) { Flags = ServiceFlags.Persistent, Timeout = TimeSpan.FromSeconds(60), Netmask = PersistenceNetmask.FromPrefixLength(System.Net.Sockets.AddressFamily.InterNetworkV6, 64) }, Token);
        table.Ipvs.AddService(new VirtualService(VirtualServiceKey.Parse("udp/198.18.0.1:80")), Token);

        var keys = table.Ipvs.GetServices(Token).Select(s => s.Key).ToHashSet();

        Assert.Equal(4, keys.Count);
        Assert.Contains(mark6, keys);
        Assert.Equal(PersistenceNetmask.FromPrefixLength(System.Net.Sockets.AddressFamily.InterNetworkV6, 64), table.Ipvs.GetService(Tcp6, Token)!.Netmask);
    }

    [Fact]
    public void PersistenceNetmask_OfTheOtherFamily_IsRefusedBeforeAnythingIsApplied()
    {
        // An IPv6 prefix outside 1 to 128 cannot be built; what is left to refuse is a netmask of
        // the wrong family (an IPv4 mask on an IPv6 service), and the whole batch goes with it.
        using var table = Open();
        Assert.Throws<ArgumentOutOfRangeException>(() => PersistenceNetmask.FromPrefixLength(System.Net.Sockets.AddressFamily.InterNetworkV6, 129));
        var wrong = new VirtualService(Tcp6) { Flags = ServiceFlags.Persistent, Timeout = TimeSpan.FromSeconds(60), Netmask = PersistenceNetmask.FromPrefixLength(System.Net.Sockets.AddressFamily.InterNetwork, 24) };
        Assert.Throws<ArgumentException>(() => table.Ipvs.Execute([IpvsOperation.AddService(new VirtualService(Tcp)), IpvsOperation.AddService(wrong)], Token));
        Assert.Throws<ArgumentException>(() => table.Ipvs.AddService(new VirtualService(Tcp6) { Netmask = default }, Token));
        Assert.Empty(table.Ipvs.GetServices(Token));
    }

    [Fact]
    public void RealServer_IsListed_WithItsSettings()
    {
        using var table = Open();
        table.Ipvs.AddService(new VirtualService(Tcp), Token);
        var server = new RealServer(Rs1, 8080) { ForwardingMethod = ForwardingMethod.DirectRoute, Weight = 5, UpperThreshold = 100, LowerThreshold = 10 };

        table.Ipvs.AddRealServer(Tcp, server, Token);

        var listed = Assert.Single(table.Ipvs.GetRealServers(Tcp, Token));
        Assert.True(listed.HasSameSettings(server));
        Assert.Equal(0u, listed.ActiveConnections);
        Assert.Equal(0ul, listed.Statistics!.Connections);
    }

    [Fact]
    public void RealServers_AreListed_NewestFirst()
    {
        using var table = Open();
        table.Ipvs.AddService(new VirtualService(Tcp), Token);
        table.Ipvs.AddRealServer(Tcp, new RealServer(Rs1, 80), Token);
        table.Ipvs.AddRealServer(Tcp, new RealServer(Rs2, 80), Token);
        table.Ipvs.AddRealServer(Tcp, new RealServer(Rs1, 81), Token);

        Assert.Equal(["198.18.1.1:81", "198.18.1.2:80", "198.18.1.1:80"], table.Ipvs.GetRealServers(Tcp, Token).Select(s => s.Endpoint));
    }

    [Fact]
    public void RealServerTwice_IsRefused_AndMissingOnes_AreNotFound()
    {
        using var table = Open();
        table.Ipvs.AddService(new VirtualService(Tcp), Token);
        table.Ipvs.AddRealServer(Tcp, new RealServer(Rs1, 80), Token);

        var twice = Assert.Throws<RealServerExistsException>(() => table.Ipvs.AddRealServer(Tcp, new RealServer(Rs1, 80) { Weight = 9 }, Token));
        var update = Assert.Throws<RealServerNotFoundException>(() => table.Ipvs.UpdateRealServer(Tcp, new RealServer(Rs2, 80), Token));
        var delete = Assert.Throws<RealServerNotFoundException>(() => table.Ipvs.DeleteRealServer(Tcp, Rs1, 81, Token));

        Assert.Equal("Destination already exists", twice.Reason);
        Assert.Equal("No such destination", update.Reason);
        Assert.Equal("No such destination", delete.Reason);
        Assert.Equal(1, Assert.Single(table.Ipvs.GetRealServers(Tcp, Token)).Weight);
    }

    [Fact]
    public void NegativeWeight_AndThresholdsTheWrongWayRound_AreOutOfRange()
    {
        using var table = Open();
        table.Ipvs.AddService(new VirtualService(Tcp), Token);

        var weight = Assert.Throws<IpvsException>(() => table.Ipvs.AddRealServer(Tcp, new RealServer(Rs1, 80) { Weight = -1 }, Token));
        var thresholds = Assert.Throws<IpvsException>(() => table.Ipvs.AddRealServer(Tcp, new RealServer(Rs1, 80) { UpperThreshold = 5, LowerThreshold = 10 }, Token));

        Assert.Equal(34, weight.ErrorNumber);
        Assert.Equal(34, thresholds.ErrorNumber);
        Assert.Empty(table.Ipvs.GetRealServers(Tcp, Token));
    }

    [Fact]
    public void RealServerOfAnotherFamily_OnlyThroughATunnel()
    {
        using var table = Open();
        table.Ipvs.AddService(new VirtualService(Tcp), Token);
        var v6 = IPAddress.Parse("2001:db8::5");

        Assert.Throws<IpvsInvalidArgumentException>(() => table.Ipvs.AddRealServer(Tcp, new RealServer(v6, 80), Token));
        Assert.Throws<IpvsInvalidArgumentException>(() => table.Ipvs.AddRealServer(Tcp, new RealServer(v6, 80) { ForwardingMethod = ForwardingMethod.DirectRoute }, Token));
        table.Ipvs.AddRealServer(Tcp, new RealServer(v6, 80) { ForwardingMethod = ForwardingMethod.Tunnel }, Token);

        Assert.Equal(v6, Assert.Single(table.Ipvs.GetRealServers(Tcp, Token)).Address);
    }

    [Fact]
    public void GueTunnel_WithoutPort_IsRefused()
    {
        using var table = Open();
        table.Ipvs.AddService(new VirtualService(Tcp), Token);

        Assert.Throws<IpvsInvalidArgumentException>(() => table.Ipvs.AddRealServer(Tcp, new RealServer(Rs1, 80) { ForwardingMethod = ForwardingMethod.Tunnel, TunnelType = TunnelType.Gue }, Token));
        table.Ipvs.AddRealServer(Tcp, new RealServer(Rs1, 80) { ForwardingMethod = ForwardingMethod.Tunnel, TunnelType = TunnelType.Gue, TunnelPort = 6080, TunnelFlags = TunnelFlags.Checksum }, Token);

        var listed = Assert.Single(table.Ipvs.GetRealServers(Tcp, Token));
        Assert.Equal((TunnelType.Gue, (ushort)6080, TunnelFlags.Checksum), (listed.TunnelType, listed.TunnelPort, listed.TunnelFlags));
    }

    [Fact]
    public void MulticastRealServer_IsRefused()
    {
        using var table = Open();
        table.Ipvs.AddService(new VirtualService(Tcp), Token);

        Assert.Throws<IpvsInvalidArgumentException>(() => table.Ipvs.AddRealServer(Tcp, new RealServer(IPAddress.Parse("239.1.1.1"), 80), Token));
    }

    [Fact]
    public void RealServerAtALocalAddress_KeepsItsForwardingMethod()
    {
        using var table = Open();
        table.Ipvs.AddService(new VirtualService(Tcp), Token);

        table.Ipvs.AddRealServer(Tcp, new RealServer(IPAddress.Loopback, 80) { ForwardingMethod = ForwardingMethod.DirectRoute }, Token);

        // Local delivery is decided per connection, not stored: the kernel lists what was asked.
        Assert.Equal(ForwardingMethod.DirectRoute, Assert.Single(table.Ipvs.GetRealServers(Tcp, Token)).ForwardingMethod);
    }

    [Fact]
    public void WeightZero_KeepsTheRealServerListed()
    {
        using var table = Open();
        table.Ipvs.AddService(new VirtualService(Tcp), Token);
        table.Ipvs.AddRealServer(Tcp, new RealServer(Rs1, 80) { Weight = 4 }, Token);

        table.Ipvs.UpdateRealServer(Tcp, new RealServer(Rs1, 80) { Weight = 0 }, Token);

        Assert.Equal(0, Assert.Single(table.Ipvs.GetRealServers(Tcp, Token)).Weight);
    }

    [Fact]
    public void Batch_AppliesEachOperationOnItsOwn()
    {
        using var table = Open();
        var result = table.Ipvs.Execute(
            [
                IpvsOperation.AddService(new VirtualService(Tcp)),
                IpvsOperation.AddService(new VirtualService(Tcp)),
                IpvsOperation.AddRealServer(Tcp, new RealServer(Rs1, 80)),
                IpvsOperation.AddRealServer(Tcp6, new RealServer(Rs1, 80)),
                IpvsOperation.AddRealServer(Tcp, new RealServer(Rs2, 80)),
            ],
            Token);

        Assert.Equal([true, false, true, false, true], result.Select(r => r.Succeeded));
        Assert.IsType<ServiceExistsException>(result[1].Error);
        Assert.IsType<ServiceNotFoundException>(result[3].Error);
        Assert.Equal(2, table.Ipvs.GetRealServers(Tcp, Token).Count);
    }

    [Fact]
    public void Flush_EmptiesTheTable()
    {
        using var table = Open();
        table.Ipvs.AddService(new VirtualService(Tcp), Token);
        table.Ipvs.AddService(new VirtualService(Tcp6), Token);

        table.Ipvs.Flush(Token);

        Assert.Empty(table.Ipvs.GetTable(Token));
    }

    [Fact]
    public void Timeouts_StartAtTheKernelDefaults_AndZeroKeepsAValue()
    {
        using var table = Open();
        Assert.Equal(new IpvsTimeouts(TimeSpan.FromSeconds(900), TimeSpan.FromSeconds(120), TimeSpan.FromSeconds(300)), table.Ipvs.GetTimeouts(Token));

        table.Ipvs.SetTimeouts(new IpvsTimeouts(TimeSpan.FromSeconds(600), TimeSpan.Zero, TimeSpan.FromSeconds(30)), Token);

        Assert.Equal(new IpvsTimeouts(TimeSpan.FromSeconds(600), TimeSpan.FromSeconds(120), TimeSpan.FromSeconds(30)), table.Ipvs.GetTimeouts(Token));
    }

    [Fact]
    public void SyncDaemons_OnePerRole_WithTheKernelsDefaults()
    {
        using var table = Open();
        table.Ipvs.StartSyncDaemon(new SyncDaemon(SyncDaemonState.Master, "sync0", 5), Token);
        table.Ipvs.StartSyncDaemon(new SyncDaemon(SyncDaemonState.Backup, "sync0", 6) { MulticastGroup = IPAddress.Parse("ff02::1:2") }, Token);

        var twice = Assert.Throws<SyncDaemonExistsException>(() => table.Ipvs.StartSyncDaemon(new SyncDaemon(SyncDaemonState.Master, "sync0", 7), Token));
        Assert.Equal("Daemon has already run", twice.Reason);
        Assert.Equal(
            [
                new SyncDaemon(SyncDaemonState.Master, "sync0", 5) { MaxLength = 1472, MulticastGroup = IPAddress.Parse("224.0.0.81"), Port = 8848, Ttl = 1 },
                new SyncDaemon(SyncDaemonState.Backup, "sync0", 6) { MaxLength = 1452, MulticastGroup = IPAddress.Parse("ff02::1:2"), Port = 8848, Ttl = 1 },
            ],
            table.Ipvs.GetSyncDaemons(Token).OrderBy(d => d.State));

        table.Ipvs.StopSyncDaemon(SyncDaemonState.Master, Token);
        Assert.Equal(SyncDaemonState.Backup, Assert.Single(table.Ipvs.GetSyncDaemons(Token)).State);
        table.Ipvs.StopSyncDaemon(SyncDaemonState.Backup, Token);
        Assert.Throws<SyncDaemonNotFoundException>(() => table.Ipvs.StopSyncDaemon(SyncDaemonState.Backup, Token));
    }

    [Fact]
    public void SyncDaemon_OnAnUnknownInterface_IsRefused()
    {
        using var table = Open();
        var error = Assert.Throws<IpvsException>(() => table.Ipvs.StartSyncDaemon(new SyncDaemon(SyncDaemonState.Master, "nosuch0"), Token));
        Assert.Equal(19, error.ErrorNumber);
        Assert.Empty(table.Ipvs.GetSyncDaemons(Token));
    }

    [Fact]
    public void SyncDaemon_IsRefused_WhileRealServersOfAnotherFamilyExist_AndTheyAfterIt()
    {
        using var table = Open();
        table.Ipvs.AddService(new VirtualService(Tcp), Token);
        var v6 = new RealServer(IPAddress.Parse("2001:db8::5"), 80) { ForwardingMethod = ForwardingMethod.Tunnel };
        table.Ipvs.AddRealServer(Tcp, v6, Token);

        Assert.Throws<IpvsInvalidArgumentException>(() => table.Ipvs.StartSyncDaemon(new SyncDaemon(SyncDaemonState.Master, "sync0"), Token));
        table.Ipvs.DeleteRealServer(Tcp, v6.Address, 80, Token);
        table.Ipvs.StartSyncDaemon(new SyncDaemon(SyncDaemonState.Master, "sync0"), Token);
        Assert.Throws<IpvsInvalidArgumentException>(() => table.Ipvs.AddRealServer(Tcp, v6, Token));
    }

    [Fact]
    public void ZeroCounters_OfAMissingService_IsRefused_AndOfAll_Succeeds()
    {
        using var table = Open();
        table.Ipvs.AddService(new VirtualService(Tcp), Token);

        table.Ipvs.ZeroCounters(null, Token);
        table.Ipvs.ZeroCounters(Tcp, Token);

        Assert.Throws<ServiceNotFoundException>(() => table.Ipvs.ZeroCounters(Tcp6, Token));
    }

    [Fact]
    public void LocalAddresses_AreRefused_WithoutFullNat_BeforeAnythingIsApplied()
    {
        using var table = Open();
        table.Ipvs.AddService(new VirtualService(Tcp), Token);

        Assert.False(table.Ipvs.SupportsLocalAddresses);
        Assert.Throws<IpvsFeatureNotSupportedException>(() => table.Ipvs.GetLocalAddresses(Tcp, Token));
        Assert.Throws<IpvsFeatureNotSupportedException>(() => table.Ipvs.Execute(
            [IpvsOperation.AddRealServer(Tcp, new RealServer(Rs1, 80)), IpvsOperation.AddLocalAddress(Tcp, Rs2)], Token));

        Assert.Empty(table.Ipvs.GetRealServers(Tcp, Token));
    }

    [Fact]
    public void Info_HasAVersionAndATableSize()
    {
        using var table = Open();
        var info = table.Ipvs.GetInfo(Token);
        Assert.True(info.Version.Major >= 1);
        Assert.True(info.ConnectionTableSize > 0);
    }
}
