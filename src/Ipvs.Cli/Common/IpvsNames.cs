using System.Globalization;
using Ipvs.Model;

namespace Ipvs.Cli.Common;

/// <summary>The words the CLI uses for forwarding methods, tunnels and scheduler flags, both ways.</summary>
internal static class IpvsNames
{
    /// <summary>Forwarding methods as ipvsctl names them.</summary>
    public static readonly string[] ForwardChoices = ["dr", "masq", "tun", "local", "bypass", "fnat"];

    /// <summary>ipvsctl's <c>mask</c>, accepted as <c>masq</c> but not advertised (see docs/cli.md).</summary>
    public static readonly string[] ForwardAlsoAccepted = ["mask"];

    /// <summary>The schedulers of current kernels, for completion (any name the kernel has is accepted).</summary>
    public static readonly string[] Schedulers = ["rr", "wrr", "lc", "wlc", "lblc", "lblcr", "dh", "sh", "sed", "nq", "fo", "ovf", "mh", "twos"];

    /// <summary>Scheduler flag words, as ipvsadm's <c>-b</c> takes them.</summary>
    public static readonly string[] SchedulerFlagChoices = ["sh-fallback", "sh-port", "mh-fallback", "mh-port", "flag-1", "flag-2", "flag-3"];

    public static ForwardingMethod ParseForward(string word) => word switch
    {
        "dr" => ForwardingMethod.DirectRoute,
        "masq" or "mask" => ForwardingMethod.Masquerade,
        "tun" => ForwardingMethod.Tunnel,
        "local" => ForwardingMethod.Local,
        "bypass" => ForwardingMethod.Bypass,
        "fnat" => ForwardingMethod.FullNat,
        _ => throw new UsageException($"--forward: '{word}' is not a forwarding method: expected dr, masq, tun, local, bypass or fnat"),
    };

    public static string Forward(ForwardingMethod method) => method switch
    {
        ForwardingMethod.DirectRoute => "dr",
        ForwardingMethod.Masquerade => "masq",
        ForwardingMethod.Tunnel => "tun",
        ForwardingMethod.Local => "local",
        ForwardingMethod.Bypass => "bypass",
        ForwardingMethod.FullNat => "fnat",
        _ => "unknown-" + ((int)method).ToString(CultureInfo.InvariantCulture),
    };

    public static string TunnelType(TunnelType type) => type switch
    {
        Model.TunnelType.Ipip => "ipip",
        Model.TunnelType.Gue => "gue",
        Model.TunnelType.Gre => "gre",
        _ => "unknown-" + ((int)type).ToString(CultureInfo.InvariantCulture),
    };

    public static string TunnelChecksum(TunnelFlags flags) =>
        (flags & TunnelFlags.RemoteChecksum) != 0 ? "remcsum" : (flags & TunnelFlags.Checksum) != 0 ? "csum" : "nocsum";

    /// <summary>The flag words of a service, named for its scheduler as ipvsadm names them.</summary>
    public static IReadOnlyList<string> SchedulerFlags(string scheduler, ServiceFlags flags)
    {
        var words = new List<string>(3);
        var prefix = scheduler is "sh" or "mh" ? scheduler : null;
        if ((flags & ServiceFlags.Scheduler1) != 0)
        {
            words.Add(prefix is null ? "flag-1" : prefix + "-fallback");
        }

        if ((flags & ServiceFlags.Scheduler2) != 0)
        {
            words.Add(prefix is null ? "flag-2" : prefix + "-port");
        }

        if ((flags & ServiceFlags.Scheduler3) != 0)
        {
            words.Add("flag-3");
        }

        return words;
    }

    /// <summary>Parses a comma list of scheduler flags for a scheduler, with ipvsadm's compatibility rule.</summary>
    public static ServiceFlags ParseSchedulerFlags(string list, string scheduler)
    {
        var flags = ServiceFlags.None;
        foreach (var word in list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var (flag, needs) = word.ToLowerInvariant() switch
            {
                "flag-1" => (ServiceFlags.Scheduler1, null),
                "flag-2" => (ServiceFlags.Scheduler2, null),
                "flag-3" => (ServiceFlags.Scheduler3, null),
                "sh-fallback" => (ServiceFlags.ShFallback, "sh"),
                "sh-port" => (ServiceFlags.ShPort, "sh"),
                "mh-fallback" => (ServiceFlags.MhFallback, "mh"),
                "mh-port" => (ServiceFlags.MhPort, "mh"),
                _ => throw new UsageException($"--sched-flags: '{word}' is not a scheduler flag: expected {string.Join(", ", SchedulerFlagChoices)}"),
            };
            if (needs is not null && scheduler != needs)
            {
                throw new UsageException($"--sched-flags: '{word}' is a flag of the {needs} scheduler, not of {scheduler}");
            }

            flags |= flag;
        }

        return flags;
    }
}
