namespace Ipvs;

/// <summary>
/// Why an IPVS request failed, in words: the table of libipvs's <c>ipvs_strerror</c> (so ipvsadm's
/// messages come out exactly), with this library's rows for what libipvs does not do (local
/// addresses, listing services) marked as such, so an ipvsadm-compatible caller can leave them out.
/// </summary>
public static class IpvsErrorReasons
{
    private static readonly IpvsOperationKind?[] s_any = [null];

    /// <summary>
    /// The rows, most specific first: an operation's own text for an errno, then the text for that
    /// errno after any operation (<see cref="IpvsErrorReason.Operation"/> null).
    /// </summary>
    public static IReadOnlyList<IpvsErrorReason> Reasons { get; } =
    [
        .. Rows([IpvsOperationKind.AddService], Errno.EEXIST, "Service already exists"),
        .. Rows([IpvsOperationKind.AddService, IpvsOperationKind.UpdateService], Errno.ENOENT, "Scheduler or persistence engine not found"),
        .. Rows(
            [IpvsOperationKind.UpdateService, IpvsOperationKind.DeleteService, IpvsOperationKind.ZeroCounters, IpvsOperationKind.ListRealServers, IpvsOperationKind.GetService],
            Errno.ESRCH,
            "No such service"),
        .. Rows([IpvsOperationKind.AddRealServer, IpvsOperationKind.UpdateRealServer, IpvsOperationKind.DeleteRealServer], Errno.ESRCH, "Service not defined"),
        .. Rows([IpvsOperationKind.AddRealServer], Errno.EEXIST, "Destination already exists"),
        .. Rows([IpvsOperationKind.UpdateRealServer, IpvsOperationKind.DeleteRealServer], Errno.ENOENT, "No such destination"),
        .. Rows([IpvsOperationKind.StartSyncDaemon], Errno.EEXIST, "Daemon has already run"),
        .. Rows([IpvsOperationKind.StopSyncDaemon], Errno.ESRCH, "No daemon is running"),
        .. Rows([IpvsOperationKind.ListServices], Errno.ESRCH, "No such service", ipvsadm: false),
        .. Rows(
            [IpvsOperationKind.AddLocalAddress, IpvsOperationKind.DeleteLocalAddress, IpvsOperationKind.ListLocalAddresses],
            Errno.ESRCH,
            "Service not defined",
            ipvsadm: false),
        .. Rows([IpvsOperationKind.AddLocalAddress], Errno.EEXIST, "Local address already exists", ipvsadm: false),
        .. Rows([IpvsOperationKind.DeleteLocalAddress], Errno.ENOENT, "No such local address", ipvsadm: false),
        .. Rows(s_any, Errno.EPERM, "Permission denied (you must be root)"),
        .. Rows(s_any, Errno.EINVAL, "Invalid operation.  Possibly wrong module version, address not unicast, ..."),
        .. Rows(s_any, Errno.ENOPROTOOPT, "Protocol not available"),
        .. Rows(s_any, Errno.ENOMEM, "Memory allocation problem"),
        .. Rows(s_any, Errno.EOPNOTSUPP, "Operation not supported with IPv6"),
        .. Rows(s_any, Errno.EAFNOSUPPORT, "Operation not supported with specified address family"),
        .. Rows(s_any, Errno.EMSGSIZE, "Module is wrong version"),

        // ipvsadm prints strerror(0) ("Success"); a failure without an errno reads better so.
        .. Rows(s_any, 0, "Unknown error", ipvsadm: false),
    ];

    /// <summary>
    /// The text for an errno returned to an operation (null: an operation libipvs has no name for),
    /// else the C library's. With <paramref name="ipvsadmOnly"/> only libipvs's own rows count, as
    /// ipvsadm prints them.
    /// </summary>
    public static string Reason(IpvsOperationKind? operation, int errorNumber, bool ipvsadmOnly = false)
    {
        IpvsErrorReason? general = null;
        foreach (var row in Reasons)
        {
            if (row.ErrorNumber != errorNumber || (ipvsadmOnly && !row.Ipvsadm))
            {
                continue;
            }

            if (row.Operation is null)
            {
                general ??= row;
            }
            else if (row.Operation == operation)
            {
                return row.Text;
            }
        }

        return general?.Text ?? Errno.StrError(errorNumber);
    }

    private static IEnumerable<IpvsErrorReason> Rows(IpvsOperationKind?[] operations, int errorNumber, string text, bool ipvsadm = true) =>
        operations.Select(o => new IpvsErrorReason(o, errorNumber, text, ipvsadm));
}

/// <summary>One row of <see cref="IpvsErrorReasons.Reasons"/>.</summary>
/// <param name="Operation">The operation the text is for, or null for any.</param>
/// <param name="ErrorNumber">The errno.</param>
/// <param name="Text">The text (<c>No such service</c>).</param>
/// <param name="Ipvsadm">True when the row is libipvs's (ipvsadm prints it); false when only this library has it.</param>
public sealed record IpvsErrorReason(IpvsOperationKind? Operation, int ErrorNumber, string Text, bool Ipvsadm);
