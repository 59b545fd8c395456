namespace Ipvs.Tests;

public sealed class IpvsExceptionTests
{
    // ipvsadm's ipvs_strerror table: the same errno reads differently per operation.
    [Theory]
    [InlineData(IpvsOperationKind.AddService, 17, "Service already exists", typeof(ServiceExistsException))]
    [InlineData(IpvsOperationKind.AddService, 2, "Scheduler or persistence engine not found", typeof(SchedulerNotFoundException))]
    [InlineData(IpvsOperationKind.UpdateService, 2, "Scheduler or persistence engine not found", typeof(SchedulerNotFoundException))]
    [InlineData(IpvsOperationKind.UpdateService, 3, "No such service", typeof(ServiceNotFoundException))]
    [InlineData(IpvsOperationKind.DeleteService, 3, "No such service", typeof(ServiceNotFoundException))]
    [InlineData(IpvsOperationKind.ZeroCounters, 3, "No such service", typeof(ServiceNotFoundException))]
    [InlineData(IpvsOperationKind.AddRealServer, 3, "Service not defined", typeof(ServiceNotFoundException))]
    [InlineData(IpvsOperationKind.AddRealServer, 17, "Destination already exists", typeof(RealServerExistsException))]
    [InlineData(IpvsOperationKind.UpdateRealServer, 3, "Service not defined", typeof(ServiceNotFoundException))]
    [InlineData(IpvsOperationKind.UpdateRealServer, 2, "No such destination", typeof(RealServerNotFoundException))]
    [InlineData(IpvsOperationKind.DeleteRealServer, 2, "No such destination", typeof(RealServerNotFoundException))]
    [InlineData(IpvsOperationKind.StartSyncDaemon, 17, "Daemon has already run", typeof(SyncDaemonExistsException))]
    [InlineData(IpvsOperationKind.StopSyncDaemon, 3, "No daemon is running", typeof(SyncDaemonNotFoundException))]
    [InlineData(IpvsOperationKind.Flush, 1, "Permission denied (you must be root)", typeof(IpvsPermissionException))]
    [InlineData(IpvsOperationKind.AddRealServer, 22, "Invalid operation.  Possibly wrong module version, address not unicast, ...", typeof(IpvsInvalidArgumentException))]
    [InlineData(IpvsOperationKind.GetInfo, 92, "Protocol not available", typeof(IpvsException))]
    [InlineData(IpvsOperationKind.AddService, 12, "Memory allocation problem", typeof(IpvsException))]
    [InlineData(IpvsOperationKind.AddService, 95, "Operation not supported with IPv6", typeof(IpvsException))]
    [InlineData(IpvsOperationKind.AddService, 97, "Operation not supported with specified address family", typeof(IpvsException))]
    [InlineData(IpvsOperationKind.AddService, 90, "Module is wrong version", typeof(IpvsException))]
    [InlineData(IpvsOperationKind.UpdateRealServer, 34, "Numerical result out of range", typeof(IpvsException))]
    public void Create_MapsErrnoPerOperation_ToIpvsadmsWordsAndATypedException(IpvsOperationKind operation, int errno, string reason, Type type)
    {
        var exception = IpvsException.Create(operation, errno, "tcp/10.0.0.1:80");

        Assert.IsType(type, exception);
        Assert.Equal(reason, exception.Reason);
        Assert.Equal(errno, exception.ErrorNumber);
        Assert.Equal(operation, exception.Operation);
    }

    [Fact]
    public void Message_NamesTheOperationTheObjectAndTheKernelsText()
    {
        var exception = IpvsException.Create(IpvsOperationKind.AddRealServer, 17, "192.0.2.1:80 in tcp/10.0.0.1:80", "already here");

        Assert.Equal("Cannot add real server 192.0.2.1:80 in tcp/10.0.0.1:80: Destination already exists (kernel: already here)", exception.Message);
    }

    [Fact]
    public void Unavailable_SaysWhy()
    {
        var exception = new IpvsUnavailableException(92, "the kernel has no IP Virtual Server support");

        Assert.Equal("Cannot open IPVS: the kernel has no IP Virtual Server support", exception.Message);
        Assert.Equal(IpvsOperationKind.Open, exception.Operation);
    }
}
