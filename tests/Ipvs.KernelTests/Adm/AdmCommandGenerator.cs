using System.Globalization;
using System.Text;

namespace Ipvs.KernelTests.Adm;

/// <summary>One command of a differential run: ipvsadm's arguments, and what it reads on standard input.</summary>
/// <param name="Arguments">The arguments after argv[0].</param>
/// <param name="StandardInput">Standard input (for -R), or null for /dev/null.</param>
/// <param name="MayPrintUsage">-h or -v may print usage or version: that text is our own by design, so standard output is compared only up to it.</param>
public sealed record AdmTestCommand(IReadOnlyList<string> Arguments, string? StandardInput = null, bool MayPrintUsage = false)
{
    /// <summary>The command as a shell would show it.</summary>
    public override string ToString()
    {
        var text = "ipvsadm " + string.Join(' ', Arguments.Select(a => a.Length == 0 || a.Any(c => c is ' ' or '\'' or '"' or '\\' or '\t' or '\n' or '!' or '#') ? "'" + a.Replace("'", "'\\''", StringComparison.Ordinal) + "'" : a));
        return StandardInput is null ? text : text + " <<< " + JsonEscape(StandardInput);
    }

    private static string JsonEscape(string text) => "\"" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\r", "\\r", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal).Replace("\t", "\\t", StringComparison.Ordinal) + "\"";
}

/// <summary>
/// Seeded random ipvsadm command sequences: every command and option, valid and invalid,
/// IPv4 and IPv6, all schedulers, tunnels, daemons, names, restore files. It keeps the services
/// it tried to create so that most real-server and edit commands hit one, and the kernel gets
/// to answer (and refuse) as often as the parser.
/// </summary>
public sealed class AdmCommandGenerator
{
    private static readonly string[] s_schedulers =
        ["rr", "wrr", "lc", "wlc", "lblc", "lblcr", "dh", "sh", "sed", "nq", "fo", "ovf", "mh", "twos", "none", "bogus", "rrrrrrrrrrrrrrrrrrrr"];

    private static readonly string[] s_v4Hosts = ["198.18.0.1", "198.18.0.2", "198.18.0.3", "198.18.0.4", "198.18.0.250", "web.example", "vip1", "198.18.0.99"];
    private static readonly string[] s_v6Hosts = ["2001:db8::1", "2001:db8::2", "2001:db8::a:1", "2001:db8:0:0:0:0:0:3", "2001:db8::ffff:1"];
    private static readonly string[] s_ports = ["80", "443", "53", "8080", "0", "1", "65535", "http", "https", "domain", "customsvc", "+80", "080"];
    private static readonly string[] s_badPorts = ["65536", "-1", "nosuchsvc", "8o", ""];
    private static readonly string[] s_v4Servers = ["198.18.1.1", "198.18.1.2", "198.18.1.3", "198.18.1.4", "198.18.2.1", "rs1.example", "198.18.1.250"];
    private static readonly string[] s_v6Servers = ["2001:db8:1::1", "2001:db8:1::2", "2001:db8:1::a", "2001:db8:2::1"];
    private static readonly string[] s_weights = ["0", "1", "2", "5", "100", "65535", "65536", "2147483647", "2147483648", "-1", "abc", "0x10", " 3"];
    private static readonly string[] s_thresholds = ["0", "1", "10", "100", "2147483647", "2147483648", "-5", "x"];
    private static readonly string[] s_timeouts = ["1", "30", "360", "2678400", "2678401", "0", "abc", "-5", "15"];

    private readonly Random _random;
    private static readonly string[] s_kernelSchedulers = ["rr", "wrr", "lc", "wlc", "lblc", "lblcr", "dh", "sh", "sed", "nq", "fo", "ovf", "mh"];
    private static readonly string[] s_validPorts = ["80", "443", "53", "8080", "1", "65535", "http", "https", "domain", "customsvc"];

    private readonly List<string[]> _services = [];
    private readonly List<(string[] Service, string Server)> _servers = [];
    private int _depth;

