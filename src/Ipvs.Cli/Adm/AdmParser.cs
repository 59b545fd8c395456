using Ipvs.Cli.Adm.Interop;
using Ipvs.Model;

namespace Ipvs.Cli.Adm;

/// <summary>
/// Turns one ipvsadm command line into an <see cref="AdmRequest"/> with ipvsadm's checks, in its
/// order and with its messages: parse_options and the validation half of process_options.
/// Anything ipvsadm stops on becomes an <see cref="AdmStopException"/>.
/// </summary>
internal sealed class AdmParser
{
    /// <summary>MAX_TIMEOUT: 31 days.</summary>
    public const int MaxTimeout = 86400 * 31;

    /// <summary>IPVS_SVC_PERSISTENT_TIMEOUT: 6 minutes.</summary>
    public const int DefaultPersistentTimeout = 360;

    private const int ServiceAddress = 1;
    private const int ServicePort = 2;

    private readonly bool _posixlyCorrect;

    public AdmParser(bool posixlyCorrect)
    {
        _posixlyCorrect = posixlyCorrect;
    }

    /// <summary>
    /// Parses and checks a command line (argv[0] is the program name). Returns null with
    /// <paramref name="softError"/> set when popt reports an error after the command option:
    /// ipvsadm then prints it and returns -1 without stopping (which matters in <c>-R</c>).
    /// </summary>
    public AdmRequest? Parse(string[] argv, out string? softError)
    {
        softError = null;
        var request = new AdmRequest();
        var popt = new Popt(argv, AdmTables.Options, _posixlyCorrect);
        string? schedFlags = null;

        var c = popt.GetNextOption();
        if (c < 0)
        {
            throw TryHelp(argv[0]);
        }

        switch (c)
        {
            case 'A':
                SetCommand(request, AdmCommand.Add);
                break;
            case 'E':
                SetCommand(request, AdmCommand.Edit);
                break;
            case 'D':
                SetCommand(request, AdmCommand.Delete);
                break;
            case 'a':
                SetCommand(request, AdmCommand.AddServer);
                break;
            case 'e':
                SetCommand(request, AdmCommand.EditServer);
                break;
            case 'd':
                SetCommand(request, AdmCommand.DeleteServer);
                break;
            case 'C':
                SetCommand(request, AdmCommand.Flush);
                break;
            case 'L':
            case 'l':
                SetCommand(request, AdmCommand.List);
                break;
            case 'Z':
                SetCommand(request, AdmCommand.Zero);
                break;
            case AdmTables.TagSet:
                SetCommand(request, AdmCommand.SetTimeout);
                break;
            case 'R':
                SetCommand(request, AdmCommand.Restore);
                break;
            case 'S':
                SetCommand(request, AdmCommand.Save);
                break;
            case AdmTables.TagStartDaemon:
                SetCommand(request, AdmCommand.StartDaemon);
                request.DaemonState = DaemonState(popt.OptionArgument) ?? throw AdmStopException.Fail(2, "illegal start-daemon parameter specified");
                break;
            case AdmTables.TagStopDaemon:
                SetCommand(request, AdmCommand.StopDaemon);
                request.DaemonState = DaemonState(popt.OptionArgument) ?? throw AdmStopException.Fail(2, "illegal start_daemon specified");
                break;
            case 'h':
                throw AdmStopException.Exit(0, standardOutput: AdmUsage.Usage(argv[0]));
            case 'v':
                throw AdmStopException.Exit(0, standardOutput: AdmUsage.Version());
            default:
                throw TryHelp(argv[0]);
        }

        while ((c = popt.GetNextOption()) >= 0)
        {
            var optarg = popt.OptionArgument;
            switch (c)
            {
                case 't':
                case 'u':
                case AdmTables.TagSctpService:
                    SetOption(request, AdmTables.Service);
                    request.Service.Protocol = c switch
                    {
                        't' => AdmRequest.ProtocolTcp,
                        'u' => AdmRequest.ProtocolUdp,
                        _ => AdmRequest.ProtocolSctp,
                    };
                    if ((ParseService(optarg, request.Service) & ServiceAddress) == 0)
                    {
                        throw AdmStopException.Fail(2, "illegal virtual server address[:port] specified");
                    }

                    break;
                case 'f':
                    SetOption(request, AdmTables.Service);
                    request.Service.Family = AdmLibC.AF_INET;
                    request.Service.Protocol = AdmRequest.ProtocolTcp;
                    request.FirewallMark = ParseFirewallMark(optarg!);
                    break;
                case 's':
                    SetOption(request, AdmTables.Scheduler);
                    request.Scheduler = CText.Truncate(optarg!, 15);
                    break;
                case 'p':
                    SetOption(request, AdmTables.Persistent);
                    request.Flags |= AdmRequest.FlagPersistent;
                    request.Timeout = (uint)ParseTimeout(optarg, 1, MaxTimeout);
                    break;
                case 'M':
                    SetOption(request, AdmTables.Netmask);
                    if (request.Service.Family != AdmLibC.AF_INET6)
                    {
                        if (!ParseNetmask(optarg!, out var mask))
                        {
                            throw AdmStopException.Fail(2, "illegal virtual server persistent mask specified");
                        }

                        request.Service.Netmask = mask;
                    }
                    else
                    {
                        request.Service.Netmask = unchecked((uint)CText.Atoi(optarg!));
                        if (request.Service.Netmask < 1 || request.Service.Netmask > 128)
                        {
                            throw AdmStopException.Fail(2, "illegal ipv6 netmask specified");
                        }
                    }

                    break;
                case 'r':
                {
                    SetOption(request, AdmTables.Server);
                    var target = new AddressTarget();
                    target.CopyFrom(request.Service);
                    var parsed = ParseService(optarg, target);
                    request.Destination.Family = target.Family;
                    target.Address.CopyTo(request.Destination.Address, 0);
                    request.Destination.Port = target.Port;
                    if ((parsed & ServiceAddress) == 0)
                    {
                        throw AdmStopException.Fail(2, "illegal real server address[:port] specified");
                    }

                    if (parsed == ServiceAddress)
                    {
                        request.Destination.Port = request.Service.Port;
                    }

                    break;
                }

                case 'i':
                    SetOption(request, AdmTables.Forward);
                    request.ConnFlags = AdmRequest.ForwardTunnel;
                    break;
                case 'g':
                    SetOption(request, AdmTables.Forward);
                    request.ConnFlags = AdmRequest.ForwardDirectRoute;
                    break;
                case 'm':
                    SetOption(request, AdmTables.Forward);
                    request.ConnFlags = AdmRequest.ForwardMasquerade;
                    break;
                case 'w':
                    SetOption(request, AdmTables.Weight);
                    // Debian's 1.31 allows weights up to INT_MAX (its patch for bug #814348); upstream stops at 65535.
                    request.Weight = CText.StringToNumber(optarg!, 0, int.MaxValue);
                    if (request.Weight == -1)
                    {
                        throw AdmStopException.Fail(2, "illegal weight specified");
                    }

                    break;
                case 'x':
                    SetOption(request, AdmTables.UThreshold);
                    request.UpperThreshold = NumberOrFail(optarg!, 0, int.MaxValue, "illegal u_threshold specified");
                    break;
                case 'y':
                    SetOption(request, AdmTables.LThreshold);
                    request.LowerThreshold = NumberOrFail(optarg!, 0, int.MaxValue, "illegal l_threshold specified");
                    break;
                case 'c':
                    SetOption(request, AdmTables.Connection);
                    break;
                case 'n':
                    SetOption(request, AdmTables.Numeric);
                    request.Format |= AdmFormat.Numeric;
                    break;
                case AdmTables.TagMcastInterface:
                    SetOption(request, AdmTables.McastInterface);
                    request.McastInterface = CText.Truncate(optarg!, 15);
                    break;
                case 'I':
                    SetOption(request, AdmTables.SyncId);
                    request.SyncId = (int)NumberOrFail(optarg!, 0, 255, "illegal syncid specified");
                    break;
                case AdmTables.TagTimeout:
                    SetOption(request, AdmTables.Timeout);
                    break;
                case AdmTables.TagDaemon:
                    SetOption(request, AdmTables.Daemon);
                    break;
                case AdmTables.TagStats:
                    SetOption(request, AdmTables.Stats);
                    request.Format |= AdmFormat.Stats;
                    break;
                case AdmTables.TagRate:
                    SetOption(request, AdmTables.Rate);
                    request.Format |= AdmFormat.Rate;
                    break;
                case AdmTables.TagThresholds:
                    SetOption(request, AdmTables.Thresholds);
                    request.Format |= AdmFormat.Thresholds;
                    break;
                case AdmTables.TagPersistentConn:
                    SetOption(request, AdmTables.PersistentConn);
                    request.Format |= AdmFormat.PersistentConn;
                    break;
                case AdmTables.TagNoSort:
                    SetOption(request, AdmTables.NoSort);
                    request.Format |= AdmFormat.NoSort;
                    break;
                case AdmTables.TagSort:
                    break;
                case 'X':
                    SetOption(request, AdmTables.Exact);
                    request.Format |= AdmFormat.Exact;
                    break;
                case '6':
                    if (request.FirewallMark != 0)
                    {
                        request.Service.Family = AdmLibC.AF_INET6;
                        request.Service.Netmask = 128;
                    }
                    else
                    {
                        throw AdmStopException.Fail(2, "-6 used before -f\n");
                    }

                    break;
                case 'o':
                    SetOption(request, AdmTables.OnePacket);
                    request.Flags |= AdmRequest.FlagOnePacket;
                    break;
                case AdmTables.TagPersistenceEngine:
                    SetOption(request, AdmTables.PersistenceEngine);
                    request.PersistenceEngine = CText.Truncate(optarg!, 16);
                    break;
                case 'b':
                    SetOption(request, AdmTables.SchedFlags);
                    schedFlags = CText.Truncate(optarg!, 127);
                    break;
                case AdmTables.TagMcastGroup:
                    SetOption(request, AdmTables.McastGroup);
                    ParseMulticastGroup(optarg!, request);
                    break;
                case AdmTables.TagMcastPort:
                    SetOption(request, AdmTables.McastPort);
                    request.McastPort = (ushort)NumberOrFail(optarg!, 1, 65535, "illegal mcast-port specified");
                    break;
                case AdmTables.TagMcastTtl:
                    SetOption(request, AdmTables.McastTtl);
                    request.McastTtl = (ushort)NumberOrFail(optarg!, 1, 255, "illegal mcast-ttl specified");
                    break;
                case AdmTables.TagSyncMaxLen:
                    SetOption(request, AdmTables.SyncMaxLen);
                    request.SyncMaxLength = (int)NumberOrFail(optarg!, 1, 65535 - 20 - 8, "illegal sync-maxlen specified");
                    break;
                case AdmTables.TagTunInfo:
                    SetOption(request, AdmTables.TunInfo);
                    request.Format |= AdmFormat.TunInfo;
                    break;
                case AdmTables.TagTunType:
                    SetOption(request, AdmTables.TunType);
                    var type = optarg is not null && IpvsNames.ParseTunnelType(optarg) is { } tunnelType ? (int)tunnelType : -1;
                    if (type < 0)
                    {
                        throw AdmStopException.Fail(2, "illegal tunnel type specified");
                    }

                    request.TunnelType = (ushort)type;
                    break;
                case AdmTables.TagTunPort:
                    SetOption(request, AdmTables.TunPort);
                    request.TunnelPort = (ushort)NumberOrFail(optarg!, 1, 65535, "illegal tunnel port specified");
                    break;
                case AdmTables.TagTunNoCsum:
                    SetOption(request, AdmTables.TunNoCsum);
                    break;
                case AdmTables.TagTunCsum:
                    SetOption(request, AdmTables.TunCsum);
                    request.TunnelFlags |= 1;
                    break;
                case AdmTables.TagTunRemCsum:
                    SetOption(request, AdmTables.TunRemCsum);
                    request.TunnelFlags |= 2;
                    break;
                default:
                    throw AdmStopException.Fail(2, "invalid option `" + popt.BadOption() + "'");
            }
        }

        if (c < -1)
        {
            softError = popt.BadOption() + ": " + Popt.ErrorText(c) + "\n";
            return null;
        }

        if (request.Command == AdmCommand.SetTimeout)
        {
            if (popt.GetArgument() is { } tcp && popt.GetArgument() is { } tcpFin && popt.GetArgument() is { } udp)
            {
                request.TcpTimeout = ParseTimeout(tcp, 0, MaxTimeout);
                request.TcpFinTimeout = ParseTimeout(tcpFin, 0, MaxTimeout);
                request.UdpTimeout = ParseTimeout(udp, 0, MaxTimeout);
            }
            else
            {
                throw AdmStopException.Fail(2, "--set option requires 3 timeout values");
            }
        }

        if (popt.GetArgument() is { } unexpected)
        {
            throw AdmStopException.Fail(2, "unexpected argument " + unexpected);
        }

        if (!string.IsNullOrEmpty(schedFlags))
        {
            request.Flags &= ~AdmRequest.FlagsSched;
            request.Flags |= ParseSchedulerFlags(request.Scheduler, schedFlags);
        }

        Validate(request);
        return request;
    }

