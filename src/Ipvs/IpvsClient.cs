using System.Net;
using System.Net.Sockets;
using Ipvs.Kernel;
using Ipvs.Model;
using Ipvs.Netlink;
using Ipvs.Netlink.Interop;

namespace Ipvs;

/// <summary>
/// A connection to the kernel's IPVS over Generic Netlink: services, real servers, counters,
/// timeouts and sync daemons. One socket serves every request; batches of changes go to the
/// kernel many per send (see <see cref="Execute"/>).
/// </summary>
/// <remarks>
/// Needs CAP_NET_ADMIN in the network namespace it works on. Thread-safe: requests from several
/// threads are serialized. Synchronous: the kernel answers IPVS requests while they are being
/// sent, so there is no I/O to wait on (see <see cref="IIpvs"/>); cancellation is honoured
/// between batches and while waiting for a reply.
/// </remarks>
public sealed class IpvsClient : IIpvs, IDisposable
{
    private readonly NetlinkSocket _socket;
    private readonly ushort _familyId;
    private readonly IpvsClientOptions _options;
    private readonly Lock _lock = new();
    private readonly NetlinkMessageWriter _writer = new(2048);
    private HashSet<string>? _modulesChecked;
    private bool _disposed;

    private IpvsClient(NetlinkSocket socket, GenericNetlinkFamily family, IpvsClientOptions options)
    {
        _socket = socket;
        _familyId = family.Id;
        _options = options;
        FamilyVersion = family.Version;
        SupportsLocalAddresses = family.Supports(IpvsGenl.CmdNewLocalAddress)
            && family.Supports(IpvsGenl.CmdDelLocalAddress)
            && family.Supports(IpvsGenl.CmdGetLocalAddress);
    }

    /// <summary>The socket (tests compare its io_uring and ordinary paths).</summary>
    internal NetlinkSocket Socket => _socket;

    /// <summary>The version of the kernel's IPVS generic netlink interface.</summary>
    public uint FamilyVersion { get; }

    /// <summary>
    /// True when the kernel has the FULLNAT extension (Alibaba's LVS kernels): local addresses and
    /// <see cref="ForwardingMethod.FullNat"/>. Read from the operations the kernel lists for the
    /// IPVS generic netlink family (commands 18 to 20), not guessed; mainline kernels have none.
    /// </summary>
    public bool SupportsLocalAddresses { get; }

