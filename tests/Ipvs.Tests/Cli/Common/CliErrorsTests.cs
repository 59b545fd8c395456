using System.Net;
using Ipvs.Cli.Common;
using Ipvs.Model;

namespace Ipvs.Tests.Cli.Common;

/// <summary>Every kernel refusal becomes one line that names the object and the cause.</summary>
public sealed class CliErrorsTests
{
    private static readonly VirtualServiceKey s_key = VirtualServiceKey.Parse("tcp/198.51.100.1:80");

    private static string Describe(IpvsOperation operation, int errno) =>
        CliErrors.Describe(IpvsException.Create(operation.Kind, errno, operation.Describe()), operation);

    [Fact]
    public void ServiceMissing() =>
        Assert.Equal("service tcp/198.51.100.1:80 does not exist", Describe(IpvsOperation.DeleteService(s_key), 3));

    [Fact]
    public void ServiceExists() =>
        Assert.Equal("service tcp/198.51.100.1:80 already exists", Describe(IpvsOperation.AddService(new VirtualService(s_key)), 17));

    [Fact]
    public void ServiceMissing_ForARealServer() =>
        Assert.Equal(
            "service tcp/198.51.100.1:80 does not exist",
            Describe(IpvsOperation.AddRealServer(s_key, new RealServer(IPAddress.Parse("192.0.2.10"), 80)), 3));

    [Fact]
    public void RealServerExists() =>
        Assert.Equal(
            "real server 192.0.2.10:8080 already exists in service tcp/198.51.100.1:80",
            Describe(IpvsOperation.AddRealServer(s_key, new RealServer(IPAddress.Parse("192.0.2.10"), 8080)), 17));

    [Fact]
    public void RealServerMissing() =>
        Assert.Equal(
            "real server [2001:db8::10]:53 does not exist in service tcp/198.51.100.1:80",
            Describe(IpvsOperation.DeleteRealServer(s_key, IPAddress.Parse("2001:db8::10"), 53), 2));

    [Fact]
    public void SchedulerMissing_NamesTheModule() =>
        Assert.Equal(
            "scheduler 'fancy' is not available in the kernel (no module ip_vs_fancy)",
            Describe(IpvsOperation.AddService(new VirtualService(s_key) { Scheduler = "fancy" }), 2));

    [Fact]
    public void DaemonRunning() =>
        Assert.Equal("a backup sync daemon is already running", Describe(IpvsOperation.StartSyncDaemon(new SyncDaemon(SyncDaemonState.Backup, "eth0")), 17));

    [Fact]
    public void DaemonNotRunning() =>
        Assert.Equal("no master sync daemon is running", Describe(IpvsOperation.StopSyncDaemon(SyncDaemonState.Master), 3));

    [Fact]
    public void PermissionDenied() =>
        Assert.StartsWith("permission denied: managing IPVS needs root", Describe(IpvsOperation.Flush(), 1), StringComparison.Ordinal);

    [Fact]
    public void InvalidArgument_NamesTheObject() =>
        Assert.StartsWith(
            "the kernel refused to add real server 192.0.2.10:80 in service tcp/198.51.100.1:80: invalid argument",
            Describe(IpvsOperation.AddRealServer(s_key, new RealServer(IPAddress.Parse("192.0.2.10"), 80)), 22),
            StringComparison.Ordinal);

    [Fact]
    public void FullNatMissing_ForForwarding() =>
        Assert.StartsWith(
            "forwarding method fnat (FULLNAT) needs a kernel with the FULLNAT extension",
            CliErrors.Describe(
                new IpvsFeatureNotSupportedException(IpvsOperationKind.AddRealServer, "no FULLNAT"),
                IpvsOperation.AddRealServer(s_key, new RealServer(IPAddress.Parse("192.0.2.10"), 80) { ForwardingMethod = ForwardingMethod.FullNat })),
            StringComparison.Ordinal);

    [Fact]
    public void OtherErrors_NameTheObjectAndTheSystemsReason() =>
        Assert.Equal(
            "cannot set the timeouts: Device or resource busy",
            CliErrors.Describe(IpvsException.Create(IpvsOperationKind.SetTimeouts, 16), IpvsOperation.SetTimeouts(new IpvsTimeouts(TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero))));
}