    /// <summary>The checks process_options makes before acting, with its defaults.</summary>
    private static void Validate(AdmRequest request)
    {
        CheckCommandOptions(request.Command, request.Options);

        if (request.Command is AdmCommand.Add or AdmCommand.Edit)
        {
            if (request.FirewallMark == 0 && request.Service.Port == 0 && (request.Flags & AdmRequest.FlagPersistent) == 0)
            {
                throw AdmStopException.Fail(2, "Zero port specified for non-persistent service");
            }

            if ((request.Flags & AdmRequest.FlagOnePacket) != 0 && request.FirewallMark == 0 && request.Service.Protocol != AdmRequest.ProtocolUdp)
            {
                throw AdmStopException.Fail(2, "One-Packet Scheduling is only for UDP virtual services");
            }

            if (request.Scheduler.Length == 0)
            {
                request.Scheduler = "wlc";
            }
        }

        if (request.Command == AdmCommand.StartDaemon && request.McastInterface.Length == 0)
        {
            request.McastInterface = "eth0";
        }

        var forward = request.ConnFlags & 7;
        if (request.Command is AdmCommand.AddServer or AdmCommand.EditServer)
        {
            if (request.FirewallMark == 0 && (forward == AdmRequest.ForwardTunnel || forward == AdmRequest.ForwardDirectRoute))
            {
                request.Destination.Port = request.Service.Port;
            }

            if (request.Destination.Family != request.Service.Family && forward != AdmRequest.ForwardTunnel)
            {
                throw AdmStopException.Fail(2, "Different address family is allowed only for tunneling servers");
            }

            const ulong tunnelOptions = (1UL << AdmTables.TunType) | (1UL << AdmTables.TunPort) | (1UL << AdmTables.TunNoCsum)
                | (1UL << AdmTables.TunCsum) | (1UL << AdmTables.TunRemCsum);
            if ((request.Options & tunnelOptions) != 0 && forward != AdmRequest.ForwardTunnel)
            {
                throw AdmStopException.Fail(2, "Tunnel options conflict with forward method");
            }

            CheckTunnelOptions(request.TunnelType, request.Options);
        }

        if (request.Command == AdmCommand.List)
        {
            const ulong connectionTimeoutDaemon = (1UL << AdmTables.Connection) | (1UL << AdmTables.Timeout) | (1UL << AdmTables.Daemon);
            const ulong statsRateThresholds = (1UL << AdmTables.Stats) | (1UL << AdmTables.Rate) | (1UL << AdmTables.Thresholds);
            const ulong timeoutDaemon = (1UL << AdmTables.Timeout) | (1UL << AdmTables.Daemon);
            if (((request.Options & connectionTimeoutDaemon) != 0 && (request.Options & statsRateThresholds) != 0)
                || ((request.Options & timeoutDaemon) != 0 && request.Has(AdmTables.PersistentConn)))
            {
                throw AdmStopException.Fail(2, "options conflicts in the list command");
            }
        }
    }

