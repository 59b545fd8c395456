using System.Net;
using Ipvs.Model;

namespace Ipvs;

/// <summary>What an IPVS request does; used in errors and batch results.</summary>
public enum IpvsOperationKind
{
    /// <summary>Open the IPVS interface.</summary>
    Open,

    /// <summary>Read the version and connection table size.</summary>
    GetInfo,

    /// <summary>List every virtual service.</summary>
    ListServices,

    /// <summary>Read one virtual service.</summary>
    GetService,

    /// <summary>Create a virtual service.</summary>
    AddService,

    /// <summary>Change a virtual service's scheduler, flags or persistence.</summary>
    UpdateService,

    /// <summary>Delete a virtual service and its real servers.</summary>
    DeleteService,

    /// <summary>List the real servers of a virtual service.</summary>
    ListRealServers,

    /// <summary>Add a real server to a virtual service.</summary>
    AddRealServer,

    /// <summary>Change a real server's weight, thresholds or forwarding.</summary>
    UpdateRealServer,

    /// <summary>Remove a real server from a virtual service.</summary>
    DeleteRealServer,

    /// <summary>Zero the counters of one virtual service or of all.</summary>
    ZeroCounters,

    /// <summary>Delete every virtual service.</summary>
    Flush,

    /// <summary>Read the connection timeouts.</summary>
    GetTimeouts,

    /// <summary>Set the connection timeouts.</summary>
    SetTimeouts,

    /// <summary>List the connection synchronization daemons.</summary>
    ListSyncDaemons,

    /// <summary>Start a connection synchronization daemon.</summary>
    StartSyncDaemon,

    /// <summary>Stop a connection synchronization daemon.</summary>
    StopSyncDaemon,

    /// <summary>List the local addresses of a virtual service (FULLNAT extension).</summary>
    ListLocalAddresses,

    /// <summary>Add a local address to a virtual service (FULLNAT extension).</summary>
    AddLocalAddress,

    /// <summary>Remove a local address from a virtual service (FULLNAT extension).</summary>
    DeleteLocalAddress,
}

/// <summary>
/// One change to the IPVS table. Many of them go to the kernel in one send through
/// <see cref="IIpvs.Execute(IReadOnlyList{IpvsOperation}, CancellationToken)"/>; each gets its own result.
/// </summary>
public abstract record IpvsOperation
{
    private protected IpvsOperation()
    {
    }

    /// <summary>What the operation does.</summary>
    public abstract IpvsOperationKind Kind { get; }

    /// <summary>Creates a virtual service.</summary>
    public static AddServiceOperation AddService(VirtualService service) => new(service);

    /// <summary>Changes a virtual service's settings (the key stays).</summary>
    public static UpdateServiceOperation UpdateService(VirtualService service) => new(service);

    /// <summary>Deletes a virtual service with its real servers.</summary>
    public static DeleteServiceOperation DeleteService(VirtualServiceKey service) => new(service);

    /// <summary>Adds a real server.</summary>
    public static AddRealServerOperation AddRealServer(VirtualServiceKey service, RealServer server) => new(service, server);

    /// <summary>Changes a real server's settings.</summary>
    public static UpdateRealServerOperation UpdateRealServer(VirtualServiceKey service, RealServer server) => new(service, server);

    /// <summary>Removes a real server.</summary>
    public static DeleteRealServerOperation DeleteRealServer(VirtualServiceKey service, IPAddress address, ushort port) => new(service, address, port);

    /// <summary>Zeroes the counters of one service, or of every service when <paramref name="service"/> is null.</summary>
    public static ZeroCountersOperation ZeroCounters(VirtualServiceKey? service = null) => new(service);

    /// <summary>Deletes every virtual service.</summary>
    public static FlushOperation Flush() => new();

    /// <summary>Sets the connection timeouts (zero keeps a value).</summary>
    public static SetTimeoutsOperation SetTimeouts(IpvsTimeouts timeouts) => new(timeouts);

    /// <summary>Starts a synchronization daemon.</summary>
    public static StartSyncDaemonOperation StartSyncDaemon(SyncDaemon daemon) => new(daemon);

    /// <summary>Stops the synchronization daemon of the given role.</summary>
    public static StopSyncDaemonOperation StopSyncDaemon(SyncDaemonState state) => new(state);

    /// <summary>Adds a local address to a service (kernels with the FULLNAT extension only).</summary>
    public static AddLocalAddressOperation AddLocalAddress(VirtualServiceKey service, IPAddress address) => new(service, address);

    /// <summary>Removes a local address from a service (kernels with the FULLNAT extension only).</summary>
    public static DeleteLocalAddressOperation DeleteLocalAddress(VirtualServiceKey service, IPAddress address) => new(service, address);

    /// <summary>A short description of the target, for messages: <c>tcp/10.0.0.1:80</c>, <c>192.168.1.2:80 in tcp/10.0.0.1:80</c>.</summary>
    public abstract string Describe();
}

/// <summary>Creates a virtual service.</summary>
/// <param name="Service">The service to create.</param>
public sealed record AddServiceOperation(VirtualService Service) : IpvsOperation
{
    /// <inheritdoc />
    public override IpvsOperationKind Kind => IpvsOperationKind.AddService;

    /// <inheritdoc />
    public override string Describe() => Service.Key.ToString();
}

