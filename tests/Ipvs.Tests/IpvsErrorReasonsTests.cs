using System.Reflection;

namespace Ipvs.Tests;

/// <summary>The one errno table: names, and the reasons per operation with ipvsadm's rows marked.</summary>
public sealed class IpvsErrorReasonsTests
{
    [Fact]
    public void Errno_EveryConstantHasItsNameOnce()
    {
        var constants = typeof(Errno).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral)
            .Select(f => new ErrnoName((int)f.GetRawConstantValue()!, f.Name))
            .OrderBy(e => e.Number)
            .ToArray();

        Assert.Equal(constants, Errno.Names);
        Assert.Equal(Errno.Names.Count, Errno.Names.Select(n => n.Number).Distinct().Count());
        Assert.All(Errno.Names, n => Assert.Equal(n.Name, Errno.Name(n.Number)));
        Assert.Null(Errno.Name(0));
        Assert.Equal("No such process", Errno.StrError(Errno.ESRCH));
    }

    // libipvs's ipvs_strerror table, as ipvsadm 1.31 has it (function, errno, text).
    public static TheoryData<IpvsOperationKind?, int, string> Libipvs => new()
    {
        { IpvsOperationKind.AddService, Errno.EEXIST, "Service already exists" },
        { IpvsOperationKind.AddService, Errno.ENOENT, "Scheduler or persistence engine not found" },
        { IpvsOperationKind.UpdateService, Errno.ESRCH, "No such service" },
        { IpvsOperationKind.UpdateService, Errno.ENOENT, "Scheduler or persistence engine not found" },
        { IpvsOperationKind.DeleteService, Errno.ESRCH, "No such service" },
        { IpvsOperationKind.ZeroCounters, Errno.ESRCH, "No such service" },
        { IpvsOperationKind.AddRealServer, Errno.ESRCH, "Service not defined" },
        { IpvsOperationKind.AddRealServer, Errno.EEXIST, "Destination already exists" },
        { IpvsOperationKind.UpdateRealServer, Errno.ESRCH, "Service not defined" },
        { IpvsOperationKind.UpdateRealServer, Errno.ENOENT, "No such destination" },
        { IpvsOperationKind.DeleteRealServer, Errno.ESRCH, "Service not defined" },
        { IpvsOperationKind.DeleteRealServer, Errno.ENOENT, "No such destination" },
        { IpvsOperationKind.StartSyncDaemon, Errno.EEXIST, "Daemon has already run" },
        { IpvsOperationKind.StopSyncDaemon, Errno.ESRCH, "No daemon is running" },
        { IpvsOperationKind.ListRealServers, Errno.ESRCH, "No such service" },
        { IpvsOperationKind.GetService, Errno.ESRCH, "No such service" },
        { null, Errno.EPERM, "Permission denied (you must be root)" },
        { null, Errno.EINVAL, "Invalid operation.  Possibly wrong module version, address not unicast, ..." },
        { null, Errno.ENOPROTOOPT, "Protocol not available" },
        { null, Errno.ENOMEM, "Memory allocation problem" },
        { null, Errno.EOPNOTSUPP, "Operation not supported with IPv6" },
        { null, Errno.EAFNOSUPPORT, "Operation not supported with specified address family" },
        { null, Errno.EMSGSIZE, "Module is wrong version" },
    };

    [Theory]
    [MemberData(nameof(Libipvs))]
    public void IpvsadmRows_AreLibipvssTable(IpvsOperationKind? operation, int errno, string text)
    {
        Assert.Contains(new IpvsErrorReason(operation, errno, text, Ipvsadm: true), IpvsErrorReasons.Reasons);
        Assert.Equal(text, IpvsErrorReasons.Reason(operation, errno, ipvsadmOnly: true));
        Assert.Equal(text, IpvsErrorReasons.Reason(operation, errno));
    }

    [Fact]
    public void IpvsadmRows_AreNoMoreThanLibipvssTable()
    {
        Assert.Equal(Libipvs.Count(), IpvsErrorReasons.Reasons.Count(r => r.Ipvsadm));
    }

    [Theory]
    [InlineData(IpvsOperationKind.ListServices, Errno.ESRCH, "No such service")]
    [InlineData(IpvsOperationKind.AddLocalAddress, Errno.ESRCH, "Service not defined")]
    [InlineData(IpvsOperationKind.AddLocalAddress, Errno.EEXIST, "Local address already exists")]
    [InlineData(IpvsOperationKind.DeleteLocalAddress, Errno.ENOENT, "No such local address")]
    [InlineData(IpvsOperationKind.Flush, 0, "Unknown error")]
    public void LibraryRows_AreLeftOutForIpvsadm(IpvsOperationKind operation, int errno, string text)
    {
        Assert.Equal(text, IpvsErrorReasons.Reason(operation, errno));
        Assert.Equal(text, IpvsException.ReasonFor(operation, errno));
        Assert.Equal(Errno.StrError(errno), IpvsErrorReasons.Reason(operation, errno, ipvsadmOnly: true));
    }

    [Fact]
    public void OtherErrnos_ReadAsTheCLibraryHasThem()
    {
        Assert.Equal("Numerical result out of range", IpvsErrorReasons.Reason(IpvsOperationKind.UpdateRealServer, Errno.ERANGE));
        Assert.Equal("No such process", IpvsErrorReasons.Reason(null, Errno.ESRCH, ipvsadmOnly: true));
    }
}
