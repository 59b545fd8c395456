using Ipvs.Model;

namespace Ipvs.Cli.Common;

/// <summary>
/// Turns the library's exceptions into one line that names the object and the cause
/// ("service tcp/198.51.100.1:80 does not exist"), in the CLI's words rather than ipvsadm's.
/// </summary>
internal static class CliErrors
{
    /// <summary>The message for a refused operation of a batch.</summary>
    public static string Describe(IpvsOperationResult result) => Describe(result.Error!, result.Operation);

    /// <summary>The message for an exception, with the operation when the CLI knows it.</summary>
    public static string Describe(IpvsException error, IpvsOperation? operation = null)
    {
        var service = ServiceOf(operation) ?? error.Target;
        return error switch
        {
            IpvsUnavailableException => "IPVS is not available: " + error.Reason,
            IpvsPermissionException => "permission denied: managing IPVS needs root (CAP_NET_ADMIN in this network namespace)",
            IpvsFeatureNotSupportedException when operation is AddRealServerOperation or UpdateRealServerOperation =>
                "forwarding method fnat (FULLNAT) needs a kernel with the FULLNAT extension; this kernel's IPVS has none",
            IpvsFeatureNotSupportedException =>
                "local addresses need a kernel with the FULLNAT extension; this kernel's IPVS has none (its generic netlink family lists no local-address commands)",
            ServiceExistsException => $"service {service} already exists",
            ServiceNotFoundException => $"service {service} does not exist",
            SchedulerNotFoundException => SchedulerMissing(operation, service),
            RealServerExistsException => $"real server {ServerOf(operation)} already exists in service {service}",
            RealServerNotFoundException => $"real server {ServerOf(operation)} does not exist in service {service}",
            SyncDaemonExistsException => $"a {DaemonOf(operation)} sync daemon is already running",
            SyncDaemonNotFoundException => $"no {DaemonOf(operation)} sync daemon is running",
            IpvsInvalidArgumentException when operation is StartSyncDaemonOperation =>
                $"the kernel refused to start the {DaemonOf(operation)} sync daemon: invalid argument (it refuses while a service has real servers of the other address family, and when the interface does not exist or cannot do multicast)",
            IpvsInvalidArgumentException => $"the kernel refused to {Verb(error.Operation)} {Target(operation, error)}: invalid argument"
                + (error.KernelMessage is null ? " (for example an address that is not unicast, or a value out of range)" : ": " + error.KernelMessage),
            _ when error.Operation == IpvsOperationKind.AddLocalAddress && error.ErrorNumber == Errno.EEXIST =>
                $"local address {LocalOf(operation)} already exists in service {service}",
            _ when error.Operation == IpvsOperationKind.DeleteLocalAddress && error.ErrorNumber == Errno.ENOENT =>
                $"local address {LocalOf(operation)} does not exist in service {service}",
            _ => $"cannot {Verb(error.Operation)} {Target(operation, error)}: {error.Reason}"
                + (error.KernelMessage is null ? string.Empty : " (kernel: " + error.KernelMessage + ")"),
        };
    }

    private static string SchedulerMissing(IpvsOperation? operation, string? service)
    {
        var definition = operation switch
        {
            AddServiceOperation add => add.Service,
            UpdateServiceOperation update => update.Service,
            _ => null,
        };
        if (definition is null)
        {
            return $"the scheduler or persistence engine of service {service} is not available in the kernel";
        }

        return definition.PersistenceEngine is { } engine
            ? $"scheduler '{definition.Scheduler}' or persistence engine '{engine}' is not available in the kernel (modules ip_vs_{definition.Scheduler}, ip_vs_pe_{engine})"
            : $"scheduler '{definition.Scheduler}' is not available in the kernel (no module ip_vs_{definition.Scheduler})";
    }

    private static string? ServiceOf(IpvsOperation? operation) => operation switch
    {
        AddServiceOperation add => add.Service.Key.ToString(),
        UpdateServiceOperation update => update.Service.Key.ToString(),
        DeleteServiceOperation delete => delete.Service.ToString(),
        AddRealServerOperation add => add.Service.ToString(),
        UpdateRealServerOperation update => update.Service.ToString(),
        DeleteRealServerOperation delete => delete.Service.ToString(),
        ZeroCountersOperation { Service: { } zero } => zero.ToString(),
        AddLocalAddressOperation add => add.Service.ToString(),
        DeleteLocalAddressOperation delete => delete.Service.ToString(),
        _ => null,
    };

    private static string? ServerOf(IpvsOperation? operation) => operation switch
    {
        AddRealServerOperation add => add.Server.Endpoint,
        UpdateRealServerOperation update => update.Server.Endpoint,
        DeleteRealServerOperation delete => AddressPort.Format(delete.Address, delete.Port),
        _ => null,
    };

    private static string? LocalOf(IpvsOperation? operation) => operation switch
    {
        AddLocalAddressOperation add => add.Address.ToString(),
        DeleteLocalAddressOperation delete => delete.Address.ToString(),
        _ => null,
    };

    private static string DaemonOf(IpvsOperation? operation) => operation switch
    {
        StartSyncDaemonOperation start => IpvsNames.Name(start.Daemon.State),
        StopSyncDaemonOperation stop => IpvsNames.Name(stop.State),
        _ => "sync",
    };

    private static string Target(IpvsOperation? operation, IpvsException error) =>
        operation switch
        {
            AddRealServerOperation or UpdateRealServerOperation or DeleteRealServerOperation => $"real server {ServerOf(operation)} in service {ServiceOf(operation)}",
            AddLocalAddressOperation or DeleteLocalAddressOperation => $"local address {LocalOf(operation)} in service {ServiceOf(operation)}",
            StartSyncDaemonOperation or StopSyncDaemonOperation => $"the {DaemonOf(operation)} sync daemon",
            SetTimeoutsOperation => "the timeouts",
            FlushOperation => "the table",
            ZeroCountersOperation { Service: null } => "the counters of every service",
            not null when ServiceOf(operation) is { } service => "service " + service,
            _ => error.Target ?? "IPVS",
        };

    private static string Verb(IpvsOperationKind kind) => kind switch
    {
        IpvsOperationKind.Open => "open",
        IpvsOperationKind.GetInfo => "read the version of",
        IpvsOperationKind.ListServices => "list",
        IpvsOperationKind.GetService => "read",
        IpvsOperationKind.AddService or IpvsOperationKind.AddRealServer or IpvsOperationKind.AddLocalAddress => "add",
        IpvsOperationKind.UpdateService or IpvsOperationKind.UpdateRealServer => "update",
        IpvsOperationKind.DeleteService or IpvsOperationKind.DeleteRealServer or IpvsOperationKind.DeleteLocalAddress => "delete",
        IpvsOperationKind.ListRealServers => "list the real servers of",
        IpvsOperationKind.ListLocalAddresses => "list the local addresses of",
        IpvsOperationKind.ZeroCounters => "zero",
        IpvsOperationKind.Flush => "flush",
        IpvsOperationKind.GetTimeouts => "read",
        IpvsOperationKind.SetTimeouts => "set",
        IpvsOperationKind.ListSyncDaemons => "list",
        IpvsOperationKind.StartSyncDaemon => "start",
        IpvsOperationKind.StopSyncDaemon => "stop",
        _ => kind.ToString(),
    };
}
