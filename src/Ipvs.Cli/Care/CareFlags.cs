using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Ipvs.Health;
using Ipvs.Model;

namespace Ipvs.Cli.Care;

/// <summary>
/// The flags of <c>ipvs care</c>: lvscare's and sealctl's, with their defaults, plus this
/// daemon's own. Parses a command line into validated <see cref="CareOptions"/>; everything is
/// checked here, before anything touches the kernel.
/// </summary>
internal static class CareFlags
{
    /// <summary>The image scripts/image builds (localhost/: a local image, never pulled from a registry by accident).</summary>
    public const string DefaultImage = "localhost/ipvs:" + BuildInfo.Version;

    /// <summary>The schedulers of Linux IPVS (ip_vs_*.ko); any of them is accepted, not only lvscare's six.</summary>
    public static readonly IReadOnlyList<string> Schedulers = ["rr", "wrr", "lc", "wlc", "lblc", "lblcr", "dh", "sh", "sed", "nq", "fo", "ovf", "mh", "twos"];

    // Flags that only steer this invocation and are not repeated in a generated static pod.
    private static readonly HashSet<string> s_notForStaticPod = ["print-static-pod", "image", "run-once", "clean", "help"];

    public static FlagSet Create()
    {
        var flags = new FlagSet();
        // lvscare (care/options.go, care/prober.go) and sealctl's globals.
        flags.Add("vs", null, FlagKind.String, string.Empty, "virtual server address, for example 169.254.0.1:6443");
        flags.Add("rs", null, FlagKind.StringSlice, "[]", "real server address like 192.168.0.2:6443 (repeatable, comma-separated)");
        flags.Add("scheduler", null, FlagKind.String, "rr", "IPVS scheduler: " + string.Join('|', Schedulers));
        flags.Add("iface", 'i', FlagKind.String, "lvscare", "name of the dummy interface to create (link mode)");
        flags.Add("logger", null, FlagKind.String, "INFO", "logger level: DEBG/INFO (also WARN, ERROR)");
        flags.Add("mode", null, FlagKind.String, "route", "proxy mode: route/link");
        flags.Add("run-once", null, FlagKind.Bool, "false", "create the rules and exit");
        flags.Add("clean", 'C', FlagKind.Bool, "false", "remove the rules (virtual server, route or link and masquerade rules), then exit");
        flags.Add("interval", null, FlagKind.DurationOrSeconds, string.Empty, "health check interval: a duration or a number of seconds (default 5s)");
        flags.Add("ip", null, FlagKind.IP, string.Empty, "gateway of the route to the virtual server (route mode; default: lvscare.node.ip in /etc/hosts)");
        flags.Add("masqueradebit", null, FlagKind.Int, "0", "bit of the packet mark that asks for masquerading (link mode)");
        flags.Add("health-path", null, FlagKind.String, "/healthz", "URL path to probe");
        flags.Add("health-schem", null, FlagKind.String, "https", "HTTP scheme of the probe: http/https");
        flags.Add("health-req-method", null, FlagKind.String, "GET", "HTTP request method");
        flags.Add("health-req-body", null, FlagKind.String, string.Empty, "body to send with the probe");
        flags.Add("health-req-headers", null, FlagKind.StringToString, "[]", "HTTP request headers, k=v,k2=v2 (a value with commas is sent as several values)");
        flags.Add("health-status", null, FlagKind.IntSlice, "[]", "extra valid status codes (400 and above)");
        flags.Add("health-insecure-skip-verify", null, FlagKind.Bool, "true", "do not verify the servers' certificates");
        flags.Add("health-timeout", null, FlagKind.Duration, "10s", "probe timeout (never more than 9/10 of the interval)");
        flags.Add("debug", null, FlagKind.Bool, "false", "enable debug logs");
        flags.Add("show-path", null, FlagKind.Bool, "false", "show the source location of each log line");
        // This daemon's own.
        flags.Add("health-type", null, FlagKind.String, string.Empty, "probe: https, http, tcp (connect only) or none (default: --health-schem)");
        flags.Add("health-rise", null, FlagKind.Int, "1", "consecutive successes before an unhealthy server is restored");
        flags.Add("health-fall", null, FlagKind.Int, "1", "consecutive failures before a server is drained");
        flags.Add("drain-timeout", null, FlagKind.Duration, string.Empty, "how long an unhealthy server keeps weight 0 before it is removed (default: one interval)");
        flags.Add("fail-closed", null, FlagKind.Bool, "false", "when every server is unhealthy, remove them all instead of keeping them all (panic)");
        flags.Add("clean-on-exit", null, FlagKind.Bool, "false", "remove the rules when stopped by SIGTERM or SIGINT");
        flags.Add("file", 'f', FlagKind.String, string.Empty, "keep the virtual services of this file instead of --vs/--rs (SIGHUP re-reads it)");
        flags.Add("ha-node", null, FlagKind.String, string.Empty, "with -f and an ha section: which node of the pair this is (default: the node whose address is local, else the host name)");
        flags.Add("log-format", null, FlagKind.String, "text", "log format: text or json");
        flags.Add("metrics-address", null, FlagKind.String, string.Empty, "serve Prometheus metrics on [HOST]:PORT (loopback when no host is given)");
        flags.Add("print-static-pod", null, FlagKind.Bool, "false", "print a Kubernetes static pod running this command, and exit");
        flags.Add("image", null, FlagKind.String, DefaultImage, "container image of the static pod (--print-static-pod)");
        return flags;
    }

