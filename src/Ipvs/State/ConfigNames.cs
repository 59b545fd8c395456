using System.Net.Sockets;
using Ipvs.Model;

namespace Ipvs.State;

/// <summary>The words of the schema: schedulers, forwarding methods, flags, tunnel options, and how the kernel's values are written.</summary>
public static class ConfigNames
{
    /// <summary>The schedulers of mainline Linux (<c>twos</c> since 6.2), plus <c>none</c> (no scheduler, as the kernel reports it).</summary>
    public static IReadOnlyList<string> Schedulers { get; } = ["rr", "wrr", "lc", "wlc", "lblc", "lblcr", "dh", "sh", "sed", "nq", "fo", "ovf", "mh", "twos", "none"];

    /// <summary>The persistence engines of mainline Linux.</summary>
    public static IReadOnlyList<string> PersistenceEngines { get; } = ["sip"];

    /// <summary>Forwarding method names as written in files (canonical first, then accepted aliases).</summary>
    public static IReadOnlyList<string> ForwardingNames { get; } = ["masq", "route", "tunnel", "local", "masquerade", "nat", "dr", "direct", "gate", "tun", "ipip"];

    /// <summary>Scheduler flag names.</summary>
    public static IReadOnlyList<string> SchedulerFlagNames { get; } = ["sh-fallback", "sh-port", "mh-fallback", "mh-port", "flag-1", "flag-2", "flag-3"];

    /// <summary>Tunnel encapsulations.</summary>
    public static IReadOnlyList<string> TunnelTypeNames { get; } = ["ipip", "gue", "gre"];

    /// <summary>Tunnel checksum options.</summary>
    public static IReadOnlyList<string> TunnelChecksumNames { get; } = ["nocsum", "csum", "remcsum"];

    /// <summary>The canonical name of a forwarding method: masq, route, tunnel, local, bypass.</summary>
    public static string Format(ForwardingMethod method) => method switch
    {
        ForwardingMethod.Masquerade => "masq",
        ForwardingMethod.DirectRoute => "route",
        ForwardingMethod.Tunnel => "tunnel",
        ForwardingMethod.Local => "local",
        ForwardingMethod.Bypass => "bypass",
        _ => ((int)method).ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>Parses a forwarding method name or alias.</summary>
    public static bool TryParseForwarding(string text, out ForwardingMethod method)
    {
        ArgumentNullException.ThrowIfNull(text);
        switch (text.ToLowerInvariant())
        {
            case "masq" or "masquerade" or "nat":
                method = ForwardingMethod.Masquerade;
                return true;
            case "route" or "dr" or "direct" or "gate" or "droute":
                method = ForwardingMethod.DirectRoute;
                return true;
            case "tunnel" or "tun" or "ipip":
                method = ForwardingMethod.Tunnel;
                return true;
            case "local":
                method = ForwardingMethod.Local;
                return true;
            default:
                method = default;
                return false;
        }
    }

    /// <summary>The scheduler flags of a service, named for its scheduler (<c>sh-port</c> for sh, <c>flag-2</c> otherwise).</summary>
    public static IReadOnlyList<string> FormatSchedulerFlags(string scheduler, ServiceFlags flags)
    {
        var names = new List<string>(3);
        var prefix = scheduler is "sh" or "mh" ? scheduler : null;
        if ((flags & ServiceFlags.Scheduler1) != 0)
        {
            names.Add(prefix is null ? "flag-1" : prefix + "-fallback");
        }

        if ((flags & ServiceFlags.Scheduler2) != 0)
        {
            names.Add(prefix is null ? "flag-2" : prefix + "-port");
        }

        if ((flags & ServiceFlags.Scheduler3) != 0)
        {
            names.Add("flag-3");
        }

        return names;
    }

    /// <summary>A scheduler flag's bit.</summary>
    public static ServiceFlags? ParseSchedulerFlag(string name) => name switch
    {
        "sh-fallback" or "mh-fallback" or "flag-1" => ServiceFlags.Scheduler1,
        "sh-port" or "mh-port" or "flag-2" => ServiceFlags.Scheduler2,
        "flag-3" => ServiceFlags.Scheduler3,
        _ => null,
    };

    /// <summary>The name of a tunnel type.</summary>
    public static string Format(TunnelType type) => type switch
    {
        TunnelType.Ipip => "ipip",
        TunnelType.Gue => "gue",
        TunnelType.Gre => "gre",
        _ => ((int)type).ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>The name of a tunnel checksum option.</summary>
    public static string Format(TunnelFlags flags) => flags switch
    {
        TunnelFlags.NoChecksum => "nocsum",
        TunnelFlags.Checksum => "csum",
        TunnelFlags.RemoteChecksum => "remcsum",
        _ => ((int)flags).ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>How a persistence netmask is written: dotted for IPv4 (255.255.255.0), a prefix length for IPv6 (64).</summary>
    public static string FormatNetmask(AddressFamily family, uint netmask) => PersistenceNetmask.Format(family, netmask);

    /// <summary>ipv4 or ipv6.</summary>
    public static string Format(AddressFamily family) => family == AddressFamily.InterNetworkV6 ? "ipv6" : "ipv4";
}
