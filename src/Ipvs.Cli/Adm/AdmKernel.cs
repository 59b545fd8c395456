using System.Net;
using System.Net.Sockets;
using System.Text;
using Ipvs.Cli.Adm.Interop;
using Ipvs.Model;

namespace Ipvs.Cli.Adm;

/// <summary>The libipvs function last called: ipvs_strerror words an errno by it.</summary>
internal enum LibFunction
{
    None,
    Init,
    AddService,
    UpdateService,
    DeleteService,
    ZeroService,
    AddDest,
    UpdateDest,
    DeleteDest,
    SetTimeout,
    StartDaemon,
    StopDaemon,
    GetDests,
    GetService,
    GetTimeout,
    GetDaemon,
}

/// <summary>A change to send, with the libipvs function ipvsadm would have called for it (null: flush, which sets none).</summary>
internal readonly record struct AdmOperation(IpvsOperation Operation, LibFunction? Function);

/// <summary>
/// The kernel side of ipvsadm on this library's client: one netlink socket for the whole run
/// (ipvsadm opens one per request), changes sent in pipelined batches, and ipvsadm's error texts
/// (ipvs_strerror), which depend on the function last called.
/// </summary>
internal sealed class AdmKernel : IDisposable
{
    private readonly IpvsClient _client;

    private AdmKernel(IpvsClient client, IpvsInfo info)
    {
        _client = client;
        Info = info;
        LastFunction = LibFunction.Init;
    }

    /// <summary>The IPVS version and connection table size read at start (ipvs_info).</summary>
    public IpvsInfo Info { get; }

    /// <summary>libipvs's ipvs_func.</summary>
    public LibFunction LastFunction { get; set; }

    public IpvsClient Client => _client;

    /// <summary>
    /// ipvs_init: reach IPVS and read its version; when that fails, run "/sbin/modprobe -- ip_vs"
    /// (its output goes where ours goes) and try once more; then give up as ipvsadm does.
    /// </summary>
    public static AdmKernel Open()
    {
        var errno = TryOpen(out var kernel);
        if (kernel is not null)
        {
            return kernel;
        }

        if (RunModprobe())
        {
            errno = TryOpen(out kernel);
            if (kernel is not null)
            {
                return kernel;
            }
        }

        throw AdmStopException.Fail(
            2,
            "Can't initialize ipvs: " + StrError(LibFunction.Init, errno) + "\nAre you sure that IP Virtual Server is built in the kernel or as module?");
    }

    private static int TryOpen(out AdmKernel? kernel)
    {
        kernel = null;
        IpvsClient? client = null;
        try
        {
            client = IpvsClient.Open(new IpvsClientOptions { LoadKernelModules = false });
            var info = client.GetInfo();
            kernel = new AdmKernel(client, info);
            return 0;
        }
        catch (IpvsUnavailableException e)
        {
            client?.Dispose();

            // Without the IPVS family libipvs falls back to the old socket options, which answer
            // ENOPROTOOPT: that is what ipvsadm reports.
            return e.ErrorNumber is 0 or Errno.ENOPROTOOPT or Errno.ENOENT
                ? Errno.ENOPROTOOPT
                : e.ErrorNumber;
        }
        catch (IpvsException e)
        {
            client?.Dispose();
            return e.ErrorNumber;
        }
    }

    /// <summary>modprobe_ipvs: its output goes where ours goes.</summary>
    private static bool RunModprobe() =>
        Ipvs.Kernel.ChildProcess.Run("/sbin/modprobe", ["--", "ip_vs"], captureError: false, out _, out _) == 0;

    /// <summary>ipvs_strerror: the message libipvs has for this errno after <paramref name="function"/>, else strerror.</summary>
    public static string StrError(LibFunction function, int errno) => IpvsErrorReasons.Reason(Operation(function), errno, ipvsadmOnly: true);