    public AdmCommandGenerator(int seed)
    {
        _random = new Random(seed);
    }

    /// <summary>A sequence of <paramref name="count"/> commands.</summary>
    public IReadOnlyList<AdmTestCommand> Generate(int count)
    {
        var commands = new List<AdmTestCommand>(count);
        while (commands.Count < count)
        {
            commands.Add(Next());
        }

        return commands;
    }

    /// <summary>The next command.</summary>
    public AdmTestCommand Next()
    {
        var roll = _random.Next(1000);
        return roll switch
        {
            < 170 => new(AddService()),
            < 230 => new(EditService()),
            < 270 => new(DeleteService()),
            < 450 => new(AddServer()),
            < 510 => new(EditServer()),
            < 550 => new(DeleteServer()),
            < 690 => new(List()),
            < 730 => new(Save()),
            < 755 => new(Zero()),
            < 765 => new(Flush()),
            < 790 => new(SetTimeouts()),
            < 840 => new(Daemon()),
            < 900 => Restore(),
            < 990 => new(Malformed()),
            _ => HelpOrVersion(),
        };
    }

    private T Pick<T>(IReadOnlyList<T> items) => items[_random.Next(items.Count)];

    private bool Chance(int percent) => _random.Next(100) < percent;

    private string Number(int min, int max) => _random.Next(min, max + 1).ToString(CultureInfo.InvariantCulture);

    /// <summary>Writes an option with its argument in one of the forms popt accepts for it.</summary>
    private IEnumerable<string> Option(char? shortName, string longName, string? argument)
    {
        var useLong = shortName is null || Chance(25);
        if (argument is null)
        {
            yield return useLong ? "--" + longName : "-" + shortName;
            yield break;
        }

        if (useLong)
        {
            if (Chance(30) && argument.Length > 0)
            {
                yield return "--" + longName + "=" + argument;
            }
            else
            {
                yield return "--" + longName;
                yield return argument;
            }
        }
        else if (Chance(20) && argument.Length > 0 && !argument.StartsWith('-'))
        {
            yield return "-" + shortName + argument;
        }
        else
        {
            yield return "-" + shortName;
            yield return argument;
        }
    }

    private string ServiceAddress(bool v6)
    {
        if (Chance(3))
        {
            return Pick(["1.2.3.4.5:80", "nosuch.invalid:80", "[2001:db8::1:80", "[1.2.3.4]:80", "2001:db8::7:80", "300.1.1.1:80", "198.18.0.1", "[2001:db8::1]", ":80", "[]:80"]);
        }

        var port = Chance(4) ? Pick(s_badPorts) : Pick(s_ports);
        if (v6)
        {
            var host = Pick(s_v6Hosts);
            return Chance(3) ? host : "[" + host + "]:" + port;
        }

        return Pick(s_v4Hosts) + (Chance(3) ? string.Empty : ":" + port);
    }

    /// <summary>A service designation: -t/-u/--sctp-service ADDRESS or -f MARK [-6].</summary>
    private string[] NewService()
    {
        var kind = _random.Next(10);
        var v6 = Chance(30);
        var parts = new List<string>();
        switch (kind)
        {
            case < 4:
                parts.AddRange(Option('t', "tcp-service", ServiceAddress(v6)));
                break;
            case < 6:
                parts.AddRange(Option('u', "udp-service", ServiceAddress(v6)));
                break;
            case < 7:
                parts.AddRange(Option(null, "sctp-service", ServiceAddress(v6)));
                break;
            default:
                var mark = Chance(5) ? Pick(["0", "-1", "4294967296", "abc", "2882430849", "4294967295"]) : Number(1, 20);
                parts.AddRange(Option('f', "fwmark-service", mark));
                if (v6)
                {
                    parts.AddRange(Option('6', "ipv6", null));
                }

                break;
        }

        return [.. parts];
    }

    /// <summary>A service that was (probably) created before, or now and then a new one.</summary>
    private string[] KnownService() => _services.Count > 0 && Chance(85) ? Pick(_services) : NewService();

