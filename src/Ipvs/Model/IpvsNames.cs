using System.Globalization;
using System.Net.Sockets;

namespace Ipvs.Model;

/// <summary>
/// The one vocabulary of IPVS values: every command family (ipvsadm's listing, the modern CLI,
/// the declarative files) names forwarding methods, scheduler flags, protocols, tunnels and sync
/// daemon states from these tables. Where the families print different words, each has its own
/// column of the same row.
/// </summary>
public static class IpvsNames
{
    /// <summary>The forwarding methods, in the order the CLI offers them.</summary>
    public static IReadOnlyList<ForwardingMethodName> ForwardingMethods { get; } =
    [
        new(ForwardingMethod.DirectRoute, "dr", [], "route", ["dr", "direct", "gate", "droute"], "Route", "-g"),
        new(ForwardingMethod.Masquerade, "masq", ["mask"], "masq", ["masquerade", "nat"], "Masq", "-m"),
        new(ForwardingMethod.Tunnel, "tun", [], "tunnel", ["tun", "ipip"], "Tunnel", "-i"),

        // ipvsadm saves Local as -g: the kernel picks Local itself for a local address.
        new(ForwardingMethod.Local, "local", [], "local", [], "Local", "-g"),

        // Bypass is only ever reported, so files write it but do not read it back.
        new(ForwardingMethod.Bypass, "bypass", [], "bypass", null, null, null),
        new(ForwardingMethod.FullNat, "fnat", [], null, null, null, null),
    ];

    /// <summary>Every word declarative files accept for a forwarding method: the written names, then the aliases.</summary>
    public static IReadOnlyList<string> ConfigForwardingNames { get; } =
    [
        .. ForwardingMethods.Where(r => r.ConfigAliases is not null).Select(r => r.Config!),
        .. ForwardingMethods.Where(r => r.ConfigAliases is not null).SelectMany(r => r.ConfigAliases!),
    ];

    /// <summary>The scheduler flags: the sh and mh schedulers name flags 1 and 2, every scheduler has the generic names.</summary>
    public static IReadOnlyList<SchedulerFlagName> SchedulerFlags { get; } =
    [
        new(ServiceFlags.Scheduler1, "sh-fallback", "sh"),
        new(ServiceFlags.Scheduler2, "sh-port", "sh"),
        new(ServiceFlags.Scheduler1, "mh-fallback", "mh"),
        new(ServiceFlags.Scheduler2, "mh-port", "mh"),
        new(ServiceFlags.Scheduler1, "flag-1", null),
        new(ServiceFlags.Scheduler2, "flag-2", null),
        new(ServiceFlags.Scheduler3, "flag-3", null),
    ];

    /// <summary>The schedulers of mainline Linux (<c>twos</c> since 6.2); the kernel accepts any scheduler module it has.</summary>
    public static IReadOnlyList<string> Schedulers { get; } = ["rr", "wrr", "lc", "wlc", "lblc", "lblcr", "dh", "sh", "sed", "nq", "fo", "ovf", "mh", "twos"];

    /// <summary>The persistence engines of mainline Linux.</summary>
    public static IReadOnlyList<string> PersistenceEngines { get; } = ["sip"];

    /// <summary>The protocols of address services.</summary>
    public static IReadOnlyList<ProtocolName> Protocols { get; } =
    [
        new(IpvsProtocol.Tcp, "tcp", "TCP", "-t"),
        new(IpvsProtocol.Udp, "udp", "UDP", "-u"),
        new(IpvsProtocol.Sctp, "sctp", "SCTP", "--sctp-service"),
    ];

    /// <summary>The tunnel encapsulations, indexed by their kernel value.</summary>
    public static IReadOnlyList<string> TunnelTypes { get; } = ["ipip", "gue", "gre"];

    /// <summary>The tunnel checksum options, indexed by their kernel value.</summary>
    public static IReadOnlyList<TunnelChecksumName> TunnelChecksums { get; } =
    [
        new(TunnelFlags.NoChecksum, "nocsum", "-c", "--tun-nocsum"),
        new(TunnelFlags.Checksum, "csum", "+c", "--tun-csum"),
        new(TunnelFlags.RemoteChecksum, "remcsum", "r+c", "--tun-remcsum"),
    ];

    /// <summary>The sync daemon states, as every family writes them.</summary>
    public static IReadOnlyList<string> SyncDaemonStates { get; } = ["master", "backup"];

    /// <summary>The names of a forwarding method, or null for a value no family names.</summary>
    public static ForwardingMethodName? Find(ForwardingMethod method)
    {
        foreach (var row in ForwardingMethods)
        {
            if (row.Method == method)
            {
                return row;
            }
        }

        return null;
    }