    private static void CheckCommandOptions(AdmCommand command, ulong options)
    {
        var row = AdmTables.CommandOptions[(int)command - 1];
        var commandName = AdmTables.CommandNames[(int)command - 1];
        var last = 0;
        var count = 0;
        for (var j = 0; j < AdmTables.OptionCount; j++)
        {
            if ((options & (1UL << j)) == 0)
            {
                if (row[j] == '+')
                {
                    throw AdmStopException.Fail(2, $"You need to supply the '{AdmTables.OptionNames[j]}' option for the '{commandName}' command");
                }
            }
            else
            {
                if (row[j] == 'x')
                {
                    throw AdmStopException.Fail(2, $"Illegal '{AdmTables.OptionNames[j]}' option with the '{commandName}' command");
                }

                if (row[j] == '1')
                {
                    count++;
                    if (count == 1)
                    {
                        last = j;
                        continue;
                    }

                    throw AdmStopException.Fail(2, $"The option '{AdmTables.OptionNames[j]}' conflicts with the '{AdmTables.OptionNames[last]}' option in the '{commandName}' command");
                }
            }
        }
    }

    private static void CheckTunnelOptions(ushort tunnelType, ulong options)
    {
        // ipvsadm indexes its table with the type unchecked; only 0–2 can be parsed.
        var row = AdmTables.TunnelOptions[tunnelType];
        var typeName = IpvsNames.TunnelTypes[tunnelType];
        var last = 0;
        var count = 0;
        for (var j = 0; j < AdmTables.TunnelOptionIndexes.Length; j++)
        {
            var k = AdmTables.TunnelOptionIndexes[j];
            if ((options & (1UL << k)) == 0)
            {
                if (row[j] == '+')
                {
                    throw AdmStopException.Fail(2, $"You need to supply the '{AdmTables.OptionNames[k]}' option for the '{typeName}' tunnel type");
                }
            }
            else
            {
                if (row[j] == 'x')
                {
                    throw AdmStopException.Fail(2, $"Illegal '{AdmTables.OptionNames[k]}' option with the '{typeName}' tunnel type");
                }

                if (row[j] == '1')
                {
                    count++;
                    if (count == 1)
                    {
                        last = k;
                        continue;
                    }

                    throw AdmStopException.Fail(2, $"The option '{AdmTables.OptionNames[k]}' conflicts with the '{AdmTables.OptionNames[last]}' option in the '{typeName}' tunnel type");
                }
            }
        }
    }

