using System.Net;
using System.Net.Sockets;
using Ipvs.Kernel;
using Ipvs.Model;

namespace Ipvs;

/// <summary>What an <see cref="InMemoryIpvs"/> pretends the kernel has.</summary>
public sealed record InMemoryIpvsOptions
{
    /// <summary>The schedulers the table knows (a kernel loads <c>ip_vs_NAME</c>); others are refused as the kernel refuses them (ENOENT).</summary>
    public IReadOnlySet<string> Schedulers { get; init; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "rr", "wrr", "lc", "wlc", "lblc", "lblcr", "dh", "sh", "sed", "nq", "fo", "ovf", "mh", "none",
    };

    /// <summary>The persistence engines the table knows.</summary>
    public IReadOnlySet<string> PersistenceEngines { get; init; } = new HashSet<string>(StringComparer.Ordinal) { "sip" };

    /// <summary>Network interfaces a sync daemon may use, with their MTU (the kernel answers ENODEV for others).</summary>
    public IReadOnlyDictionary<string, int> Interfaces { get; init; } = new Dictionary<string, int>(StringComparer.Ordinal) { ["lo"] = 65536 };

    /// <summary>Whether the FULLNAT extension is there (mainline kernels: no).</summary>
    public bool SupportsLocalAddresses { get; init; }

    /// <summary>The IPVS version and connection table size <see cref="InMemoryIpvs.GetInfo"/> reports.</summary>
    public IpvsInfo Info { get; init; } = new(0x010203, 4096);
}

/// <summary>
/// An IPVS table in memory that answers as the kernel does: the same refusals with the same
/// errors (a service twice, a real server of another family unless tunnelled, thresholds the
/// wrong way round, an unknown scheduler, …), default timeouts and sync daemon settings. A contract test suite runs against it and against the
/// kernel, so the two cannot drift apart. Counters and connection counts are zero until a test
/// sets them with <c>SetStatistics</c> and <see cref="SetConnections"/>.
/// </summary>
/// <remarks>
/// Thread-safe. Orders services as added and real servers newest first (the kernel lists
/// services in hash order; callers must not depend on it). Nothing of packets: no connections,
/// no rates that move by themselves.
/// </remarks>
public sealed class InMemoryIpvs : IIpvs
{
    private static readonly IpvsTimeouts KernelDefaultTimeouts = new(TimeSpan.FromSeconds(900), TimeSpan.FromSeconds(120), TimeSpan.FromSeconds(300));

    private readonly InMemoryIpvsOptions _options;
    private readonly Lock _lock = new();
    private readonly List<Entry> _services = [];
    private readonly Dictionary<VirtualServiceKey, Entry> _byKey = [];
    private readonly List<SyncDaemon> _daemons = [];
    private IpvsTimeouts _timeouts = KernelDefaultTimeouts;

    /// <summary>An empty table.</summary>
    public InMemoryIpvs(InMemoryIpvsOptions? options = null) => _options = options ?? new InMemoryIpvsOptions();

    /// <summary>How many batches <see cref="Execute"/> has applied (tests count round trips with it).</summary>
    public int BatchCount { get; private set; }

    /// <summary>How many operations <see cref="Execute"/> has applied, refused ones included.</summary>
    public int OperationCount { get; private set; }

    /// <inheritdoc/>
    public bool SupportsLocalAddresses => _options.SupportsLocalAddresses;

    /// <inheritdoc/>
    public IpvsInfo GetInfo(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return _options.Info;
    }