    /// <summary>The forwarding method a declarative file names (its name or an alias, any case), or null.</summary>
    public static ForwardingMethod? ParseConfigForwarding(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var lower = name.ToLowerInvariant();
        foreach (var row in ForwardingMethods)
        {
            if (row.ConfigAliases is { } aliases && (row.Config == lower || aliases.Contains(lower)))
            {
                return row.Method;
            }
        }

        return null;
    }

    /// <summary>The forwarding method the CLI's <c>--forward</c> names (its name or an accepted alias), or null.</summary>
    public static ForwardingMethod? ParseCliForwarding(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        foreach (var row in ForwardingMethods)
        {
            if (row.Cli == name || row.CliAliases.Contains(name))
            {
                return row.Method;
            }
        }

        return null;
    }

    /// <summary>The scheduler flag of this name (exact case), or null.</summary>
    public static SchedulerFlagName? FindSchedulerFlag(string name)
    {
        foreach (var row in SchedulerFlags)
        {
            if (row.Name == name)
            {
                return row;
            }
        }

        return null;
    }

    /// <summary>
    /// The scheduler flags of a service, named for its scheduler (<c>sh-port</c> for sh,
    /// <c>flag-2</c> otherwise). With <paramref name="genericBeyondNamed"/> false a flag the
    /// scheduler has no name of its own for is left out, as ipvsadm's listing does (no
    /// <c>flag-3</c> for sh or mh).
    /// </summary>
    public static IReadOnlyList<string> FormatSchedulerFlags(string scheduler, ServiceFlags flags, bool genericBeyondNamed = true)
    {
        ArgumentNullException.ThrowIfNull(scheduler);
        var names = new List<string>(3);
        var named = scheduler is "sh" or "mh";
        foreach (var bit in (ReadOnlySpan<ServiceFlags>)[ServiceFlags.Scheduler1, ServiceFlags.Scheduler2, ServiceFlags.Scheduler3])
        {
            if ((flags & bit) == 0)
            {
                continue;
            }

            SchedulerFlagName? own = null, generic = null;
            foreach (var row in SchedulerFlags)
            {
                if (row.Flag == bit && row.Scheduler == scheduler)
                {
                    own ??= row;
                }
                else if (row.Flag == bit && row.Scheduler is null)
                {
                    generic ??= row;
                }
            }

            if ((own ?? (named && !genericBeyondNamed ? null : generic)) is { } chosen)
            {
                names.Add(chosen.Name);
            }
        }

        return names;
    }

    /// <summary>The names of a protocol, or null for none (firewall-mark services) and unknown values.</summary>
    public static ProtocolName? Find(IpvsProtocol protocol)
    {
        foreach (var row in Protocols)
        {
            if (row.Protocol == protocol)
            {
                return row;
            }
        }

        return null;
    }

    /// <summary>The protocol of this lower-case name, or <see cref="IpvsProtocol.None"/>.</summary>
    public static IpvsProtocol ParseProtocol(string name)
    {
        foreach (var row in Protocols)
        {
            if (row.Name == name)
            {
                return row.Protocol;
            }
        }

        return IpvsProtocol.None;
    }

    /// <summary>The name of a tunnel type, or null for an unknown value.</summary>
    public static string? Name(TunnelType type) => (int)type < TunnelTypes.Count ? TunnelTypes[(int)type] : null;

    /// <summary>The tunnel type of this name, or null.</summary>
    public static TunnelType? ParseTunnelType(string name)
    {
        for (var i = 0; i < TunnelTypes.Count; i++)
        {
            if (TunnelTypes[i] == name)
            {
                return (TunnelType)i;
            }
        }

        return null;
    }

    /// <summary>The names of a tunnel checksum option, or null for a combination that is none of them.</summary>
    public static TunnelChecksumName? Find(TunnelFlags flags) => (int)flags < TunnelChecksums.Count ? TunnelChecksums[(int)flags] : null;

    /// <summary>The tunnel checksum option of this name, or null.</summary>
    public static TunnelFlags? ParseTunnelChecksum(string name)
    {
        foreach (var row in TunnelChecksums)
        {
            if (row.Name == name)
            {
                return row.Flags;
            }
        }

        return null;
    }

    /// <summary>master or backup; <c>unknown</c> for a value the kernel does not have.</summary>
    public static string Name(SyncDaemonState state) => state switch
    {
        SyncDaemonState.Master => SyncDaemonStates[0],
        SyncDaemonState.Backup => SyncDaemonStates[1],
        _ => "unknown",
    };