    private string[] AddService()
    {
        if (Chance(70))
        {
            return ValidAddService();
        }

        var service = NewService();
        if (!Chance(10))
        {
            _services.Add(service);
        }

        return [.. Command('A', "add-service"), .. ServiceOptions(service)];
    }

    private string[] EditService() => [.. Command('E', "edit-service"), .. ServiceOptions(KnownService())];

    private string[] DeleteService()
    {
        var service = KnownService();
        if (Chance(50))
        {
            _services.Remove(service);
        }

        return [.. Command('D', "delete-service"), .. service];
    }

    private IEnumerable<string> Command(char shortName, string longName) => Chance(15) ? ["--" + longName] : ["-" + shortName];

    private List<string> ServiceOptions(string[] service)
    {
        var options = new List<List<string>> { service.ToList() };
        if (Chance(60))
        {
            options.Add(Option('s', "scheduler", Pick(s_schedulers)).ToList());
        }

        var persistent = Chance(40);
        if (persistent)
        {
            options.Add(_random.Next(6) switch
            {
                0 => ["-p"],
                1 => ["--persistent"],
                2 => ["-p", Pick(s_timeouts)],
                3 => ["-p" + Pick(s_timeouts)],
                4 => ["--persistent=" + Pick(s_timeouts)],
                _ => ["-p=" + Pick(s_timeouts)],
            });
        }

        if (Chance(20))
        {
            options.Add(Option('M', "netmask", Pick(["255.255.255.0", "255.255.0.0", "255.0.0.0", "0.0.0.0", "64", "48", "128", "0", "129", "bogus", "vip1"])).ToList());
        }

        if (Chance(15))
        {
            options.Add(Option(null, "pe", Pick(["sip", "sip", "bogus", "aaaaaaaaaaaaaaaaaaaaa"])).ToList());
        }

        if (Chance(15))
        {
            options.Add(Option('o', "ops", null).ToList());
        }

        if (Chance(15))
        {
            options.Add(Option('b', "sched-flags", Pick(["sh-port", "sh-fallback", "sh-fallback,sh-port", "mh-port", "mh-fallback", "mh-fallback,mh-port", "flag-1", "flag-2,flag-3", "flag-3", "bogus", "sh-port,", ",mh-port", "sh-port,bogus"])).ToList());
        }

        if (Chance(5))
        {
            // Options the service commands refuse.
            options.Add(Pick<List<string>>([["-r", "198.18.1.1"], ["-w", "3"], ["-n"], ["--tun-type", "gue"], ["-c"], ["--syncid", "3"], ["-x", "4"]]));
        }

        return Shuffle(options);
    }

    private List<string> Shuffle(List<List<string>> groups)
    {
        // Most commands keep the service first; some mix the order (which matters for -M and -6).
        if (Chance(30))
        {
            for (var i = groups.Count - 1; i > 0; i--)
            {
                var j = _random.Next(i + 1);
                (groups[i], groups[j]) = (groups[j], groups[i]);
            }
        }

        return groups.SelectMany(g => g).ToList();
    }

    private string ServerAddress(string[] service)
    {
        var v6Service = service.Any(s => s.Contains("2001:db8", StringComparison.Ordinal)) || service.Contains("-6") || service.Contains("--ipv6");
        var v6 = Chance(15) ? !v6Service : v6Service;
        if (Chance(3))
        {
            return Pick(["nosuch.invalid", "1.2.3", "[2001:db8:1::1", "224.0.0.1", "ff02::1", "0.0.0.0", "198.18.1.1:99999"]);
        }

        var port = Chance(40) ? string.Empty : ":" + (Chance(5) ? Pick(s_badPorts) : Pick(s_ports));
        if (v6)
        {
            var host = Pick(s_v6Servers);
            return port.Length == 0 && Chance(50) ? host : "[" + host + "]" + (port.Length == 0 ? ":80" : port);
        }

        return Pick(s_v4Servers) + port;
    }

