using System.CommandLine;
using System.Globalization;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Ipvs.Cli.Common;
using Ipvs.Model;

namespace Ipvs.Cli.Service;

/// <summary>
/// The options that set a service up (scheduler, flags, persistence) and how they change a
/// service. Persistence is done right, unlike ipvsctl: any of --timeout, --persistent (engine) or a
/// non-default --netmask makes the service persistent (the kernel's PERSISTENT flag; ipvsctl never
/// sets it), and an IPv4 netmask goes to the kernel as a mask, not as a prefix length.
/// </summary>
internal sealed partial class ServiceSettings
{
    /// <summary>ipvsadm's upper bound of a persistence timeout: 31 days.</summary>
    public const long MaxTimeout = 31 * 86400;

    private ServiceSettings()
    {
        Scheduler = new Option<string?>("--scheduler", "-s", "--sched")
        {
            Description = "Scheduler: rr wrr lc wlc lblc lblcr dh sh sed nq fo ovf mh twos, or any the kernel has (default wlc)",
            HelpName = "name",
        };
        Scheduler.CompletionSources.Add([.. IpvsNames.Schedulers]);
        SchedulerFlags = new Option<string?>("--sched-flags", "-b")
        {
            Description = "Scheduler flags, comma-separated: sh-fallback, sh-port (sh), mh-fallback, mh-port (mh), flag-1..flag-3; 'none' clears",
            HelpName = "flags",
        };
        SchedulerFlags.CompletionSources.Add([.. IpvsNames.SchedulerFlags.Select(f => f.Name)]);
        Engine = new Option<string?>("--persistent", "--pe", "--per", "--persis")
        {
            Description = "Persistence engine (sip); makes the service persistent. 'none' removes the engine",
            HelpName = "engine",
        };
        Engine.CompletionSources.Add("sip", "none");
        Timeout = CliOptions.Number(
            "--timeout",
            0,
            MaxTimeout,
            "Persistence timeout in seconds, 1 to 2678400: makes the service persistent; 0 makes it not persistent",
            "seconds");
        Netmask = new Option<string?>("--netmask", "-M", "--mask")
        {
            Description = "Persistence granularity: IPv4 255.255.255.0 or 24 or /24, IPv6 1-128; 0 is the default (one client address). Makes the service persistent",
            HelpName = "mask",
        };
        OnePacket = new Option<bool>("--ops", "--one-packet")
        {
            Description = "One-packet scheduling (UDP and firewall-mark services); --ops false turns it off",
        };
    }

    public Option<string?> Scheduler { get; }

    public Option<string?> SchedulerFlags { get; }

    public Option<string?> Engine { get; }

    public Option<long?> Timeout { get; }

    public Option<string?> Netmask { get; }

    public Option<bool> OnePacket { get; }

    public static ServiceSettings AddTo(Command command)
    {
        var settings = new ServiceSettings();
        command.Options.Add(settings.Scheduler);
        command.Options.Add(settings.SchedulerFlags);
        command.Options.Add(settings.Engine);
        command.Options.Add(settings.Timeout);
        command.Options.Add(settings.Netmask);
        command.Options.Add(settings.OnePacket);
        return settings;
    }

    /// <summary>True when at least one setting was given (an update without any is a usage error).</summary>
    public bool AnyGiven(ParseResult parseResult) =>
        new Option[] { Scheduler, SchedulerFlags, Engine, Timeout, Netmask, OnePacket }.Any(o => CliOptions.IsGiven(parseResult, o));

    /// <summary>The service with the given settings applied on top of <paramref name="current"/>; validated as ipvsadm validates.</summary>
    public VirtualService Apply(ParseResult parseResult, VirtualService current)
    {
        var key = current.Key;
        var scheduler = parseResult.GetValue(Scheduler) is { } name ? CheckName("--scheduler", "scheduler", name) : current.Scheduler;
        var flags = current.Flags & ~ServiceFlags.Hashed;

        if (parseResult.GetValue(SchedulerFlags) is { } list)
        {
            flags &= ~(ServiceFlags.Scheduler1 | ServiceFlags.Scheduler2 | ServiceFlags.Scheduler3);
            if (list.Trim().ToLowerInvariant() is not ("none" or ""))
            {
                flags |= ParseSchedulerFlags(list, scheduler);
            }
        }

        if (CliOptions.IsGiven(parseResult, OnePacket))
        {
            flags = parseResult.GetValue(OnePacket) ? flags | ServiceFlags.OnePacket : flags & ~ServiceFlags.OnePacket;
        }

        var timeout = current.Timeout;
        var netmask = current.Netmask;
        var engine = current.PersistenceEngine;
        var timeoutGiven = parseResult.GetValue(Timeout);
        var engineGiven = parseResult.GetValue(Engine);
        var netmaskGiven = parseResult.GetValue(Netmask) is { } maskText ? ParseNetmask(key.Family, maskText) : (PersistenceNetmask?)null;
        var wantsPersistence = (engineGiven is not null && !IsNone(engineGiven))
            || (netmaskGiven is { } mask && !mask.IsFull);

        if (timeoutGiven == 0 && wantsPersistence)
        {
            throw new UsageException("--timeout 0 turns persistence off, but --persistent or --netmask asks for it: give a timeout of 1 or more");
        }

        if (timeoutGiven is { } seconds)
        {
            if (seconds == 0)
            {
                flags &= ~ServiceFlags.Persistent;
                timeout = TimeSpan.Zero;
            }
            else
            {
                flags |= ServiceFlags.Persistent;
                timeout = TimeSpan.FromSeconds(seconds);
            }
        }
        else if (wantsPersistence && (flags & ServiceFlags.Persistent) == 0)
        {
            flags |= ServiceFlags.Persistent;
            timeout = VirtualService.DefaultPersistenceTimeout;
        }

        if (engineGiven is not null)
        {
            engine = IsNone(engineGiven) ? null : CheckName("--persistent", "persistence engine", engineGiven);
        }

        if (netmaskGiven is { } newMask)
        {
            netmask = newMask;
        }

        var result = current with
        {
            Scheduler = scheduler,
            Flags = flags,
            Timeout = timeout,
            Netmask = netmask,
            PersistenceEngine = engine,
            Statistics = null,
        };
        Validate(result);
        return result;
    }

