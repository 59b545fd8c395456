using Ipvs.Netlink.Interop;

namespace Ipvs;

/// <summary>
/// The kernel refused an IPVS request. <see cref="Reason"/> is the text ipvsadm prints for the
/// same error ("Service already exists", "No such destination", …); <see cref="Exception.Message"/>
/// adds what was being done to which object.
/// </summary>
public class IpvsException : Exception
{
    /// <summary>Creates an exception for a failed operation.</summary>
    public IpvsException(IpvsOperationKind operation, int errorNumber, string? target = null, string? kernelMessage = null, Exception? innerException = null)
        : this(operation, errorNumber, ReasonFor(operation, errorNumber), target, kernelMessage, innerException)
    {
    }

    /// <summary>Creates an exception with an explicit reason.</summary>
    protected IpvsException(IpvsOperationKind operation, int errorNumber, string reason, string? target, string? kernelMessage, Exception? innerException)
        : base(BuildMessage(operation, reason, target, kernelMessage), innerException)
    {
        Operation = operation;
        ErrorNumber = errorNumber;
        Reason = reason;
        Target = target;
        KernelMessage = kernelMessage;
    }

    /// <summary>What was being done.</summary>
    public IpvsOperationKind Operation { get; }

    /// <summary>The errno the kernel returned (positive), or 0 when the failure did not come from the kernel.</summary>
    public int ErrorNumber { get; }

    /// <summary>Why it failed, in ipvsadm's words where ipvsadm has some, otherwise the system's error text.</summary>
    public string Reason { get; }

    /// <summary>The object concerned, in the compact form (<c>tcp/10.0.0.1:80</c>), or null.</summary>
    public string? Target { get; }

    /// <summary>The kernel's own explanation (extended ACK), when it sent one.</summary>
    public string? KernelMessage { get; }

    /// <summary>Creates the most specific exception for an errno returned to an operation.</summary>
    public static IpvsException Create(IpvsOperationKind operation, int errorNumber, string? target = null, string? kernelMessage = null)
    {
        return (operation, errorNumber) switch
        {
            (IpvsOperationKind.AddService, Errno.EEXIST) => new ServiceExistsException(operation, errorNumber, target, kernelMessage),
            (IpvsOperationKind.AddService or IpvsOperationKind.UpdateService, Errno.ENOENT) => new SchedulerNotFoundException(operation, errorNumber, target, kernelMessage),
            (IpvsOperationKind.UpdateService or IpvsOperationKind.DeleteService or IpvsOperationKind.ZeroCounters or IpvsOperationKind.GetService
                or IpvsOperationKind.ListRealServers or IpvsOperationKind.AddRealServer or IpvsOperationKind.UpdateRealServer
                or IpvsOperationKind.DeleteRealServer or IpvsOperationKind.ListLocalAddresses or IpvsOperationKind.AddLocalAddress
                or IpvsOperationKind.DeleteLocalAddress, Errno.ESRCH) => new ServiceNotFoundException(operation, errorNumber, target, kernelMessage),
            (IpvsOperationKind.AddRealServer, Errno.EEXIST) => new RealServerExistsException(operation, errorNumber, target, kernelMessage),
            (IpvsOperationKind.UpdateRealServer or IpvsOperationKind.DeleteRealServer, Errno.ENOENT) => new RealServerNotFoundException(operation, errorNumber, target, kernelMessage),
            (IpvsOperationKind.StartSyncDaemon, Errno.EEXIST) => new SyncDaemonExistsException(operation, errorNumber, target, kernelMessage),
            (IpvsOperationKind.StopSyncDaemon, Errno.ESRCH) => new SyncDaemonNotFoundException(operation, errorNumber, target, kernelMessage),
            (_, Errno.EPERM or Errno.EACCES) => new IpvsPermissionException(operation, errorNumber, target, kernelMessage),
            (_, Errno.EINVAL) => new IpvsInvalidArgumentException(operation, errorNumber, target, kernelMessage),
            _ => new IpvsException(operation, errorNumber, target, kernelMessage),
        };
    }

    /// <summary>ipvsadm's text for an errno returned to an operation (its <c>ipvs_strerror</c> table), else the system's.</summary>
    public static string ReasonFor(IpvsOperationKind operation, int errorNumber) => IpvsErrorReasons.Reason(operation, errorNumber);