    private string[] AddServer() =>
        Chance(70) && _services.Count > 0 ? [.. Command('a', "add-server"), .. ValidServer(Pick(_services), remember: true)] : [.. Command('a', "add-server"), .. ServerOptions(KnownService(), full: true)];

    private string[] EditServer()
    {
        if (Chance(65) && _servers.Count > 0)
        {
            var (service, server) = Pick(_servers);
            return [.. Command('e', "edit-server"), .. ValidServer(service, remember: false, server)];
        }

        return [.. Command('e', "edit-server"), .. ServerOptions(KnownService(), full: true)];
    }

    private string[] DeleteServer()
    {
        if (Chance(65) && _servers.Count > 0)
        {
            var known = Pick(_servers);
            _servers.Remove(known);
            return [.. Command('d', "delete-server"), .. known.Service, .. Option('r', "real-server", known.Server)];
        }

        return [.. Command('d', "delete-server"), .. ServerOptions(KnownService(), full: Chance(5))];
    }

    /// <summary>A service that parses and that the kernel takes (unless it exists already).</summary>
    private string[] ValidAddService()
    {
        var kind = _random.Next(10);
        var v6 = Chance(30);
        string[] service;
        var udpOrMark = false;
        if (kind < 7)
        {
            var protocol = kind < 4 ? "-t" : kind < 6 ? "-u" : "--sctp-service";
            udpOrMark = protocol == "-u";
            var host = v6 ? "[" + Pick(s_v6Hosts) + "]" : Pick(["198.18.0.1", "198.18.0.2", "198.18.0.3", "198.18.0.4", "web.example", "vip1"]);
            service = [protocol, host + ":" + Pick(s_validPorts)];
        }
        else
        {
            udpOrMark = true;
            service = v6 ? ["-f", Number(1, 20), "-6"] : ["-f", Number(1, 20)];
        }

        _services.Add(service);
        var options = new List<List<string>> { service.ToList() };
        var scheduler = Chance(80) ? Pick(s_kernelSchedulers) : null;
        if (scheduler is not null)
        {
            options.Add(Option('s', "scheduler", scheduler).ToList());
        }

        if (Chance(40))
        {
            options.Add(Chance(50) ? ["-p"] : ["-p", Pick(["1", "30", "360", "3600", "2678400"])]);
            if (Chance(30))
            {
                options.Add(["-M", v6 ? Pick(["48", "64", "96", "128"]) : Pick(["255.255.255.0", "255.255.0.0", "255.255.255.255", "0.0.0.0"])]);
            }
        }

        if (Chance(10))
        {
            options.Add(["--pe", "sip"]);
        }

        if (udpOrMark && Chance(25))
        {
            options.Add(["-o"]);
        }

        if (Chance(20))
        {
            var flags = scheduler switch
            {
                "sh" => Pick(["sh-port", "sh-fallback", "sh-fallback,sh-port", "flag-3"]),
                "mh" => Pick(["mh-port", "mh-fallback", "mh-port,mh-fallback", "flag-3"]),
                _ => Pick(["flag-1", "flag-2", "flag-1,flag-3", "flag-1,flag-2,flag-3"]),
            };
            options.Add(["-b", flags]);
        }

        return [.. Command('A', "add-service"), .. options.SelectMany(o => o)];
    }