    /// <summary>ipvsadm's rules for a service definition.</summary>
    public static void Validate(VirtualService service)
    {
        var key = service.Key;
        if (!key.IsFirewallMark && key.Port == 0 && !service.IsPersistent)
        {
            throw new UsageException($"service {key} has port 0 (every port), which needs persistence: add --timeout SECONDS");
        }

        if ((service.Flags & ServiceFlags.OnePacket) != 0 && !key.IsFirewallMark && key.Protocol != IpvsProtocol.Udp)
        {
            throw new UsageException($"--ops (one-packet scheduling) is only for UDP and firewall-mark services, not {key}");
        }
    }

    /// <summary>
    /// A persistence netmask. "0" keeps the default (ipvsctl's meaning), "/0"
    /// or 0.0.0.0 is the empty IPv4 mask (every client in one group).
    /// </summary>
    public static PersistenceNetmask ParseNetmask(AddressFamily family, string text)
    {
        var trimmed = text.Trim();
        if (trimmed == "0")
        {
            return PersistenceNetmask.Full(family);
        }

        var prefixText = trimmed.StartsWith('/') ? trimmed[1..] : trimmed;
        var ipv6 = family == AddressFamily.InterNetworkV6;
        if (CliParse.TryNumber(prefixText, 0, 128, out var prefix))
        {
            if (ipv6 ? prefix is < 1 or > 128 : prefix > 32)
            {
                throw new UsageException(ipv6
                    ? $"--netmask: '{text}' is not an IPv6 persistence prefix: expected 1 to 128"
                    : $"--netmask: '{text}' is not an IPv4 netmask: expected a prefix length from 0 to 32 or a mask such as 255.255.255.0");
            }

            return PersistenceNetmask.FromPrefixLength(family, (int)prefix);
        }

        if (!ipv6 && CliParse.TryAddress(trimmed, out var mask, out _) && mask.AddressFamily == AddressFamily.InterNetwork)
        {
            var value = PersistenceNetmask.FromIPv4Mask(mask);
            return value.PrefixLength is not null
                ? value
                : throw new UsageException($"--netmask: '{text}' is not a contiguous netmask");
        }

        throw new UsageException(ipv6
            ? $"--netmask: '{text}' is not an IPv6 persistence prefix: expected 1 to 128"
            : $"--netmask: '{text}' is not an IPv4 netmask: expected a mask such as 255.255.255.0 or a prefix length such as 24");
    }

    private static bool IsNone(string engine) => engine.Trim().Length == 0 || engine.Trim().Equals("none", StringComparison.OrdinalIgnoreCase);

    private static string CheckName(string option, string what, string name)
    {
        // The kernel's names are at most 15 bytes (IP_VS_SCHEDNAME_MAXLEN, IP_VS_PENAME_MAXLEN).
        return KernelName().IsMatch(name)
            ? name
            : throw new UsageException($"{option}: '{name}' is not a {what} name: expected 1 to 15 lower-case letters, digits or '_'");
    }

    [GeneratedRegex("^[a-z0-9_]{1,15}$", RegexOptions.CultureInvariant)]
    private static partial Regex KernelName();

    /// <summary>For messages.</summary>
    public static string Seconds(uint value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>Parses a comma list of scheduler flags for a scheduler, with ipvsadm's compatibility rule.</summary>
    private static ServiceFlags ParseSchedulerFlags(string list, string scheduler)
    {
        var flags = ServiceFlags.None;
        foreach (var word in list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var flag = IpvsNames.FindSchedulerFlag(word.ToLowerInvariant())
                ?? throw new UsageException($"--sched-flags: '{word}' is not a scheduler flag: expected {string.Join(", ", IpvsNames.SchedulerFlags.Select(f => f.Name))}");
            if (flag.Scheduler is { } needs && scheduler != needs)
            {
                throw new UsageException($"--sched-flags: '{word}' is a flag of the {needs} scheduler, not of {scheduler}");
            }

            flags |= flag.Flag;
        }

        return flags;
    }
}