    /// <summary>The sync daemon state of this name, or null.</summary>
    public static SyncDaemonState? ParseSyncDaemonState(string name) =>
        name == SyncDaemonStates[0] ? SyncDaemonState.Master : name == SyncDaemonStates[1] ? SyncDaemonState.Backup : null;

    /// <summary>A forwarding method as files write it (<c>route</c>), or its number.</summary>
    public static string ConfigName(ForwardingMethod method) => Find(method)?.Config ?? Number((int)method);

    /// <summary>A forwarding method as the CLI writes it (<c>dr</c>), or <c>unknown-N</c>.</summary>
    public static string CliName(ForwardingMethod method) => Find(method)?.Cli ?? "unknown-" + Number((int)method);

    /// <summary>A tunnel type as files write it, or its number.</summary>
    public static string ConfigName(TunnelType type) => Name(type) ?? Number((int)type);

    /// <summary>A tunnel type as the CLI writes it, or <c>unknown-N</c>.</summary>
    public static string CliName(TunnelType type) => Name(type) ?? "unknown-" + Number((int)type);

    /// <summary>A tunnel checksum option as files write it, or its number.</summary>
    public static string ConfigName(TunnelFlags flags) => Find(flags)?.Name ?? Number((int)flags);

    /// <summary>A tunnel checksum option as the CLI writes it: the strongest bit set wins.</summary>
    public static string CliName(TunnelFlags flags) =>
        Find((flags & TunnelFlags.RemoteChecksum) != 0 ? TunnelFlags.RemoteChecksum : flags & TunnelFlags.Checksum)!.Name;

    /// <summary>ipv4 or ipv6.</summary>
    public static string Name(AddressFamily family) => family == AddressFamily.InterNetworkV6 ? "ipv6" : "ipv4";

    /// <summary>A value no table names, as a number (<c>7</c>).</summary>
    public static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);
}

/// <summary>A forwarding method's names in each command family.</summary>
/// <param name="Method">The method.</param>
/// <param name="Cli">The modern CLI's word (<c>ipvs server add --forward dr</c>, its JSON and YAML).</param>
/// <param name="CliAliases">Other words <c>--forward</c> accepts without advertising them.</param>
/// <param name="Config">The word declarative files are written with, or null when they write the number.</param>
/// <param name="ConfigAliases">Other words files may use; null when files cannot name the method at all.</param>
/// <param name="Ipvsadm">ipvsadm's listing column (<c>Masq</c>), or null where it prints <c>(null)</c>.</param>
/// <param name="IpvsadmSwitch">ipvsadm's <c>-S</c> switch (<c>-m</c>), or null where it prints <c>(null)</c>.</param>
public sealed record ForwardingMethodName(
    ForwardingMethod Method,
    string Cli,
    IReadOnlyList<string> CliAliases,
    string? Config,
    IReadOnlyList<string>? ConfigAliases,
    string? Ipvsadm,
    string? IpvsadmSwitch);

/// <summary>A scheduler flag's name.</summary>
/// <param name="Flag">The flag bit.</param>
/// <param name="Name">Its name (<c>sh-port</c>, <c>flag-2</c>).</param>
/// <param name="Scheduler">The scheduler the name belongs to, or null for the generic names every scheduler takes.</param>
public sealed record SchedulerFlagName(ServiceFlags Flag, string Name, string? Scheduler);

/// <summary>A protocol's names in each command family.</summary>
/// <param name="Protocol">The protocol.</param>
/// <param name="Name">The modern CLI's and the files' word (<c>tcp</c>).</param>
/// <param name="Ipvsadm">ipvsadm's listing column (<c>TCP</c>).</param>
/// <param name="IpvsadmSwitch">ipvsadm's <c>-S</c> switch (<c>-t</c>).</param>
public sealed record ProtocolName(IpvsProtocol Protocol, string Name, string Ipvsadm, string IpvsadmSwitch);

/// <summary>A tunnel checksum option's names in each command family.</summary>
/// <param name="Flags">The option.</param>
/// <param name="Name">The modern CLI's and the files' word (<c>csum</c>).</param>
/// <param name="Ipvsadm">ipvsadm's tunnel-info column (<c>+c</c>).</param>
/// <param name="IpvsadmSwitch">ipvsadm's <c>-S</c> switch (<c>--tun-csum</c>).</param>
public sealed record TunnelChecksumName(TunnelFlags Flags, string Name, string Ipvsadm, string IpvsadmSwitch);