    private static string BuildMessage(IpvsOperationKind operation, string reason, string? target, string? kernelMessage)
    {
        var verb = operation switch
        {
            IpvsOperationKind.Open => "open IPVS",
            IpvsOperationKind.GetInfo => "read IPVS information",
            IpvsOperationKind.ListServices => "list services",
            IpvsOperationKind.GetService => "read service",
            IpvsOperationKind.AddService => "add service",
            IpvsOperationKind.UpdateService => "edit service",
            IpvsOperationKind.DeleteService => "delete service",
            IpvsOperationKind.ListRealServers => "list real servers of",
            IpvsOperationKind.AddRealServer => "add real server",
            IpvsOperationKind.UpdateRealServer => "edit real server",
            IpvsOperationKind.DeleteRealServer => "delete real server",
            IpvsOperationKind.ZeroCounters => "zero counters of",
            IpvsOperationKind.Flush => "flush",
            IpvsOperationKind.GetTimeouts => "read timeouts",
            IpvsOperationKind.SetTimeouts => "set timeouts",
            IpvsOperationKind.ListSyncDaemons => "list sync daemons",
            IpvsOperationKind.StartSyncDaemon => "start",
            IpvsOperationKind.StopSyncDaemon => "stop",
            IpvsOperationKind.ListLocalAddresses => "list local addresses of",
            IpvsOperationKind.AddLocalAddress => "add local address",
            IpvsOperationKind.DeleteLocalAddress => "delete local address",
            _ => operation.ToString(),
        };
        var text = "Cannot " + verb + (target is null ? string.Empty : " " + target) + ": " + reason;
        return string.IsNullOrEmpty(kernelMessage) ? text : text + " (kernel: " + kernelMessage + ")";
    }
}

/// <summary>The service to add exists already (EEXIST).</summary>
public sealed class ServiceExistsException : IpvsException
{
    internal ServiceExistsException(IpvsOperationKind operation, int errorNumber, string? target, string? kernelMessage)
        : base(operation, errorNumber, target, kernelMessage)
    {
    }
}

/// <summary>The service does not exist (ESRCH).</summary>
public sealed class ServiceNotFoundException : IpvsException
{
    internal ServiceNotFoundException(IpvsOperationKind operation, int errorNumber, string? target, string? kernelMessage)
        : base(operation, errorNumber, target, kernelMessage)
    {
    }
}

/// <summary>The real server to add exists already in that service (EEXIST).</summary>
public sealed class RealServerExistsException : IpvsException
{
    internal RealServerExistsException(IpvsOperationKind operation, int errorNumber, string? target, string? kernelMessage)
        : base(operation, errorNumber, target, kernelMessage)
    {
    }
}

/// <summary>The real server does not exist in that service (ENOENT).</summary>
public sealed class RealServerNotFoundException : IpvsException
{
    internal RealServerNotFoundException(IpvsOperationKind operation, int errorNumber, string? target, string? kernelMessage)
        : base(operation, errorNumber, target, kernelMessage)
    {
    }
}

/// <summary>The kernel has no such scheduler or persistence engine, even after trying to load its module (ENOENT).</summary>
public sealed class SchedulerNotFoundException : IpvsException
{
    internal SchedulerNotFoundException(IpvsOperationKind operation, int errorNumber, string? target, string? kernelMessage)
        : base(operation, errorNumber, target, kernelMessage)
    {
    }
}

/// <summary>A sync daemon of that role runs already (EEXIST).</summary>
public sealed class SyncDaemonExistsException : IpvsException
{
    internal SyncDaemonExistsException(IpvsOperationKind operation, int errorNumber, string? target, string? kernelMessage)
        : base(operation, errorNumber, target, kernelMessage)
    {
    }
}

/// <summary>No sync daemon of that role runs (ESRCH).</summary>
public sealed class SyncDaemonNotFoundException : IpvsException
{
    internal SyncDaemonNotFoundException(IpvsOperationKind operation, int errorNumber, string? target, string? kernelMessage)
        : base(operation, errorNumber, target, kernelMessage)
    {
    }
}

/// <summary>The process lacks CAP_NET_ADMIN (EPERM).</summary>
public sealed class IpvsPermissionException : IpvsException
{
    internal IpvsPermissionException(IpvsOperationKind operation, int errorNumber, string? target, string? kernelMessage)
        : base(operation, errorNumber, target, kernelMessage)
    {
    }
}

/// <summary>
/// The kernel rejected the request's values (EINVAL): for example an address that is not
/// unicast, a real server of another address family without tunnel forwarding, a GUE tunnel
/// without a port, an IPv6 persistence prefix outside 1–128.
/// </summary>
public sealed class IpvsInvalidArgumentException : IpvsException
{
    internal IpvsInvalidArgumentException(IpvsOperationKind operation, int errorNumber, string? target, string? kernelMessage)
        : base(operation, errorNumber, target, kernelMessage)
    {
    }
}

/// <summary>IPVS cannot be used on this system: the kernel lacks it and its module could not be loaded, or netlink is unavailable.</summary>
public sealed class IpvsUnavailableException : IpvsException
{
    /// <summary>Creates the exception with the reason IPVS is unavailable.</summary>
    public IpvsUnavailableException(int errorNumber, string reason, Exception? innerException = null)
        : base(IpvsOperationKind.Open, errorNumber, reason, null, null, innerException)
    {
    }
}

/// <summary>
/// This kernel's IPVS lacks a feature the request needs (EOPNOTSUPP): local addresses and FULLNAT
/// forwarding exist only in kernels with the FULLNAT extension. Detected from the generic netlink
/// family's list of operations; nothing was sent.
/// </summary>
public sealed class IpvsFeatureNotSupportedException : IpvsException
{
    /// <summary>Creates the exception for an operation and the missing feature's description.</summary>
    public IpvsFeatureNotSupportedException(IpvsOperationKind operation, string reason, string? target = null)
        : base(operation, Errno.EOPNOTSUPP, reason, target, null, null)
    {
    }
}