    private static AdmStopException TryHelp(string program) =>
        AdmStopException.Exit(255, $"Try `{program} -h' or '{program} --help' for more information.\n");

    private static void SetCommand(AdmRequest request, AdmCommand command)
    {
        if (request.Command != AdmCommand.None)
        {
            throw AdmStopException.Fail(2, "multiple commands specified");
        }

        request.Command = command;
    }

    private static void SetOption(AdmRequest request, int option)
    {
        var bit = 1UL << option;
        if ((request.Options & bit) != 0)
        {
            throw AdmStopException.Fail(2, $"multiple '{AdmTables.OptionNames[option]}' options specified");
        }

        request.Options |= bit;
    }

    private static int? DaemonState(string? text) => text is not null ? (int?)IpvsNames.ParseSyncDaemonState(text) : null;

    private static uint NumberOrFail(string text, int min, int max, string message)
    {
        var value = CText.StringToNumber(text, min, max);
        return value == -1 ? throw AdmStopException.Fail(2, message) : (uint)value;
    }

    /// <summary>parse_timeout: absent means the default persistence timeout.</summary>
    private static int ParseTimeout(string? text, int min, int max)
    {
        if (text is null)
        {
            return DefaultPersistentTimeout;
        }

        var value = CText.StringToNumber(text, min, max);
        return value == -1 ? throw AdmStopException.Fail(2, $"invalid timeout value `{text}' specified") : value;
    }