    /// <summary>
    /// Parses and validates. <paramref name="environmentPrefix"/> names the variables that fill
    /// flags not given (sealctl: IPVS_VS, IPVS_RS, …; lvscare: CARE_…), or null for none.
    /// </summary>
    public static bool TryParse(
        IReadOnlyList<string> args,
        string? environmentPrefix,
        Func<string, string?> getVariable,
        [NotNullWhen(true)] out CareOptions? options,
        out bool helpRequested,
        [NotNullWhen(false)] out string? error,
        Func<string, string?>? readHostsEntry = null)
    {
        options = null;
        var flags = Create();
        if (!flags.TryParse(args, out error))
        {
            helpRequested = false;
            return false;
        }

        helpRequested = flags.HelpRequested;
        if (helpRequested)
        {
            error = "help";
            return false;
        }

        if (environmentPrefix is not null && !flags.TryApplyEnvironment(environmentPrefix, getVariable, out error))
        {
            return false;
        }

        if (flags.Arguments.Count > 0)
        {
            error = $"unexpected argument '{flags.Arguments[0]}': every value is given with a flag (--vs, --rs, …)";
            return false;
        }

        return TryBuild(flags, readHostsEntry ?? HostsFile.Lookup, out options, out error);
    }

    private static bool TryBuild(FlagSet flags, Func<string, string?> readHostsEntry, [NotNullWhen(true)] out CareOptions? options, [NotNullWhen(false)] out string? error)
    {
        options = null;
        var clean = flags["clean"].Bool;
        var file = flags["file"].Text is { Length: > 0 } f ? f : null;
        Ipvs.Ha.HaConfig? ha = null;

        // Modes and general settings first: a bad one is reported whatever else is wrong.
        var modeText = flags["mode"].Text ?? "route";
        CareMode mode;
        switch (modeText)
        {
            case "route":
                mode = CareMode.Route;
                break;
            case "link":
                mode = CareMode.Link;
                break;
            case "":
                mode = CareMode.None;
                break;
            default:
                error = $"unsupported --mode '{modeText}': expected route or link";
                return false;
        }

        var levelText = flags["logger"].Text ?? "INFO";
        LogLevel level;
        switch (levelText.ToUpperInvariant())
        {
            case "DEBG" or "DEBUG":
                level = LogLevel.Debug;
                break;
            case "INFO":
                level = LogLevel.Info;
                break;
            case "WARN" or "WARNING":
                level = LogLevel.Warn;
                break;
            case "EROR" or "ERROR":
                level = LogLevel.Error;
                break;
            default:
                error = $"unsupported --logger '{levelText}': expected DEBG or INFO (or WARN, ERROR)";
                return false;
        }

        if (flags["debug"].Bool)
        {
            level = LogLevel.Debug;
        }

        var logFormat = flags["log-format"].Text ?? "text";
        if (logFormat is not ("text" or "json"))
        {
            error = $"unsupported --log-format '{logFormat}': expected text or json";
            return false;
        }

        var iface = flags["iface"].Text ?? "lvscare";
        if (!Ipvs.Netlink.Route.RouteNetlinkClient.IsValidName(iface))
        {
            error = $"--iface '{iface}' is not an interface name: 1 to 15 characters, no '/', ':' or spaces";
            return false;
        }

        var bit = flags["masqueradebit"].Int;
        if (bit is < 0 or > 31)
        {
            error = $"--masqueradebit {bit} is out of range: the mark has bits 0 to 31";
            return false;
        }

        IPEndPoint? metrics = null;
        if (flags["metrics-address"].Text is { Length: > 0 } metricsText && !TryParseListenAddress(metricsText, out metrics, out error))
        {
            error = $"--metrics-address '{metricsText}': {error}";
            return false;
        }

        if (!TryBuildHealth(flags, out var health, out error))
        {
            return false;
        }

        var scheduler = flags["scheduler"].Text ?? "rr";
        if (!Schedulers.Contains(scheduler))
        {
            error = $"unsupported --scheduler '{scheduler}': expected one of {string.Join(", ", Schedulers)}";
            return false;
        }

        var printStaticPod = flags["print-static-pod"].Bool;
        var runOnce = flags["run-once"].Bool;
        if (printStaticPod && (clean || runOnce))
        {
            error = "--print-static-pod prints a pod that runs the daemon: it cannot be combined with --clean or --run-once";
            return false;
        }

        // The virtual server and its real servers.
        VirtualServiceKey? vs = null;
        var services = new List<CaredService>();
        if (file is not null)
        {
            if (flags.IsChanged("vs") || flags.IsChanged("rs"))
            {
                error = "-f/--file gives the virtual servers: it cannot be combined with --vs or --rs";
                return false;
            }

            if (!CareFile.TryLoad(file, scheduler, health, out var loaded, out ha, out error))
            {
                return false;
            }

            // keepalived holds the pair's virtual addresses: no route or link of ours beside it.
            if (ha is not null)
            {
                if (flags.IsChanged("mode") && mode != CareMode.None)
                {
                    error = $"--mode {modeText} does not go with the ha section of {file}: keepalived holds its virtual addresses (leave --mode out)";
                    return false;
                }

                mode = CareMode.None;
            }

            services.AddRange(loaded);
        }
        else
        {
            var vsText = flags["vs"].Text ?? string.Empty;
            if (vsText.Length == 0)
            {
                if (!clean)
                {
                    error = "required flag(s) \"vs\" not set: give the virtual server as --vs ADDRESS:PORT, for example --vs 169.254.0.1:6443";
                    return false;
                }
            }
            else
            {
                if (!TryParseEndpoint(vsText, out var address, out var port, out error))
                {
                    error = $"--vs '{vsText}': {error}";
                    return false;
                }

                vs = VirtualServiceKey.Tcp(address, port);
            }

            var servers = new List<RealServer>();
            foreach (var rsText in flags["rs"].Strings)
            {
                if (!TryParseEndpoint(rsText.Trim(), out var address, out var port, out error))
                {
                    error = $"--rs '{rsText}': {error}";
                    return false;
                }

                if (vs is not null && address.AddressFamily != vs.Family)
                {
                    error = $"--rs '{rsText}' is not of the address family of --vs {flags["vs"].Text}: masquerading needs the same family";
                    return false;
                }

                var server = new RealServer(address, port);
                if (servers.Exists(s => s.Address.Equals(address) && s.Port == port))
                {
                    error = $"--rs '{rsText}' is given twice";
                    return false;
                }

                servers.Add(server);
            }

            if (servers.Count == 0 && !clean)
            {
                error = "required flag(s) \"rs\" not set: give at least one real server as --rs ADDRESS:PORT (repeat it, or separate with commas)";
                return false;
            }

            if (vs is not null)
            {
                services.Add(new CaredService(new VirtualService(vs) { Scheduler = scheduler }, servers, health));
            }
        }

        // Route mode's gateway: --ip, else the lvscare.node.ip entry of /etc/hosts (sealos).
        var gateway = flags["ip"].Address;
        if (gateway is null && mode == CareMode.Route && flags["ip"].Text is not { Length: > 0 })
        {
            var fromHosts = readHostsEntry(HostsFile.LvscareNodeName);
            if (fromHosts is not null && IPAddress.TryParse(fromHosts, out var parsed))
            {
                gateway = parsed;
            }
        }

        if (gateway is not null && mode == CareMode.Route)
        {
            foreach (var service in services)
            {
                if (service.Service.Key.Family != gateway.AddressFamily)
                {
                    error = $"the gateway {gateway} (--ip) is not of the address family of the virtual server {AddressPort.Format(service.Service.Key.Address!, service.Service.Key.Port)}";
                    return false;
                }
            }
        }

        options = new CareOptions
        {
            Services = services,
            VirtualServer = vs,
            Clean = clean,
            RunOnce = runOnce,
            CleanOnExit = flags["clean-on-exit"].Bool,
            Mode = mode,
            Interface = iface,
            Gateway = gateway,
            MasqueradeBit = (int)bit,
            LogLevel = level,
            JsonLogs = logFormat == "json",
            ShowPath = flags["show-path"].Bool,
            MetricsAddress = metrics,
            Ha = ha,
            HaNode = flags["ha-node"].Text is { Length: > 0 } haNode ? haNode : null,
            File = file is null ? null : Path.GetFullPath(file),
            PrintStaticPod = printStaticPod,
            Image = flags["image"].Text is { Length: > 0 } image ? image : DefaultImage,
            StaticPodArguments = StaticPodArguments(flags, file),
            FlagValues = flags.Definitions.OrderBy(d => d.Name, StringComparer.Ordinal).Select(d => new KeyValuePair<string, string>(d.Name, flags.Display(d.Name))).ToList(),
        };
        error = null;
        return true;
    }