    /// <summary>The library's name for a libipvs function, whose error texts it holds.</summary>
    private static IpvsOperationKind? Operation(LibFunction function) => function switch
    {
        LibFunction.Init => IpvsOperationKind.Open,
        LibFunction.AddService => IpvsOperationKind.AddService,
        LibFunction.UpdateService => IpvsOperationKind.UpdateService,
        LibFunction.DeleteService => IpvsOperationKind.DeleteService,
        LibFunction.ZeroService => IpvsOperationKind.ZeroCounters,
        LibFunction.AddDest => IpvsOperationKind.AddRealServer,
        LibFunction.UpdateDest => IpvsOperationKind.UpdateRealServer,
        LibFunction.DeleteDest => IpvsOperationKind.DeleteRealServer,
        LibFunction.SetTimeout => IpvsOperationKind.SetTimeouts,
        LibFunction.StartDaemon => IpvsOperationKind.StartSyncDaemon,
        LibFunction.StopDaemon => IpvsOperationKind.StopSyncDaemon,
        LibFunction.GetDests => IpvsOperationKind.ListRealServers,
        LibFunction.GetService => IpvsOperationKind.GetService,
        LibFunction.GetTimeout => IpvsOperationKind.GetTimeouts,
        LibFunction.GetDaemon => IpvsOperationKind.ListSyncDaemons,
        _ => null,
    };

    /// <summary>ipvs_strerror with the current function.</summary>
    public string StrError(int errno) => StrError(LastFunction, errno);

    /// <summary>The change a parsed command makes, or null when it makes none (listings, restore).</summary>
    public static AdmOperation? ToOperation(AdmRequest request)
    {
        switch (request.Command)
        {
            case AdmCommand.Flush:
                return new AdmOperation(IpvsOperation.Flush(), null);
            case AdmCommand.Add:
                return new AdmOperation(IpvsOperation.AddService(ToService(request)), LibFunction.AddService);
            case AdmCommand.Edit:
                return new AdmOperation(IpvsOperation.UpdateService(ToService(request)), LibFunction.UpdateService);
            case AdmCommand.Delete:
                return new AdmOperation(IpvsOperation.DeleteService(ToKey(request)), LibFunction.DeleteService);
            case AdmCommand.Zero:
                // libipvs names the service only when something identifies it.
                var all = request.FirewallMark == 0 && request.Service.Port == 0 && Array.TrueForAll(request.Service.Address, b => b == 0);
                return new AdmOperation(IpvsOperation.ZeroCounters(all ? null : ToKey(request)), LibFunction.ZeroService);
            case AdmCommand.AddServer:
                return new AdmOperation(IpvsOperation.AddRealServer(ToKey(request), ToRealServer(request)), LibFunction.AddDest);
            case AdmCommand.EditServer:
                return new AdmOperation(IpvsOperation.UpdateRealServer(ToKey(request), ToRealServer(request)), LibFunction.UpdateDest);
            case AdmCommand.DeleteServer:
                return new AdmOperation(
                    IpvsOperation.DeleteRealServer(ToKey(request), ToAddress(request.Destination.Family, request.Destination.Address), request.Destination.Port),
                    LibFunction.DeleteDest);
            case AdmCommand.SetTimeout:
                return new AdmOperation(
                    IpvsOperation.SetTimeouts(new IpvsTimeouts(
                        TimeSpan.FromSeconds(request.TcpTimeout), TimeSpan.FromSeconds(request.TcpFinTimeout), TimeSpan.FromSeconds(request.UdpTimeout))),
                    LibFunction.SetTimeout);
            case AdmCommand.StartDaemon:
                return new AdmOperation(IpvsOperation.StartSyncDaemon(ToDaemon(request)), LibFunction.StartDaemon);
            case AdmCommand.StopDaemon:
                return new AdmOperation(IpvsOperation.StopSyncDaemon((SyncDaemonState)request.DaemonState), LibFunction.StopDaemon);
            default:
                return null;
        }
    }

    /// <summary>Sends the changes, pipelined, and returns each one's errno (0 when applied), in order.</summary>
    public int[] Execute(List<AdmOperation> operations)
    {
        var errors = new int[operations.Count];
        if (operations.Count == 0)
        {
            return errors;
        }

        var list = new IpvsOperation[operations.Count];
        for (var i = 0; i < list.Length; i++)
        {
            list[i] = operations[i].Operation;
        }

        IpvsBatchResult result;
        try
        {
            result = _client.Execute(list);
        }
        catch (Exception e) when (IsKernelFailure(e))
        {
            // The socket failed, not the kernel's answer to one request: libnl then leaves EINVAL.
            Array.Fill(errors, ErrorNumber(e));
            return errors;
        }

        for (var i = 0; i < errors.Length; i++)
        {
            errors[i] = result[i].Error is { } error ? (error.ErrorNumber == 0 ? Errno.EINVAL : error.ErrorNumber) : 0;
        }

        return errors;
    }