    /// <summary>A real server of the service that parses and that the kernel takes (unless it exists already).</summary>
    private List<string> ValidServer(string[] service, bool remember, string? server = null)
    {
        var v6Service = service.Any(s => s.Contains("2001:db8", StringComparison.Ordinal)) || service.Contains("-6");
        var tunnel = Chance(30);
        var otherFamily = tunnel && Chance(30);
        var v6 = otherFamily ? !v6Service : v6Service;
        server ??= v6
            ? "[" + Pick(s_v6Servers) + "]" + (Chance(50) ? ":" + Pick(s_validPorts) : ":80")
            : Pick(["198.18.1.1", "198.18.1.2", "198.18.1.3", "198.18.1.4", "198.18.2.1", "rs1.example"]) + (Chance(50) ? ":" + Pick(s_validPorts) : string.Empty);
        if (remember)
        {
            _servers.Add((service, server));
        }

        var options = new List<string>(service);
        options.AddRange(Option('r', "real-server", server));
        if (tunnel)
        {
            options.Add("-i");
            switch (_random.Next(4))
            {
                case 0:
                    break;
                case 1:
                    options.AddRange(["--tun-type", "ipip"]);
                    break;
                case 2:
                    options.AddRange(["--tun-type", "gue", "--tun-port", Pick(["6080", "5555", "1", "65535"])]);
                    if (Chance(70))
                    {
                        options.Add(Pick(["--tun-nocsum", "--tun-csum", "--tun-remcsum"]));
                    }

                    break;
                default:
                    options.AddRange(["--tun-type", "gre"]);
                    if (Chance(70))
                    {
                        options.Add(Pick(["--tun-nocsum", "--tun-csum"]));
                    }

                    break;
            }
        }
        else if (Chance(85))
        {
            options.Add(Pick(["-g", "-m", "-m", "--masquerading", "--gatewaying"]));
        }

        if (Chance(60))
        {
            options.AddRange(["-w", Pick(["0", "1", "2", "3", "10", "100", "65535", "65536", "2147483647"])]);
        }

        if (Chance(20))
        {
            var upper = _random.Next(0, 2000);
            options.AddRange(["-x", upper.ToString(CultureInfo.InvariantCulture), "-y", _random.Next(0, upper + 1).ToString(CultureInfo.InvariantCulture)]);
        }

        return options;
    }

    private List<string> ServerOptions(string[] service, bool full)
    {
        var options = new List<List<string>> { service.ToList() };
        if (!Chance(3))
        {
            options.Add(Option('r', "real-server", ServerAddress(service)).ToList());
        }

        if (full)
        {
            var tunnel = Chance(25);
            if (Chance(75))
            {
                var forward = tunnel ? (Chance(85) ? 'i' : Pick(['g', 'm'])) : Pick(['g', 'm', 'i']);
                options.Add(Option(forward, forward switch { 'g' => "gatewaying", 'm' => "masquerading", _ => "ipip" }, null).ToList());
            }

            if (Chance(50))
            {
                options.Add(Option('w', "weight", Pick(s_weights)).ToList());
            }

            if (Chance(12))
            {
                options.Add(Option('x', "u-threshold", Pick(s_thresholds)).ToList());
            }

            if (Chance(12))
            {
                options.Add(Option('y', "l-threshold", Pick(s_thresholds)).ToList());
            }

            if (tunnel)
            {
                var type = Pick(["ipip", "gue", "gre", "gue", "bogus"]);
                if (Chance(80))
                {
                    options.Add(Option(null, "tun-type", type).ToList());
                }

                if (type == "gue" ? Chance(85) : Chance(10))
                {
                    options.Add(Option(null, "tun-port", Pick(["6080", "1", "65535", "0", "65536", "x"])).ToList());
                }

                if (Chance(50))
                {
                    options.Add(Option(null, Pick(["tun-nocsum", "tun-csum", "tun-remcsum"]), null).ToList());
                }

                if (Chance(5))
                {
                    options.Add(Option(null, Pick(["tun-csum", "tun-remcsum"]), null).ToList());
                }
            }
        }

        if (Chance(4))
        {
            options.Add(Pick<List<string>>([["-s", "rr"], ["-p"], ["-n"], ["--pe", "sip"], ["-o"], ["-c"], ["--mcast-interface", "lo"]]));
        }

        return Shuffle(options);
    }