    /// <summary>parse_fwmark: a decimal strtol of 1 to 4294967295, nothing after it.</summary>
    private static uint ParseFirewallMark(string text)
    {
        var value = CText.StrToL(text, out var end, out var overflow);
        if (end != text.Length || end == 0 || overflow || value <= 0 || value > uint.MaxValue)
        {
            throw AdmStopException.Fail(2, $"invalid fwmark value `{text}' specified");
        }

        return (uint)value;
    }

    /// <summary>parse_netmask: inet_aton, else a host name's address.</summary>
    private static bool ParseNetmask(string text, out uint mask)
    {
        if (CText.InetAton(text, out mask))
        {
            return true;
        }

        return NameResolver.TryHostToAddress(text, out mask);
    }

    /// <summary>
    /// parse_service: <c>[IPV6]:PORT</c>, an unbracketed IPv6 address (which takes no port), or
    /// <c>HOST[:PORT]</c> with an inet_aton address or an IPv4 host name; the port a number or a
    /// service name of the target's protocol.
    /// </summary>
    internal static int ParseService(string? text, AddressTarget target)
    {
        if (text is null || IsAllDigits(text))
        {
            return 0;
        }

        var host = text;
        string? port = null;
        if (text[0] == '[')
        {
            var inner = text[1..];
            var close = inner.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                return 0;
            }

            var after = inner[(close + 1)..];
            if (after.Length == 0 || after[0] != ':')
            {
                return 0;
            }

            port = after[1..];
            host = inner[..close];
        }