    /// <summary>A failure of the request or of the socket under it, as opposed to a bug.</summary>
    public static bool IsKernelFailure(Exception e) =>
        e is IpvsException or Ipvs.Netlink.NetlinkException or Ipvs.Netlink.NetlinkProtocolException or TimeoutException;

    /// <summary>The errno libipvs would leave for a failure (EINVAL when there is none, as libnl's errors leave it).</summary>
    public static int ErrorNumber(Exception e) => e switch
    {
        IpvsException { ErrorNumber: > 0 } ipvs => ipvs.ErrorNumber,
        Ipvs.Netlink.NetlinkException { Errno: > 0 } netlink => netlink.Errno,
        _ => Errno.EINVAL,
    };

    private static VirtualServiceKey ToKey(AdmRequest request)
    {
        var family = request.Service.Family == AdmLibC.AF_INET6 ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork;
        return request.FirewallMark != 0
            ? VirtualServiceKey.ForFirewallMark(request.FirewallMark, family)
            : VirtualServiceKey.Create((IpvsProtocol)request.Service.Protocol, ToAddress(request.Service.Family, request.Service.Address), request.Service.Port);
    }

    private static VirtualService ToService(AdmRequest request) => new(ToKey(request))
    {
        Scheduler = ToKernelString(request.Scheduler),
        Flags = (ServiceFlags)request.Flags,
        Timeout = TimeSpan.FromSeconds(request.Timeout),
        Netmask = ToNetmask(request),
        PersistenceEngine = request.PersistenceEngine.Length == 0 ? null : ToKernelString(request.PersistenceEngine),
    };

    // The parser keeps ipvsadm's numbers: an IPv4 mask, or an IPv6 prefix it has checked is 1 to 128
    // (-6 and an IPv6 address reset it to 128).
    private static PersistenceNetmask ToNetmask(AdmRequest request) => request.Service.Family == AdmLibC.AF_INET6
        ? PersistenceNetmask.FromPrefixLength(AddressFamily.InterNetworkV6, (int)request.Service.Netmask)
        : PersistenceNetmask.FromIPv4Mask(request.Service.Netmask);

    private static RealServer ToRealServer(AdmRequest request) =>
        new(ToAddress(request.Destination.Family, request.Destination.Address), request.Destination.Port)
        {
            ForwardingMethod = (ForwardingMethod)(request.ConnFlags & 7),
            Weight = request.Weight,
            UpperThreshold = request.UpperThreshold,
            LowerThreshold = request.LowerThreshold,
            TunnelType = (TunnelType)request.TunnelType,
            TunnelPort = request.TunnelPort,
            TunnelFlags = (TunnelFlags)request.TunnelFlags,
        };

    private static SyncDaemon ToDaemon(AdmRequest request) =>
        new((SyncDaemonState)request.DaemonState, ToKernelString(request.McastInterface), (uint)request.SyncId)
        {
            MaxLength = (ushort)request.SyncMaxLength,
            Port = request.McastPort,
            Ttl = (byte)request.McastTtl,
            MulticastGroup = request.McastFamily switch
            {
                AdmLibC.AF_INET => new IPAddress(request.McastGroup.AsSpan(0, 4)),
                AdmLibC.AF_INET6 => new IPAddress(request.McastGroup),
                _ => null,
            },
        };

    internal static IPAddress ToAddress(int family, byte[] address) =>
        family == AdmLibC.AF_INET6 ? new IPAddress(address) : new IPAddress(address.AsSpan(0, 4));

    /// <summary>Our strings carry bytes; the library encodes UTF-8, so give it the string those bytes spell.</summary>
    private static string ToKernelString(string bytes)
    {
        foreach (var c in bytes)
        {
            if (c >= 0x80)
            {
                var raw = new byte[bytes.Length];
                for (var i = 0; i < raw.Length; i++)
                {
                    raw[i] = (byte)bytes[i];
                }

                return Encoding.UTF8.GetString(raw);
            }
        }

        return bytes;
    }

    /// <summary>A string the library decoded from the kernel's bytes, back to one character per byte.</summary>
    internal static string FromKernelString(string text)
    {
        foreach (var c in text)
        {
            if (c >= 0x80)
            {
                var raw = Encoding.UTF8.GetBytes(text);
                return string.Create(raw.Length, raw, static (span, bytes) =>
                {
                    for (var i = 0; i < span.Length; i++)
                    {
                        span[i] = (char)bytes[i];
                    }
                });
            }
        }

        return text;
    }

    public void Dispose() => _client.Dispose();
}