    private static bool TryBuildHealth(FlagSet flags, [NotNullWhen(true)] out HealthCheckOptions? health, [NotNullWhen(false)] out string? error)
    {
        health = null;
        var scheme = flags["health-schem"].Text ?? "https";
        if (scheme is not ("http" or "https"))
        {
            error = $"unsupported --health-schem '{scheme}': expected http or https";
            return false;
        }

        HealthCheckType type;
        var typeText = flags["health-type"].Text;
        if (typeText is { Length: > 0 })
        {
            if (!HealthProbers.TryParse(typeText, out type))
            {
                error = $"unsupported --health-type '{typeText}': expected https, http, tcp or none";
                return false;
            }
        }
        else
        {
            type = scheme == "http" ? HealthCheckType.Http : HealthCheckType.Https;
        }

        var interval = flags["interval"].Duration;
        if (interval == TimeSpan.Zero)
        {
            interval = HealthCheckOptions.DefaultInterval; // lvscare: an interval of 0 means the default
        }

        if (interval < TimeSpan.Zero)
        {
            error = $"--interval {flags["interval"].Text} must be positive";
            return false;
        }

        if (flags.IsChanged("health-timeout") && flags["health-timeout"].Duration <= TimeSpan.Zero)
        {
            error = $"--health-timeout {flags["health-timeout"].Text} must be positive";
            return false;
        }

        var path = flags["health-path"].Text ?? "/healthz";
        if (!path.StartsWith('/'))
        {
            path = "/" + path; // as lvscare
        }

        // lvscare sends a header value with commas as several values of that header.
        var headers = new List<KeyValuePair<string, string>>();
        foreach (var (name, value) in flags["health-req-headers"].Pairs)
        {
            foreach (var part in value.Split(','))
            {
                headers.Add(new KeyValuePair<string, string>(name, part));
            }
        }

        var rise = flags["health-rise"].Int;
        var fall = flags["health-fall"].Int;
        if (rise is < 1 or > 1000 || fall is < 1 or > 1000)
        {
            error = $"--health-{(rise is < 1 or > 1000 ? "rise " + rise.ToString(CultureInfo.InvariantCulture) : "fall " + fall.ToString(CultureInfo.InvariantCulture))} is out of range: expected 1 to 1000";
            return false;
        }

        TimeSpan? drain = flags.IsChanged("drain-timeout") ? flags["drain-timeout"].Duration : null;
        health = new HealthCheckOptions
        {
            Type = type,
            Path = path,
            Method = flags["health-req-method"].Text ?? "GET",
            Headers = headers,
            Body = flags["health-req-body"].Text is { Length: > 0 } body ? body : null,
            AcceptedStatusCodes = flags["health-status"].Ints.Select(i => (int)Math.Clamp(i, int.MinValue, int.MaxValue)).ToArray(),
            InsecureSkipVerify = flags["health-insecure-skip-verify"].Bool,
            Timeout = flags["health-timeout"].Duration,
            Interval = interval,
            Rise = (int)rise,
            Fall = (int)fall,
            DrainTimeout = drain,
            FailClosed = flags["fail-closed"].Bool,
        };
        var problems = health.Validate();
        if (problems.Count > 0)
        {
            error = problems[0];
            health = null;
            return false;
        }

        error = null;
        return true;
    }