        Span<byte> v6 = stackalloc byte[16];
        if (CText.InetPton6(host, v6))
        {
            v6.CopyTo(target.Address);
            target.Family = AdmLibC.AF_INET6;
            target.Netmask = 128;
        }
        else
        {
            var colon = host.LastIndexOf(':');
            port = null;
            if (colon >= 0)
            {
                port = host[(colon + 1)..];
                host = host[..colon];
            }

            if (!CText.InetAton(host, out var v4) && !NameResolver.TryHostToAddress(host, out v4))
            {
                return 0;
            }

            System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(target.Address, v4);
            target.Family = AdmLibC.AF_INET;
        }

        var result = ServiceAddress;
        if (port is not null)
        {
            result |= ServicePort;
            var number = CText.StringToNumber(port, 0, 65535);
            if (number == -1)
            {
                number = NameResolver.ServiceToPort(port, target.Protocol);
            }

            if (number == -1)
            {
                return 0;
            }

            target.Port = (ushort)number;
        }

        return result;
    }

    private static bool IsAllDigits(string text)
    {
        foreach (var c in text)
        {
            if (!CText.IsDigit(c))
            {
                return false;
            }
        }

        return true;
    }

    private static void ParseMulticastGroup(string text, AdmRequest request)
    {
        if (text.Contains(':', StringComparison.Ordinal))
        {
            Span<byte> group = stackalloc byte[16];
            if (!CText.InetPton6(text, group) || group[0] != 0xFF)
            {
                throw AdmStopException.Fail(2, $"invalid IPv6 mcast-group `{text}'");
            }

            group.CopyTo(request.McastGroup);
            request.McastFamily = AdmLibC.AF_INET6;
        }
        else
        {
            Span<byte> group = stackalloc byte[4];
            if (!CText.InetPton4(text, group) || (group[0] & 0xF0) != 0xE0)
            {
                throw AdmStopException.Fail(2, $"invalid IPv4 mcast-group `{text}'");
            }

            group.CopyTo(request.McastGroup);
            request.McastFamily = AdmLibC.AF_INET;
        }
    }

    /// <summary>parse_sched_flags: comma-separated, each checked against the scheduler (wlc when none was given).</summary>
    private static uint ParseSchedulerFlags(string scheduler, string text)
    {
        if (scheduler.Length == 0)
        {
            scheduler = "wlc";
        }

        var flags = CText.StrTok(text, ',');
        if (flags.Count == 0)
        {
            // ipvsadm hands strtok's NULL to strcmp and dies of SIGSEGV.
            throw AdmStopException.Crash(AdmLibC.SIGSEGV);
        }

        uint result = 0;
        foreach (var flag in flags)
        {
            var named = IpvsNames.FindSchedulerFlag(flag) ?? throw AdmStopException.Fail(2, $"invalid scheduler flag `{flag}'");
            result |= (uint)named.Flag;
            if (named.Scheduler is { } owner && scheduler != owner)
            {
                throw AdmStopException.Fail(2, $"incompatible scheduler flag `{flag}'");
            }
        }

        return result;
    }
}