/// <summary>Changes a virtual service's settings.</summary>
/// <param name="Service">The service with its new settings.</param>
public sealed record UpdateServiceOperation(VirtualService Service) : IpvsOperation
{
    /// <inheritdoc />
    public override IpvsOperationKind Kind => IpvsOperationKind.UpdateService;

    /// <inheritdoc />
    public override string Describe() => Service.Key.ToString();
}

/// <summary>Deletes a virtual service.</summary>
/// <param name="Service">The service to delete.</param>
public sealed record DeleteServiceOperation(VirtualServiceKey Service) : IpvsOperation
{
    /// <inheritdoc />
    public override IpvsOperationKind Kind => IpvsOperationKind.DeleteService;

    /// <inheritdoc />
    public override string Describe() => Service.ToString();
}

/// <summary>Adds a real server to a virtual service.</summary>
/// <param name="Service">The virtual service.</param>
/// <param name="Server">The real server.</param>
public sealed record AddRealServerOperation(VirtualServiceKey Service, RealServer Server) : IpvsOperation
{
    /// <inheritdoc />
    public override IpvsOperationKind Kind => IpvsOperationKind.AddRealServer;

    /// <inheritdoc />
    public override string Describe() => Server.Endpoint + " in " + Service;
}

/// <summary>Changes a real server's settings.</summary>
/// <param name="Service">The virtual service.</param>
/// <param name="Server">The real server with its new settings.</param>
public sealed record UpdateRealServerOperation(VirtualServiceKey Service, RealServer Server) : IpvsOperation
{
    /// <inheritdoc />
    public override IpvsOperationKind Kind => IpvsOperationKind.UpdateRealServer;

    /// <inheritdoc />
    public override string Describe() => Server.Endpoint + " in " + Service;
}

/// <summary>Removes a real server from a virtual service.</summary>
/// <param name="Service">The virtual service.</param>
/// <param name="Address">The real server's address.</param>
/// <param name="Port">The real server's port.</param>
public sealed record DeleteRealServerOperation(VirtualServiceKey Service, IPAddress Address, ushort Port) : IpvsOperation
{
    /// <inheritdoc />
    public override IpvsOperationKind Kind => IpvsOperationKind.DeleteRealServer;

    /// <inheritdoc />
    public override string Describe() => AddressPort.Format(Address, Port) + " in " + Service;
}

/// <summary>Zeroes counters.</summary>
/// <param name="Service">One service, or null for all.</param>
public sealed record ZeroCountersOperation(VirtualServiceKey? Service) : IpvsOperation
{
    /// <inheritdoc />
    public override IpvsOperationKind Kind => IpvsOperationKind.ZeroCounters;

    /// <inheritdoc />
    public override string Describe() => Service?.ToString() ?? "all services";
}

/// <summary>Deletes every virtual service.</summary>
public sealed record FlushOperation : IpvsOperation
{
    /// <inheritdoc />
    public override IpvsOperationKind Kind => IpvsOperationKind.Flush;

    /// <inheritdoc />
    public override string Describe() => "all services";
}

/// <summary>Sets the connection timeouts.</summary>
/// <param name="Timeouts">The timeouts; zero keeps a value.</param>
public sealed record SetTimeoutsOperation(IpvsTimeouts Timeouts) : IpvsOperation
{
    /// <inheritdoc />
    public override IpvsOperationKind Kind => IpvsOperationKind.SetTimeouts;

    /// <inheritdoc />
    public override string Describe() => "timeouts";
}

/// <summary>Starts a synchronization daemon.</summary>
/// <param name="Daemon">The daemon's settings.</param>
public sealed record StartSyncDaemonOperation(SyncDaemon Daemon) : IpvsOperation
{
    /// <inheritdoc />
    public override IpvsOperationKind Kind => IpvsOperationKind.StartSyncDaemon;

    /// <inheritdoc />
    public override string Describe() => Daemon.State.ToString().ToLowerInvariant() + " sync daemon";
}

/// <summary>Stops a synchronization daemon.</summary>
/// <param name="State">The role of the daemon to stop.</param>
public sealed record StopSyncDaemonOperation(SyncDaemonState State) : IpvsOperation
{
    /// <inheritdoc />
    public override IpvsOperationKind Kind => IpvsOperationKind.StopSyncDaemon;

    /// <inheritdoc />
    public override string Describe() => State.ToString().ToLowerInvariant() + " sync daemon";
}

/// <summary>Adds a local address to a virtual service (FULLNAT extension).</summary>
/// <param name="Service">The virtual service.</param>
/// <param name="Address">The local address.</param>
public sealed record AddLocalAddressOperation(VirtualServiceKey Service, IPAddress Address) : IpvsOperation
{
    /// <inheritdoc />
    public override IpvsOperationKind Kind => IpvsOperationKind.AddLocalAddress;

    /// <inheritdoc />
    public override string Describe() => Address + " in " + Service;
}

/// <summary>Removes a local address from a virtual service (FULLNAT extension).</summary>
/// <param name="Service">The virtual service.</param>
/// <param name="Address">The local address.</param>
public sealed record DeleteLocalAddressOperation(VirtualServiceKey Service, IPAddress Address) : IpvsOperation
{
    /// <inheritdoc />
    public override IpvsOperationKind Kind => IpvsOperationKind.DeleteLocalAddress;

    /// <inheritdoc />
    public override string Describe() => Address + " in " + Service;
}