    /// <inheritdoc/>
    public IReadOnlyList<VirtualService> GetServices(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            return _services.Select(e => e.Service).ToArray();
        }
    }

    /// <inheritdoc/>
    public VirtualService? GetService(VirtualServiceKey key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            return _byKey.TryGetValue(key, out var entry) ? entry.Service : null;
        }
    }

    /// <inheritdoc/>
    public IReadOnlyList<IReadOnlyList<RealServer>> GetRealServers(IReadOnlyList<VirtualServiceKey> keys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            var lists = new IReadOnlyList<RealServer>[keys.Count];
            for (var i = 0; i < lists.Length; i++)
            {
                lists[i] = _byKey.TryGetValue(keys[i], out var entry) ? entry.Servers.ToArray() : [];
            }

            return lists;
        }
    }

    /// <inheritdoc/>
    public IReadOnlyList<IpvsTableEntry> GetTable(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            return _services.Select(e => new IpvsTableEntry(e.Service, e.Servers.ToArray())).ToArray();
        }
    }

    /// <inheritdoc/>
    public IpvsTimeouts GetTimeouts(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            return _timeouts;
        }
    }

    /// <inheritdoc/>
    public IReadOnlyList<SyncDaemon> GetSyncDaemons(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            return _daemons.ToArray();
        }
    }

    /// <inheritdoc/>
    public IReadOnlyList<LocalAddress> GetLocalAddresses(VirtualServiceKey service, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(service);
        cancellationToken.ThrowIfCancellationRequested();
        RequireFullNat(IpvsOperationKind.ListLocalAddresses, service.ToString());
        lock (_lock)
        {
            return _byKey.TryGetValue(service, out var entry)
                ? entry.LocalAddresses.Select(a => new LocalAddress(a)).ToArray()
                : throw IpvsException.Create(IpvsOperationKind.ListLocalAddresses, Errno.ESRCH, service.ToString());
        }
    }

    /// <inheritdoc/>
    public IpvsBatchResult Execute(IReadOnlyList<IpvsOperation> operations, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(operations);
        foreach (var operation in operations)
        {
            ArgumentNullException.ThrowIfNull(operation, nameof(operations));
            if (operation is AddLocalAddressOperation or DeleteLocalAddressOperation
                or AddRealServerOperation { Server.ForwardingMethod: ForwardingMethod.FullNat }
                or UpdateRealServerOperation { Server.ForwardingMethod: ForwardingMethod.FullNat })
            {
                RequireFullNat(operation.Kind, operation.Describe());
            }

            // The kernel client refuses these while encoding, before anything is sent.
            if (operation is AddServiceOperation { Service: var added })
            {
                IpvsCodec.CheckNetmask(added);
            }
            else if (operation is UpdateServiceOperation { Service: var updated })
            {
                IpvsCodec.CheckNetmask(updated);
            }
        }

        cancellationToken.ThrowIfCancellationRequested();
        var results = new IpvsOperationResult[operations.Count];
        lock (_lock)
        {
            BatchCount++;
            for (var i = 0; i < results.Length; i++)
            {
                var operation = operations[i];
                OperationCount++;
                var errno = Apply(operation);
                results[i] = new IpvsOperationResult(operation, errno == 0 ? null : IpvsException.Create(operation.Kind, errno, operation.Describe()));
            }
        }

        return new IpvsBatchResult(results);
    }

    /// <summary>Sets the counters of a service, as traffic would have moved them.</summary>
    /// <exception cref="ServiceNotFoundException">No such service.</exception>
    public void SetStatistics(VirtualServiceKey service, IpvsStatistics statistics)
    {
        ArgumentNullException.ThrowIfNull(statistics);
        lock (_lock)
        {
            var entry = Find(service, IpvsOperationKind.GetService);
            entry.Service = entry.Service with { Statistics = statistics };
        }
    }

    /// <summary>Sets the counters of a real server.</summary>
    /// <exception cref="RealServerNotFoundException">No such real server in that service.</exception>
    public void SetStatistics(VirtualServiceKey service, IPAddress address, ushort port, IpvsStatistics statistics)
    {
        ArgumentNullException.ThrowIfNull(statistics);
        UpdateServer(service, address, port, s => s with { Statistics = statistics });
    }

    /// <summary>Sets a real server's connection counts, as clients would have (a drained server keeps its connections until they end).</summary>
    /// <exception cref="RealServerNotFoundException">No such real server in that service.</exception>
    public void SetConnections(VirtualServiceKey service, IPAddress address, ushort port, uint active, uint inactive, uint persistent = 0) =>
        UpdateServer(service, address, port, s => s with { ActiveConnections = active, InactiveConnections = inactive, PersistentConnections = persistent });

    private void UpdateServer(VirtualServiceKey service, IPAddress address, ushort port, Func<RealServer, RealServer> change)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(address);
        lock (_lock)
        {
            var entry = Find(service, IpvsOperationKind.UpdateRealServer);
            var index = entry.IndexOf(address, port);
            if (index < 0)
            {
                throw IpvsException.Create(IpvsOperationKind.UpdateRealServer, Errno.ENOENT, AddressPort.Format(address, port));
            }

            entry.Servers[index] = change(entry.Servers[index]);
        }
    }

    private Entry Find(VirtualServiceKey service, IpvsOperationKind kind) =>
        _byKey.TryGetValue(service, out var entry) ? entry : throw IpvsException.Create(kind, Errno.ESRCH, service.ToString());

    // Returns the errno the kernel would, or 0.
    private int Apply(IpvsOperation operation)
    {
        switch (operation)
        {
            case AddServiceOperation add:
                return AddService(add.Service);
            case UpdateServiceOperation update:
                return UpdateService(update.Service);
            case DeleteServiceOperation delete:
                if (!_byKey.Remove(delete.Service, out var deleted))
                {
                    return Errno.ESRCH;
                }

                _services.Remove(deleted);
                return 0;
            case AddRealServerOperation addServer:
                return AddRealServer(addServer.Service, addServer.Server);
            case UpdateRealServerOperation updateServer:
                return UpdateRealServer(updateServer.Service, updateServer.Server);
            case DeleteRealServerOperation deleteServer:
            {
                if (!_byKey.TryGetValue(deleteServer.Service, out var entry))
                {
                    return Errno.ESRCH;
                }

                var index = entry.IndexOf(deleteServer.Address, deleteServer.Port);
                if (index < 0)
                {
                    return Errno.ENOENT;
                }

                entry.Servers.RemoveAt(index);
                return 0;
            }

            case ZeroCountersOperation zero:
                return Zero(zero.Service);
            case FlushOperation:
                _services.Clear();
                _byKey.Clear();
                return 0;
            case SetTimeoutsOperation set:
                _timeouts = new IpvsTimeouts(
                    set.Timeouts.Tcp > TimeSpan.Zero ? set.Timeouts.Tcp : _timeouts.Tcp,
                    set.Timeouts.TcpFin > TimeSpan.Zero ? set.Timeouts.TcpFin : _timeouts.TcpFin,
                    set.Timeouts.Udp > TimeSpan.Zero ? set.Timeouts.Udp : _timeouts.Udp);
                return 0;
            case StartSyncDaemonOperation start:
                return StartDaemon(start.Daemon);
            case StopSyncDaemonOperation stop:
                return _daemons.RemoveAll(d => d.State == stop.State) > 0 ? 0 : Errno.ESRCH;
            case AddLocalAddressOperation addLocal:
            {
                if (!_byKey.TryGetValue(addLocal.Service, out var entry))
                {
                    return Errno.ESRCH;
                }

                if (entry.LocalAddresses.Contains(addLocal.Address))
                {
                    return Errno.EEXIST;
                }

                entry.LocalAddresses.Add(addLocal.Address);
                return 0;
            }

            case DeleteLocalAddressOperation deleteLocal:
                return !_byKey.TryGetValue(deleteLocal.Service, out var owner) ? Errno.ESRCH
                    : owner.LocalAddresses.Remove(deleteLocal.Address) ? 0 : Errno.ENOENT;
            default:
                return Errno.EINVAL;
        }
    }

    private int CheckService(VirtualService service)
    {
        if (!_options.Schedulers.Contains(service.Scheduler)
            || (service.PersistenceEngine is { Length: > 0 } engine && !_options.PersistenceEngines.Contains(engine)))
        {
            return Errno.ENOENT;
        }

        // The netmask's range is the type's business (an IPv6 prefix is 1 to 128), and its family
        // was checked with the whole batch, as the kernel client does while encoding.
        return 0;
    }

    private int AddService(VirtualService service)
    {
        var check = CheckService(service);
        if (check != 0)
        {
            return check;
        }

        if (_byKey.ContainsKey(service.Key))
        {
            return Errno.EEXIST;
        }

        var entry = new Entry(Normalize(service));
        _services.Add(entry);
        _byKey.Add(service.Key, entry);
        return 0;
    }

    private int UpdateService(VirtualService service)
    {
        if (!_byKey.TryGetValue(service.Key, out var entry))
        {
            return Errno.ESRCH;
        }

        var check = CheckService(service);
        if (check != 0)
        {
            return check;
        }

        entry.Service = Normalize(service) with { Statistics = entry.Service.Statistics };
        return 0;
    }

    // What the kernel keeps of a service: counters start at zero, HASHED is its own business.
    private static VirtualService Normalize(VirtualService service) => service with
    {
        Flags = service.Flags & ~ServiceFlags.Hashed,
        Statistics = new IpvsStatistics { Is64Bit = true },
    };

    private int CheckRealServer(VirtualService service, RealServer server)
    {
        if (server.Weight < 0 || server.LowerThreshold > server.UpperThreshold)
        {
            return Errno.ERANGE;
        }

        // Another family only through a tunnel, and never while a sync daemon runs (the sync
        // protocol carries one family).
        if (server.Family != service.Family && (server.ForwardingMethod != ForwardingMethod.Tunnel || _daemons.Count > 0))
        {
            return Errno.EINVAL;
        }

        if (server.ForwardingMethod == ForwardingMethod.Tunnel && server.TunnelType == TunnelType.Gue && server.TunnelPort == 0)
        {
            return Errno.EINVAL;
        }

        var address = server.Address;
        var unicast = address.AddressFamily == AddressFamily.InterNetworkV6
            ? !address.IsIPv6Multicast && !address.Equals(IPAddress.IPv6Any)
            : !IsIPv4Multicast(address) && !address.Equals(IPAddress.Any) && !address.Equals(IPAddress.Broadcast);
        return unicast ? 0 : Errno.EINVAL;
    }

    private static bool IsIPv4Multicast(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[4];
        return address.TryWriteBytes(bytes, out _) && bytes[0] is >= 224 and <= 239;
    }

    // What the kernel keeps of a real server: the method as asked (also for an address of this
    // host: the choice of local delivery is made per connection), counters from zero.
    private static RealServer Stored(RealServer server) =>
        server with
        {
            ActiveConnections = 0,
            InactiveConnections = 0,
            PersistentConnections = 0,
            Statistics = new IpvsStatistics { Is64Bit = true },
        };

    private int AddRealServer(VirtualServiceKey key, RealServer server)
    {
        if (!_byKey.TryGetValue(key, out var entry))
        {
            return Errno.ESRCH;
        }

        var check = CheckRealServer(entry.Service, server);
        if (check != 0)
        {
            return check;
        }

        if (entry.IndexOf(server.Address, server.Port) >= 0)
        {
            return Errno.EEXIST;
        }

        entry.Servers.Insert(0, Stored(server));
        return 0;
    }

    private int UpdateRealServer(VirtualServiceKey key, RealServer server)
    {
        if (!_byKey.TryGetValue(key, out var entry))
        {
            return Errno.ESRCH;
        }

        var check = CheckRealServer(entry.Service, server);
        if (check != 0)
        {
            return check;
        }

        var index = entry.IndexOf(server.Address, server.Port);
        if (index < 0)
        {
            return Errno.ENOENT;
        }

        var old = entry.Servers[index];
        entry.Servers[index] = Stored(server) with
        {
            ActiveConnections = old.ActiveConnections,
            InactiveConnections = old.InactiveConnections,
            PersistentConnections = old.PersistentConnections,
            Statistics = old.Statistics,
        };
        return 0;
    }

    private int Zero(VirtualServiceKey? key)
    {
        var zero = new IpvsStatistics { Is64Bit = true };
        IEnumerable<Entry> entries;
        if (key is null)
        {
            entries = _services;
        }
        else if (_byKey.TryGetValue(key, out var entry))
        {
            entries = [entry];
        }
        else
        {
            return Errno.ESRCH;
        }

        foreach (var entry in entries)
        {
            entry.Service = entry.Service with { Statistics = zero };
            for (var i = 0; i < entry.Servers.Count; i++)
            {
                entry.Servers[i] = entry.Servers[i] with { Statistics = zero };
            }
        }

        return 0;
    }

    private int StartDaemon(SyncDaemon daemon)
    {
        if (!_options.Interfaces.TryGetValue(daemon.Interface, out var mtu))
        {
            return Errno.ENODEV;
        }

        if (_daemons.Exists(d => d.State == daemon.State))
        {
            return Errno.EEXIST;
        }

        if (_services.Exists(e => e.Servers.Exists(s => s.Family != e.Service.Family)))
        {
            return Errno.EINVAL;
        }

        // The kernel's defaults: a message fills the interface's MTU less the IP and UDP headers.
        var group = daemon.MulticastGroup ?? IPAddress.Parse("224.0.0.81");
        var headers = group.AddressFamily == AddressFamily.InterNetworkV6 ? 48 : 28;
        _daemons.Add(daemon with
        {
            MaxLength = daemon.MaxLength != 0 ? daemon.MaxLength : (ushort)Math.Min(mtu - headers, ushort.MaxValue),
            MulticastGroup = group,
            Port = daemon.Port == 0 ? (ushort)8848 : daemon.Port,
            Ttl = daemon.Ttl == 0 ? (byte)1 : daemon.Ttl,
        });
        return 0;
    }

    private void RequireFullNat(IpvsOperationKind kind, string target)
    {
        if (!_options.SupportsLocalAddresses)
        {
            throw new IpvsFeatureNotSupportedException(kind, "this IPVS has no FULLNAT extension", target);
        }
    }

    private sealed class Entry(VirtualService service)
    {
        public VirtualService Service { get; set; } = service;

        public List<RealServer> Servers { get; } = [];

        public List<IPAddress> LocalAddresses { get; } = [];

        public int IndexOf(IPAddress address, ushort port) =>
            Servers.FindIndex(s => s.Port == port && s.Address.Equals(address));
    }
}