    /// <summary>Parses ADDRESS:PORT as Go's net.SplitHostPort does (IPv6 in brackets), requiring an IP address.</summary>
    public static bool TryParseEndpoint(string text, [NotNullWhen(true)] out IPAddress? address, out ushort port, [NotNullWhen(false)] out string? error)
    {
        address = null;
        port = 0;
        var colon = text.LastIndexOf(':');
        if (colon < 0)
        {
            error = "missing port: expected ADDRESS:PORT, for example 169.254.0.1:6443";
            return false;
        }

        if (!text.StartsWith('[') && text.IndexOf(':', StringComparison.Ordinal) != colon)
        {
            error = "too many colons: write an IPv6 address in brackets, [ADDRESS]:PORT";
            return false;
        }

        if (!AddressPort.TryParse(text, out address, out port, out error))
        {
            return false;
        }

        if (port == 0)
        {
            error = "the port must be from 1 to 65535";
            address = null;
            return false;
        }

        return true;
    }

    /// <summary>
    /// Parses a listen address: PORT, :PORT or HOST:PORT (IPv6 in brackets). Without a host it
    /// is the loopback address: metrics are not exposed beyond the node unless asked.
    /// </summary>
    public static bool TryParseListenAddress(string text, [NotNullWhen(true)] out IPEndPoint? endpoint, [NotNullWhen(false)] out string? error)
    {
        endpoint = null;
        string host, portText;
        if (text.StartsWith('['))
        {
            var close = text.IndexOf(']', StringComparison.Ordinal);
            if (close < 0 || close + 1 >= text.Length || text[close + 1] != ':')
            {
                error = "expected [IPV6]:PORT";
                return false;
            }

            host = text[1..close];
            portText = text[(close + 2)..];
        }
        else
        {
            var colon = text.LastIndexOf(':');
            host = colon < 0 ? string.Empty : text[..colon];
            portText = colon < 0 ? text : text[(colon + 1)..];
            if (host.Contains(':', StringComparison.Ordinal))
            {
                error = "write an IPv6 address in brackets, [ADDRESS]:PORT";
                return false;
            }
        }

        if (!ushort.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var port))
        {
            error = $"'{portText}' is not a port";
            return false;
        }

        IPAddress address;
        if (host.Length == 0 || host == "localhost")
        {
            address = IPAddress.Loopback;
        }
        else if (!IPAddress.TryParse(host, out address!) || address.AddressFamily is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6))
        {
            error = $"'{host}' is not an IP address";
            return false;
        }

        endpoint = new IPEndPoint(address, port);
        error = null;
        return true;
    }

    private static List<string> StaticPodArguments(FlagSet flags, string? file)
    {
        var args = new List<string> { "care" };
        // --vs and --rs first, as sealos writes them, then the rest in the order given.
        foreach (var name in new[] { "vs", "rs" }.Concat(flags.ChangedInOrder.Where(n => n is not ("vs" or "rs"))))
        {
            if (!flags.IsChanged(name) || s_notForStaticPod.Contains(name))
            {
                continue;
            }

            if (name == "file" && file is not null)
            {
                args.Add("--file");
                args.Add(Path.GetFullPath(file));
                continue;
            }

            args.AddRange(flags.Render(name));
        }

        return args;
    }
}
