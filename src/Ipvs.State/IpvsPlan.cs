using System.Globalization;
using System.Net;
using System.Text;
using Ipvs.Model;

namespace Ipvs.State;

/// <summary>A real server of a given virtual service: what the drain state remembers servers by.</summary>
/// <param name="Service">The virtual service.</param>
/// <param name="Address">The real server's address.</param>
/// <param name="Port">The real server's port.</param>
public readonly record struct RealServerId(VirtualServiceKey Service, IPAddress Address, ushort Port)
{
    /// <summary><c>tcp/198.51.100.1:80 192.0.2.10:8080</c>.</summary>
    public override string ToString() => Service + " " + AddressPort.Format(Address, Port);
}

/// <summary>What a change does.</summary>
public enum ChangeAction
{
    /// <summary>Creates an object (<c>+</c>).</summary>
    Add,

    /// <summary>Changes an object's settings in place (<c>~</c>).</summary>
    Update,

    /// <summary>Removes an object (<c>-</c>).</summary>
    Delete,
}

/// <summary>Why a real server is being removed, and how far its draining got.</summary>
public enum DrainStage
{
    /// <summary>Not a drain: an ordinary change.</summary>
    None,

    /// <summary>The server leaves the file: its weight goes to 0 so that it gets no new connections.</summary>
    Started,

    /// <summary>The server has no connections left (or never had any): it is deleted.</summary>
    Drained,

    /// <summary>The drain timeout passed with connections still open: it is deleted anyway.</summary>
    TimedOut,

    /// <summary>Draining is turned off (a drain timeout of 0): it is deleted at once.</summary>
    Immediate,
}

/// <summary>One setting that changes: <c>weight 1 -> 3</c>.</summary>
/// <param name="Name">The setting's name in the file's words.</param>
/// <param name="From">The kernel's value.</param>
/// <param name="To">The file's value.</param>
public readonly record struct SettingChange(string Name, string From, string To)
{
    /// <inheritdoc />
    public override string ToString() => Name + " " + From + " -> " + To;
}

/// <summary>One change of a plan: one IPVS operation, and what it means in the file's words.</summary>
public sealed record PlannedChange
{
    /// <summary>Add, update or delete.</summary>
    public required ChangeAction Action { get; init; }

    /// <summary>The virtual service concerned.</summary>
    public required VirtualServiceKey Service { get; init; }

    /// <summary>The real server concerned (the desired one for adds and updates, the kernel's for deletes and drains); null for service changes.</summary>
    public RealServer? Server { get; init; }

    /// <summary>The operation that makes the change.</summary>
    public required IpvsOperation Operation { get; init; }

    /// <summary>For updates, the settings that change.</summary>
    public IReadOnlyList<SettingChange> Settings { get; init; } = [];

    /// <summary>Whether the change is part of draining a real server, and which step.</summary>
    public DrainStage Drain { get; init; }

    /// <summary>Extra words for the line: why a server is deleted, how many connections it has.</summary>
    public string? Note { get; init; }

    /// <summary>Where the desired object is written, when it comes from a file.</summary>
    public SourceLocation? Location { get; init; }

    /// <summary>True for a change to a real server, false for one to a virtual service.</summary>
    public bool IsServerChange => Server is not null;

    /// <summary>The object, for messages: <c>service tcp/198.51.100.1:80</c> or <c>server tcp/198.51.100.1:80 192.0.2.10:8080</c>.</summary>
    public string Subject => Server is null ? "service " + Service : "server " + Service + " " + Server.Endpoint;

    /// <summary>
    /// The plan's one-line form: <c>+ service tcp/198.51.100.1:80 scheduler=wlc</c>,
    /// <c>~ server tcp/198.51.100.1:80 192.0.2.10:8080 weight 1 -> 3</c>, <c>- server …</c>.
    /// </summary>
    public override string ToString()
    {
        var builder = new StringBuilder(96);
        builder.Append(Action switch { ChangeAction.Add => "+ ", ChangeAction.Update => "~ ", _ => "- " }).Append(Subject);
        if (Action == ChangeAction.Add)
        {
            builder.Append(' ').Append(Server is null && Operation is AddServiceOperation add ? Describe(add.Service) : Describe(Server!));
        }
        else if (Settings.Count > 0)
        {
            builder.Append(' ');
            for (var i = 0; i < Settings.Count; i++)
            {
                builder.Append(i == 0 ? string.Empty : ", ").Append(Settings[i].ToString());
            }
        }

        if (Note is not null)
        {
            builder.Append(" (").Append(Note).Append(')');
        }

        return builder.ToString();
    }