    private string[] List()
    {
        var options = new List<string>();
        var form = _random.Next(10);
        if (form == 0)
        {
            options.Add(Pick(["-Ln", "-ln", "-Lnc", "-nL", "-Lc", "-LnX", "-Ln6", "-LL"]));
        }
        else
        {
            options.AddRange(form switch { 1 => ["-l"], 2 => ["--list"], _ => ["-L"] });
            if (Chance(85))
            {
                options.AddRange(Option('n', "numeric", null));
            }
        }

        var extras = new List<List<string>>();
        if (Chance(15))
        {
            extras.Add(KnownService().ToList());
        }

        foreach (var (name, chance) in new[] { ("stats", 15), ("rate", 10), ("thresholds", 10), ("persistent-conn", 10), ("tun-info", 12), ("exact", 12), ("nosort", 8), ("sort", 5), ("timeout", 6), ("daemon", 6) })
        {
            if (Chance(chance))
            {
                extras.Add(name == "exact" && Chance(30) ? ["-X"] : ["--" + name]);
            }
        }

        if (Chance(5))
        {
            extras.Add(["-c"]);
        }

        if (Chance(3))
        {
            extras.Add(Pick<List<string>>([["-s", "rr"], ["-w", "1"], ["-r", "198.18.1.1"], ["extra"], ["--nosort", "--nosort"], ["-n"]]));
        }

        options.AddRange(Shuffle(extras));
        return [.. options];
    }

    private string[] Save()
    {
        List<string> options = Chance(25) ? ["-Sn"] : Chance(20) ? ["--save"] : ["-S"];
        if (options[0] != "-Sn" && Chance(80))
        {
            options.AddRange(Option('n', "numeric", null));
        }

        if (Chance(4))
        {
            options.AddRange(Pick<List<string>>([["--stats"], ["-t", "198.18.0.1:80"], ["-c"]]));
        }

        return [.. options];
    }

    private string[] Zero() => Chance(40) ? [.. Command('Z', "zero")] : [.. Command('Z', "zero"), .. KnownService()];

    private string[] Flush() => Chance(80) ? ["-C"] : Chance(50) ? ["--clear"] : ["-C", "-n"];

    private string[] SetTimeouts()
    {
        var values = Enumerable.Range(0, Chance(90) ? 3 : Pick([0, 1, 2, 4])).Select(_ => Chance(85) ? Pick(["0", "1", "30", "900", "120", "300", "2678400"]) : Pick(s_timeouts)).ToList();
        return ["--set", .. values];
    }

    private string[] Daemon()
    {
        if (Chance(35))
        {
            var stop = new List<string> { "--stop-daemon", Pick(["master", "backup", "master", "backup", "foo"]) };
            if (Chance(15))
            {
                stop.AddRange(["--syncid", Number(0, 300)]);
            }

            return [.. stop];
        }

        var options = new List<List<string>> { new() { "--start-daemon", Pick(["master", "backup", "master", "backup", "bogus"]) } };
        if (Chance(85))
        {
            options.Add(["--mcast-interface", Pick(["lo", "lo", "lo", "eth0", "averyveryverylonginterfacename"])]);
        }

        if (Chance(30))
        {
            options.Add(["--syncid", Pick(["0", "1", "7", "255", "256", "-1"])]);
        }

        if (Chance(20))
        {
            options.Add(["--sync-maxlen", Pick(["1472", "100", "65507", "65508", "0"])]);
        }

        if (Chance(20))
        {
            options.Add(["--mcast-group", Pick(["224.0.0.81", "239.1.2.3", "1.2.3.4", "ff02::1", "ff05::42", "2001:db8::1", "ff02::zz", "224.1"])]);
        }

        if (Chance(20))
        {
            options.Add(["--mcast-port", Pick(["8848", "1", "65535", "0", "65536"])]);
        }

        if (Chance(20))
        {
            options.Add(["--mcast-ttl", Pick(["1", "2", "255", "256", "0"])]);
        }

        if (Chance(4))
        {
            options.Add(Pick<List<string>>([["-n"], ["-t", "198.18.0.1:80"], ["-s", "rr"]]));
        }

        return [.. Shuffle(options)];
    }