    /// <summary>
    /// Opens the IPVS interface of the current network namespace, loading <c>ip_vs</c> first
    /// when the kernel lacks it (unless <see cref="IpvsClientOptions.LoadKernelModules"/> is off).
    /// </summary>
    /// <exception cref="IpvsUnavailableException">The kernel has no IPVS and it could not be loaded; the message says why.</exception>
    public static IpvsClient Open(IpvsClientOptions? options = null)
    {
        options ??= new IpvsClientOptions();
        NetlinkSocket socket;
        try
        {
            socket = options.NetworkNamespace is { } path
                ? NetworkNamespace.Run(path, () => NetlinkSocket.Open(NetlinkConstants.ProtocolGeneric, options.ReceiveBufferSize, timeout: options.Timeout))
                : NetlinkSocket.Open(NetlinkConstants.ProtocolGeneric, options.ReceiveBufferSize, timeout: options.Timeout);
        }
        catch (NetlinkException e)
        {
            throw new IpvsUnavailableException(e.Errno, "netlink is not available: " + e.Message, e);
        }

        try
        {
            var family = GenericNetlink.ResolveFamily(socket, IpvsGenl.FamilyName, CancellationToken.None);
            string? loadError = null;
            if (family is null && options.LoadKernelModules)
            {
                loadError = KernelModules.TryLoad("ip_vs");
                family = GenericNetlink.ResolveFamily(socket, IpvsGenl.FamilyName, CancellationToken.None);
            }

            if (family is null)
            {
                var reason = "the kernel has no IP Virtual Server support (no IPVS generic netlink family)";
                reason += options.LoadKernelModules
                    ? " and the ip_vs module could not be loaded" + (loadError is null ? string.Empty : ": " + loadError)
                    : "; loading modules is turned off";
                throw new IpvsUnavailableException(Errno.ENOPROTOOPT, reason);
            }

            return new IpvsClient(socket, family, options);
        }
        catch (NetlinkException e)
        {
            socket.Dispose();
            throw new IpvsUnavailableException(e.Errno, "cannot reach the IPVS generic netlink family: " + e.Message, e);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <inheritdoc/>
    public IpvsInfo GetInfo(CancellationToken cancellationToken = default) =>
        Single(IpvsOperationKind.GetInfo, IpvsGenl.CmdGetInfo, null, static m => IpvsCodec.DecodeInfo(m), cancellationToken);

    /// <inheritdoc/>
    /// <remarks>In the kernel's (hash) order.</remarks>
    public IReadOnlyList<VirtualService> GetServices(CancellationToken cancellationToken = default) => ListServices(cancellationToken);

    /// <inheritdoc/>
    public VirtualService? GetService(VirtualServiceKey key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        try
        {
            return Single(IpvsOperationKind.GetService, IpvsGenl.CmdGetService, key, static m => IpvsCodec.DecodeService(m), cancellationToken);
        }
        catch (ServiceNotFoundException)
        {
            return null;
        }
    }

    /// <inheritdoc/>
    /// <remarks>On one socket: a send and a receive per service (the kernel runs one dump at a time per socket), without the per-call overhead.</remarks>
    public IReadOnlyList<IReadOnlyList<RealServer>> GetRealServers(IReadOnlyList<VirtualServiceKey> keys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        return ListRealServers(keys, cancellationToken);
    }

    /// <inheritdoc/>
    public IReadOnlyList<IpvsTableEntry> GetTable(CancellationToken cancellationToken = default)
    {
        var services = ListServices(cancellationToken);
        var keys = new VirtualServiceKey[services.Count];
        for (var i = 0; i < keys.Length; i++)
        {
            keys[i] = services[i].Key;
        }

        var servers = ListRealServers(keys, cancellationToken);
        var entries = new IpvsTableEntry[services.Count];
        for (var i = 0; i < entries.Length; i++)
        {
            entries[i] = new IpvsTableEntry(services[i], servers[i]);
        }

        return entries;
    }

    /// <inheritdoc/>
    public IpvsTimeouts GetTimeouts(CancellationToken cancellationToken = default) =>
        Single(IpvsOperationKind.GetTimeouts, IpvsGenl.CmdGetConfig, null, static m => IpvsCodec.DecodeTimeouts(m), cancellationToken);

    /// <inheritdoc/>
    public IReadOnlyList<SyncDaemon> GetSyncDaemons(CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            var handler = new DaemonListHandler();
            StartRequest(IpvsGenl.CmdGetDaemon, dump: true);
            _writer.EndMessage();
            var outcome = Exchange(handler, IpvsOperationKind.ListSyncDaemons, null, cancellationToken)[0];
            ThrowIfFailed(IpvsOperationKind.ListSyncDaemons, outcome, null);
            return handler.Daemons;
        }
    }

    /// <inheritdoc/>
    public IReadOnlyList<LocalAddress> GetLocalAddresses(VirtualServiceKey service, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(service);
        RequireFullNat(IpvsOperationKind.ListLocalAddresses, service.ToString());
        lock (_lock)
        {
            var handler = new LocalAddressListHandler(service.Family);
            StartRequest(IpvsGenl.CmdGetLocalAddress, dump: true);
            IpvsCodec.WriteServiceKey(_writer, service);
            _writer.EndMessage();
            var outcome = Exchange(handler, IpvsOperationKind.ListLocalAddresses, service.ToString(), cancellationToken)[0];
            ThrowIfFailed(IpvsOperationKind.ListLocalAddresses, outcome, service.ToString());
            return handler.Addresses;
        }
    }

    /// <inheritdoc/>
    /// <remarks>
    /// As many operations per send as the kernel's buffers allow. A real server whose service
    /// failed to be created fails too, with <see cref="ServiceNotFoundException"/>.
    /// </remarks>
    public IpvsBatchResult Execute(IReadOnlyList<IpvsOperation> operations, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(operations);
        return ExecuteBatch(operations, cancellationToken);
    }

    /// <summary>Closes the netlink socket.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            if (!_disposed)
            {
                _disposed = true;
                _socket.Dispose();
                _writer.Dispose();
            }
        }
    }

    private IReadOnlyList<VirtualService> ListServices(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var handler = new ServiceListHandler();
            StartRequest(IpvsGenl.CmdGetService, dump: true);
            _writer.EndMessage();
            var outcome = Exchange(handler, IpvsOperationKind.ListServices, null, cancellationToken)[0];
            ThrowIfFailed(IpvsOperationKind.ListServices, outcome, null);
            return handler.Services;
        }
    }

    private IReadOnlyList<IReadOnlyList<RealServer>> ListRealServers(IReadOnlyList<VirtualServiceKey> keys, CancellationToken cancellationToken)
    {
        if (keys.Count == 0)
        {
            return [];
        }

        lock (_lock)
        {
            var handler = new RealServerListHandler(keys);
            _writer.Reset();
            foreach (var key in keys)
            {
                IpvsCodec.BeginRequest(_writer, _familyId, IpvsGenl.CmdGetDest, dump: true);
                IpvsCodec.WriteServiceKey(_writer, key);
                _writer.EndMessage();
            }

            var outcomes = Exchange(handler, IpvsOperationKind.ListRealServers, null, cancellationToken);
            for (var i = 0; i < outcomes.Length; i++)
            {
                ThrowIfFailed(IpvsOperationKind.ListRealServers, outcomes[i], keys[i].ToString());
            }

            return handler.Servers;
        }
    }

    /// <summary>Refuses FULLNAT requests on kernels without the extension: nothing is sent, which also keeps forwarding value 5 away from kernels that do not know it.</summary>
    private void RequireFullNat(IpvsOperationKind kind, string target)
    {
        if (!SupportsLocalAddresses)
        {
            throw new IpvsFeatureNotSupportedException(
                kind,
                "this kernel's IPVS has no FULLNAT extension (its generic netlink family lists no local-address commands 18-20)",
                target);
        }
    }

    private void RequireFeatures(IpvsOperation operation)
    {
        switch (operation)
        {
            case AddLocalAddressOperation or DeleteLocalAddressOperation:
                RequireFullNat(operation.Kind, operation.Describe());
                break;
            case AddRealServerOperation { Server.ForwardingMethod: ForwardingMethod.FullNat }:
            case UpdateRealServerOperation { Server.ForwardingMethod: ForwardingMethod.FullNat }:
                RequireFullNat(operation.Kind, operation.Describe());
                break;
        }
    }

    private T Single<T>(IpvsOperationKind kind, byte command, VirtualServiceKey? key, Decoder<T> decode, CancellationToken cancellationToken)
        where T : class
    {
        lock (_lock)
        {
            var handler = new SingleReplyHandler<T>(decode);
            StartRequest(command, dump: false);
            if (key is not null)
            {
                IpvsCodec.WriteServiceKey(_writer, key);
            }

            _writer.EndMessage();
            var outcome = Exchange(handler, kind, key?.ToString(), cancellationToken)[0];
            ThrowIfFailed(kind, outcome, key?.ToString());
            return handler.Value ?? throw new IpvsException(kind, Errno.EINVAL, key?.ToString(), "the kernel sent no reply");
        }
    }

    private IpvsBatchResult ExecuteBatch(IReadOnlyList<IpvsOperation> operations, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            foreach (var operation in operations)
            {
                ArgumentNullException.ThrowIfNull(operation, nameof(operations));
                RequireFeatures(operation);
            }

            _writer.Reset();
            foreach (var operation in operations)
            {
                EnsureModules(operation);
                IpvsCodec.WriteOperation(_writer, _familyId, operation);
            }

            var results = new IpvsOperationResult[operations.Count];
            if (operations.Count == 0)
            {
                return new IpvsBatchResult(results);
            }

            var outcomes = Exchange(null, operations[0].Kind, operations.Count == 1 ? operations[0].Describe() : null, cancellationToken);
            for (var i = 0; i < results.Length; i++)
            {
                var operation = operations[i];
                var outcome = outcomes[i];
                results[i] = new IpvsOperationResult(
                    operation,
                    outcome.Succeeded ? null : IpvsException.Create(operation.Kind, outcome.Errno, operation.Describe(), outcome.KernelMessage));
            }

            return new IpvsBatchResult(results);
        }
    }

    private void EnsureModules(IpvsOperation operation)
    {
        if (!_options.LoadKernelModules)
        {
            return;
        }

        var service = operation switch
        {
            AddServiceOperation add => add.Service,
            UpdateServiceOperation update => update.Service,
            _ => null,
        };
        if (service is null)
        {
            return;
        }

        _modulesChecked ??= new HashSet<string>(StringComparer.Ordinal);
        if (service.Scheduler is { Length: > 0 } scheduler && scheduler != "none" && _modulesChecked.Add("ip_vs_" + scheduler))
        {
            KernelModules.EnsureLoaded("ip_vs_" + scheduler);
        }

        if (service.PersistenceEngine is { Length: > 0 } engine && _modulesChecked.Add("ip_vs_pe_" + engine))
        {
            KernelModules.EnsureLoaded("ip_vs_pe_" + engine);
        }
    }

    private void StartRequest(byte command, bool dump)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _writer.Reset();
        IpvsCodec.BeginRequest(_writer, _familyId, command, dump);
    }

    // Every failure a caller sees is an IpvsException: socket errors, a reply this code cannot
    // parse and a kernel that does not answer are named with the operation, as refusals are.
    private NetlinkOutcome[] Exchange(INetlinkReplyHandler? handler, IpvsOperationKind kind, string? target, CancellationToken cancellationToken)
    {
        try
        {
            return _socket.Execute(_writer.WrittenSpan, handler, cancellationToken);
        }
        catch (NetlinkException e)
        {
            throw new IpvsException(kind, e.Errno, target, e.KernelMessage, e);
        }
        catch (NetlinkProtocolException e)
        {
            throw new IpvsException(kind, Errno.EPROTO, target, e.Message, e);
        }
        catch (TimeoutException e)
        {
            throw new IpvsException(kind, Errno.ETIMEDOUT, target, e.Message, e);
        }
    }

    private static void ThrowIfFailed(IpvsOperationKind kind, NetlinkOutcome outcome, string? target)
    {
        if (!outcome.Succeeded)
        {
            throw IpvsException.Create(kind, outcome.Errno, target, outcome.KernelMessage);
        }
    }

    private delegate T Decoder<out T>(NetlinkMessage message);

    private sealed class SingleReplyHandler<T>(Decoder<T> decode) : INetlinkReplyHandler
        where T : class
    {
        public T? Value { get; private set; }

        public void OnMessage(int request, NetlinkMessage message) => Value = decode(message);

        public void OnRestart(int request) => Value = null;
    }

    private sealed class ServiceListHandler : INetlinkReplyHandler
    {
        public List<VirtualService> Services { get; } = [];

        public void OnMessage(int request, NetlinkMessage message) => Services.Add(IpvsCodec.DecodeService(message));

        public void OnRestart(int request) => Services.Clear();
    }

    private sealed class RealServerListHandler : INetlinkReplyHandler
    {
        private readonly IReadOnlyList<VirtualServiceKey> _keys;
        private readonly List<RealServer>?[] _lists;

        public RealServerListHandler(IReadOnlyList<VirtualServiceKey> keys)
        {
            _keys = keys;
            _lists = new List<RealServer>?[keys.Count];
        }

        public IReadOnlyList<IReadOnlyList<RealServer>> Servers
        {
            get
            {
                var result = new IReadOnlyList<RealServer>[_lists.Length];
                for (var i = 0; i < result.Length; i++)
                {
                    result[i] = (IReadOnlyList<RealServer>?)_lists[i] ?? [];
                }

                return result;
            }
        }

        public void OnMessage(int request, NetlinkMessage message) =>
            (_lists[request] ??= new List<RealServer>(4)).Add(IpvsCodec.DecodeRealServer(message, _keys[request].Family));

        public void OnRestart(int request) => _lists[request]?.Clear();
    }

    private sealed class LocalAddressListHandler(AddressFamily family) : INetlinkReplyHandler
    {
        public List<LocalAddress> Addresses { get; } = [];

        public void OnMessage(int request, NetlinkMessage message) => Addresses.Add(IpvsCodec.DecodeLocalAddress(message, family));

        public void OnRestart(int request) => Addresses.Clear();
    }

    private sealed class DaemonListHandler : INetlinkReplyHandler
    {
        public List<SyncDaemon> Daemons { get; } = [];

        public void OnMessage(int request, NetlinkMessage message) => Daemons.Add(IpvsCodec.DecodeDaemon(message));

        public void OnRestart(int request) => Daemons.Clear();
    }
}