    /// <summary>A service's settings in the file's words: <c>scheduler=wrr persistent=360</c>.</summary>
    public static string Describe(VirtualService service)
    {
        ArgumentNullException.ThrowIfNull(service);
        var text = "scheduler=" + service.Scheduler;
        var flags = IpvsNames.FormatSchedulerFlags(service.Scheduler, service.Flags);
        if (flags.Count > 0)
        {
            text += " flags=" + string.Join(',', flags);
        }

        if (service.IsPersistent)
        {
            text += " persistent=" + ((long)service.Timeout.TotalSeconds).ToString(CultureInfo.InvariantCulture);
        }

        if (!service.Netmask.IsFull)
        {
            text += " netmask=" + service.Netmask;
        }

        if (!string.IsNullOrEmpty(service.PersistenceEngine))
        {
            text += " pe=" + service.PersistenceEngine;
        }

        if ((service.Flags & ServiceFlags.OnePacket) != 0)
        {
            text += " one-packet";
        }

        return text;
    }

    /// <summary>A real server's settings in the file's words: <c>forward=masq weight=1</c>.</summary>
    public static string Describe(RealServer server)
    {
        ArgumentNullException.ThrowIfNull(server);
        var text = "forward=" + IpvsNames.ConfigName(server.ForwardingMethod) + " weight=" + server.Weight.ToString(CultureInfo.InvariantCulture);
        if (server.UpperThreshold != 0)
        {
            text += " upper-threshold=" + server.UpperThreshold.ToString(CultureInfo.InvariantCulture);
        }

        if (server.LowerThreshold != 0)
        {
            text += " lower-threshold=" + server.LowerThreshold.ToString(CultureInfo.InvariantCulture);
        }

        if (server.ForwardingMethod == ForwardingMethod.Tunnel)
        {
            text += " tunnel=" + DescribeTunnel(server);
        }

        return text;
    }

    internal static string DescribeTunnel(RealServer server) => server.TunnelType switch
    {
        TunnelType.Gue => IpvsNames.ConfigName(server.TunnelType) + ":" + server.TunnelPort.ToString(CultureInfo.InvariantCulture) + ":" + IpvsNames.ConfigName(server.TunnelFlags),
        TunnelType.Gre => IpvsNames.ConfigName(server.TunnelType) + ":" + IpvsNames.ConfigName(server.TunnelFlags),
        _ => IpvsNames.ConfigName(server.TunnelType),
    };
}

/// <summary>A real server that stays, at weight 0, until its connections end or its drain timeout passes.</summary>
/// <param name="Id">The server.</param>
/// <param name="Server">The kernel's view of it, with its connection counts.</param>
/// <param name="Since">When draining started.</param>
/// <param name="Deadline">When it is deleted even with connections left.</param>
public sealed record DrainingServer(RealServerId Id, RealServer Server, DateTimeOffset Since, DateTimeOffset Deadline)
{
    /// <summary>The latest expiry of the persistence templates that still point at it, when known (persistent services).</summary>
    public TimeSpan? TemplatesExpireIn { get; init; }

    /// <summary>The connections (active, inactive) and persistence templates it still has.</summary>
    public string DescribeConnections() => DescribeCounts(Server);

    internal static string DescribeCounts(RealServer server) =>
        server.ActiveConnections.ToString(CultureInfo.InvariantCulture) + " active, "
        + server.InactiveConnections.ToString(CultureInfo.InvariantCulture) + " inactive connections"
        + (server.PersistentConnections > 0 ? ", " + server.PersistentConnections.ToString(CultureInfo.InvariantCulture) + " persistence templates" : string.Empty);
}

/// <summary>
/// What it takes to make the kernel match a configuration: the changes, in the order they are
/// made, and the real servers left draining. Made by <see cref="IpvsPlanner"/>.
/// </summary>
public sealed class IpvsPlan
{
    internal IpvsPlan(IReadOnlyList<PlannedChange> changes, IReadOnlyList<DrainingServer> draining, IReadOnlyDictionary<RealServerId, DateTimeOffset> drainState, int currentServices, int currentServers)
    {
        Changes = changes;
        Draining = draining;
        DrainState = drainState;
        CurrentServiceCount = currentServices;
        CurrentServerCount = currentServers;
    }

    /// <summary>The changes, one IPVS operation each, in a deterministic order.</summary>
    public IReadOnlyList<PlannedChange> Changes { get; }

    /// <summary>Servers that stay at weight 0 after this plan because they still have connections.</summary>
    public IReadOnlyList<DrainingServer> Draining { get; }

    /// <summary>When each draining server started draining: to be remembered for the next pass.</summary>
    public IReadOnlyDictionary<RealServerId, DateTimeOffset> DrainState { get; }

    /// <summary>The number of services in the kernel when the plan was made.</summary>
    public int CurrentServiceCount { get; }

    /// <summary>The number of real servers in the kernel when the plan was made.</summary>
    public int CurrentServerCount { get; }

    /// <summary>True when nothing needs to change now.</summary>
    public bool IsEmpty => Changes.Count == 0;

    /// <summary>True when the kernel matches the configuration: no change and nothing draining.</summary>
    public bool IsInSync => Changes.Count == 0 && Draining.Count == 0;

    /// <summary>The operations, in order.</summary>
    public IEnumerable<IpvsOperation> Operations => Changes.Select(c => c.Operation);
}