    private AdmTestCommand Restore()
    {
        if (_depth > 0)
        {
            return new(["-R"]);
        }

        _depth++;
        var lines = new List<string>();
        var count = _random.Next(1, 9);
        for (var i = 0; i < count; i++)
        {
            var roll = _random.Next(100);
            string[] words = roll switch
            {
                < 25 => AddService(),
                < 50 => AddServer(),
                < 55 => EditService(),
                < 60 => EditServer(),
                < 65 => DeleteServer(),
                < 68 => DeleteService(),
                < 73 => List(),
                < 76 => Save(),
                < 78 => Zero(),
                < 80 => SetTimeouts(),
                < 82 => Daemon(),
                < 86 => Malformed(),
                < 88 => ["-R"],
                < 90 => ["#", "a", "comment"],
                < 92 => [],
                < 94 => ["ipvsadm", .. AddService()],
                < 95 => ["-h"],
                _ => AddServer(),
            };

            // A restore line holds words separated by white space: words with white space cannot be restored.
            if (words.Any(w => w.Length == 0 || w.Any(c => c is ' ' or '\t' or '\n' or '\r')))
            {
                continue;
            }

            var separator = Chance(10) ? Pick(["  ", "\t", " \t "]) : " ";
            lines.Add((Chance(5) ? "  " : string.Empty) + string.Join(separator, words) + (Chance(5) ? " " : string.Empty));
        }

        _depth--;
        var newline = Chance(10) ? "\r\n" : "\n";
        var text = new StringBuilder(string.Join(newline, lines));
        if (!Chance(10))
        {
            text.Append(newline);
        }

        List<string> args = Chance(85) ? ["-R"] : Pick<List<string>>([["--restore"], ["-R", "-n"], ["-R", "extra"]]);
        return new(args, text.ToString(), MayPrintUsage: lines.Any(l => l.Trim() == "-h"));
    }

    private string[] Malformed() => _random.Next(40) switch
    {
        0 => [],
        1 => ["--bogus"],
        2 => ["-Q"],
        3 => ["foo"],
        4 => ["-L", "foo"],
        5 => ["-A", "-A"],
        6 => ["-L", "-C"],
        7 => ["--list=1"],
        8 => ["-A", "--tcp-service"],
        9 => ["-t", "198.18.0.1:80"],
        10 => ["--set", "1", "2"],
        11 => ["--", "-L"],
        12 => ["-L", "--", "-n"],
        13 => ["--start-daemon"],
        14 => ["-A", "-6", "-f", "1"],
        15 => ["-nL"],
        16 => ["--lis"],
        17 => ["-L", "-n", "--numeric"],
        18 => ["-A", "-t", "198.18.0.1:80", "-s"],
        19 => ["-A", "-t", "198.18.0.1:80", "-p", "-s", "rr"],
        20 => ["-A", "-t", "198.18.0.9:80", "-s", "r!#:+", "r"],
        21 => ["-Ln", "--stats", "--rate"],
        22 => ["-L", "--thresholds", "--timeout"],
        23 => ["-L", "-c", "--daemon"],
        24 => ["-Z", "-n"],
        25 => ["-", "-L"],
        26 => ["-L", "-"],
        27 => ["-A", "-t", "198.18.0.1:80", "--scheduler=", "rr"],
        28 => ["-a", "-t", "198.18.0.1:80", "-r"],
        29 => ["-E"],
        30 => ["-d", "-r", "198.18.1.1"],
        31 => ["-A", "-t", "198.18.0.1:80", "-M"],
        32 => ["-A", "-u", "198.18.0.1:53", "-n=1"],
        33 => ["-A", "-t", "198.18.0.1:80", "-x", "3"],
        34 => ["--stop-daemon"],
        35 => ["-C", "extra"],
        36 => ["-L", "-t", "198.18.0.1:80", "-t", "198.18.0.1:81"],
        37 => ["-a", "-t", "198.18.0.1:80", "-r", "198.18.1.1", "-m", "-g"],
        38 => ["-Z", "-f", "0"],
        _ => ["-Sn", "-S"],
    };

    private AdmTestCommand HelpOrVersion() =>
        new(Pick<string[]>([["-h"], ["--help"], ["-v"], ["--version"], ["-h", "-A"], ["-A", "-h"], ["-L", "-v"]]), MayPrintUsage: true);
}
