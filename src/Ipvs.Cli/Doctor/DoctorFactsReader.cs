using System.Diagnostics;
using System.Globalization;
using System.Net;
using Ipvs.Cli.Common;
using Ipvs.Cli.Import;
using Ipvs.Model;
using Ipvs.Netlink.Route;
using Ipvs.ProcFs;
using Ipvs.State.Keepalived;

namespace Ipvs.Cli.Doctor;

/// <summary>Reads <see cref="DoctorFacts"/> from this host: /proc, /sys, route netlink, the IPVS table, `ip address`.</summary>
internal static class DoctorFactsReader
{
    private static readonly string[] s_sysctls =
    [
        "net.ipv4.ip_forward", "net.ipv4.vs.conntrack", "net.ipv4.vs.conn_reuse_mode", "net.ipv4.vs.expire_nodest_conn",
        "net.ipv4.vs.expire_quiescent_template", "net.ipv4.conf.all.rp_filter", "net.ipv4.conf.tunl0.rp_filter",
        "net.ipv4.conf.all.arp_ignore", "net.ipv4.conf.all.arp_announce",
    ];

    public static DoctorFacts Read(Func<IpvsClient> openClient, IReadOnlyList<ServiceFacts> configured)
    {
        var release = ReadText("/proc/sys/kernel/osrelease")?.Trim() ?? "unknown";
        (Version, int)? ipvs = null;
        string? error = null;
        var services = new List<ServiceFacts>();
        try
        {
            using var client = openClient();
            var info = client.GetInfo();
            ipvs = (info.Version, (int)info.ConnectionTableSize);
            var list = client.GetServices();
            var servers = client.GetRealServers(list.Select(s => s.Key).ToList());
            services.AddRange(list.Select((s, i) => new ServiceFacts(s, servers[i])));
        }
        catch (IpvsException e)
        {
            error = CliErrors.Describe(e);
        }

        var addresses = Addresses();
        var routes = new Dictionary<IPAddress, RouteKind>();
        try
        {
            using var route = RouteNetlinkClient.Open();
            foreach (var address in services.Concat(configured)
                         .SelectMany(s => s.Servers.Select(r => r.Address).Append(s.Service.Key.Address).OfType<IPAddress>())
                         .Distinct())
            {
                routes[address] = route.FindRoute(address) switch
                {
                    null => RouteKind.None,
                    { Type: 2 } => RouteKind.Local, // RTN_LOCAL
                    { Gateway: null } => RouteKind.Connected,
                    _ => RouteKind.Gateway,
                };
            }
        }
        catch (Exception e) when (e is IpvsException or IOException)
        {
            // Without route netlink every route reads as none; the findings say so.
        }

        IReadOnlyList<IpvsConnection> templates = [];
        try
        {
            // A persistence template has client port 0, and state NONE until a connection through it
            // is established, ASSURED after (the kernel's template states, IP_VS_CTPL_S_*).
            templates = ConnectionTable.ReadAsync().GetAwaiter().GetResult().Where(c => c.ClientPort == 0 && c.State is "NONE" or "ASSURED").ToList();
        }
        catch (IOException)
        {
        }

        var links = Directory.Exists("/sys/class/net") ? Directory.GetFileSystemEntries("/sys/class/net").Select(Path.GetFileName).OfType<string>().ToHashSet() : [];
        return new DoctorFacts
        {
            KernelRelease = release,
            Ipvs = ipvs,
            IpvsError = error,
            Services = services,
            Configured = configured,
            Modules = Modules(release),
            Loadable = Loadable(release),
            Sysctls = s_sysctls.Select(n => (n, ReadText("/proc/sys/" + n.Replace('.', '/')))).Where(p => p.Item2 is not null).ToDictionary(p => p.n, p => p.Item2!.Trim()),
            Addresses = addresses,
            Routes = routes,
            Links = links,
            Templates = templates,
            Managers = Managers(links, addresses),
        };
    }

    private static HashSet<string> Modules(string release)
    {
        var modules = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in (ReadText("/proc/modules") ?? string.Empty).Split('\n'))
        {
            if (line.Split(' ', 2)[0] is { Length: > 0 } name)
            {
                modules.Add(name);
            }
        }

        // Built-in modules are listed as paths: kernel/net/netfilter/ipvs/ip_vs.ko
        foreach (var line in (ReadText($"/lib/modules/{release}/modules.builtin") ?? string.Empty).Split('\n'))
        {
            if (line.Length > 0)
            {
                modules.Add(Path.GetFileNameWithoutExtension(line).Replace('-', '_'));
            }
        }

        return modules;
    }

    /// <summary>The modules of /lib/modules/RELEASE/modules.dep ("kernel/net/netfilter/ipvs/ip_vs_sh.ko.xz: ..."), by name.</summary>
    private static HashSet<string>? Loadable(string release)
    {
        if (ReadText($"/lib/modules/{release}/modules.dep") is not { } text)
        {
            return null;
        }

        var modules = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n'))
        {
            var file = Path.GetFileName(line.Split(':', 2)[0]);
            var dot = file.IndexOf(".ko", StringComparison.Ordinal);
            if (dot > 0)
            {
                modules.Add(file[..dot].Replace('-', '_'));
            }
        }

        return modules;
    }

    /// <summary>This host's addresses from `ip -o address show` (iproute2, run with an argument array).</summary>
    private static List<HostAddress> Addresses()
    {
        var list = new List<HostAddress>();
        foreach (var line in Run("ip", "-o", "address", "show").Split('\n'))
        {
            // 1: lo    inet 127.0.0.1/8 scope host lo\       valid_lft forever ...
            var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var at = Array.FindIndex(words, w => w is "inet" or "inet6");
            if (at > 0 && at + 1 < words.Length && words[at + 1].Split('/') is [var text, var prefix]
                && IPAddress.TryParse(text, out var address) && int.TryParse(prefix, out var length))
            {
                list.Add(new HostAddress(address, length, words[1].Split('@')[0]));
            }
        }

        return list;
    }

    /// <summary>Programs that manage the IPVS table, found in /proc by their command line, with what they claim.</summary>
    private static List<TableManager> Managers(IReadOnlySet<string> links, IReadOnlyList<HostAddress> addresses)
    {
        var managers = new List<TableManager>();
        var processes = Processes().ToList();
        var sets = KubeProxySets();
        if (links.Contains("kube-ipvs0") || sets.Count > 0)
        {
            // kube-proxy in IPVS mode puts every service address on its dummy link, and the
            // services themselves (ADDRESS,PROTOCOL:PORT) in its KUBE-* ipsets.
            var onLink = addresses.Where(a => a.Interface == "kube-ipvs0").Select(a => a.Address.ToString()).ToList();
            var evidence = new List<string>();
            if (links.Contains("kube-ipvs0"))
            {
                evidence.Add($"link kube-ipvs0 with {onLink.Count.ToString(CultureInfo.InvariantCulture)} address(es)");
            }

            if (sets.Count > 0)
            {
                evidence.Add($"ipsets {string.Join(", ", sets.Keys.Order(StringComparer.Ordinal).Take(4))}{(sets.Count > 4 ? ", …" : string.Empty)} ({sets.Values.Sum(m => m.Count).ToString(CultureInfo.InvariantCulture)} member(s))");
            }

            var claims = onLink.Concat(sets.Values.SelectMany(m => m).Select(IpsetService).OfType<string>()).Distinct().ToList();
            var kubeProxy = processes.FirstOrDefault(p => Path.GetFileName(p.Argv[0]) == "kube-proxy").Pid;
            managers.Add(new TableManager("kube-proxy (IPVS mode)", kubeProxy, string.Join("; ", evidence), claims));
        }

        var lines = processes.ToDictionary(p => p.Pid, p => string.Join(' ', p.Argv));
        foreach (var (pid, parent, argv) in processes)
        {
            var program = Path.GetFileName(argv[0]);
            var line = lines[pid];
            if (lines.TryGetValue(parent, out var parentLine) && parentLine == line)
            {
                // A forked worker of a manager already counted (keepalived's checker and VRRP children).
                continue;
            }

            if (program == "keepalived")
            {
                managers.Add(new TableManager("keepalived", pid, line, FileClaims(pid, Value(argv, "-f", "--use-file") ?? KeepalivedConfigReader.DefaultPath)));
            }
            else if (program == "lvscare" || (program == "sealctl" && argv.Contains("ipvs")) || (program is "ipvs" or "ipvsadm" && argv.Length > 1 && argv[1] == "care"))
            {
                managers.Add(new TableManager(program == "ipvs" ? "ipvs care" : program, pid, line, [.. Values(argv, "--vs"), .. FileClaims(pid, Value(argv, "-f", "--file"))]));
            }
            else if (program == "ipvs" && argv.Length > 1 && argv[1] == "apply" && argv.Contains("--watch"))
            {
                managers.Add(new TableManager("ipvs apply --watch", pid, line, FileClaims(pid, Value(argv, "-f", "--file"))));
            }
        }

        return managers;
    }

    /// <summary>kube-proxy's ipsets (KUBE-*) and their members, from `ipset save` (Debian's ipset; none without it).</summary>
    private static Dictionary<string, List<string>> KubeProxySets()
    {
        var sets = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var line in Run("ipset", "save").Split('\n'))
        {
            // create KUBE-CLUSTER-IP hash:ip,port family inet ...   /   add KUBE-CLUSTER-IP 10.96.0.1,tcp:443
            var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (words.Length >= 2 && words[1].StartsWith("KUBE-", StringComparison.Ordinal))
            {
                if (words[0] == "create")
                {
                    sets.TryAdd(words[1], []);
                }
                else if (words[0] == "add" && words.Length >= 3 && sets.TryGetValue(words[1], out var members))
                {
                    members.Add(words[2]);
                }
            }
        }

        return sets;
    }

    /// <summary>An ipset member ADDRESS,PROTOCOL:PORT as the service it names (tcp/10.96.0.1:443), or null for another kind of member.</summary>
    private static string? IpsetService(string member)
    {
        var comma = member.LastIndexOf(',');
        if (comma <= 0 || member[(comma + 1)..].Split(':') is not [var protocol, var port]
            || !IPAddress.TryParse(member[..comma], out var address) || !ushort.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            return null;
        }

        return protocol switch
        {
            "tcp" => VirtualServiceKey.Tcp(address, number).ToString(),
            "udp" => VirtualServiceKey.Udp(address, number).ToString(),
            "sctp" => VirtualServiceKey.Sctp(address, number).ToString(),
            _ => null,
        };
    }

    /// <summary>The services of a manager's file (an ipvs file, or keepalived's configuration), as <see cref="VirtualServiceKey"/> text; none when it cannot be read.</summary>
    private static List<string> FileClaims(int pid, string? path)
    {
        if (path is null || path == "-")
        {
            return [];
        }

        // A relative name is relative to the manager's working directory, not ours.
        path = Path.IsPathRooted(path) ? path : Path.Combine($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/cwd", path);
        return KeepalivedServices.TryLoadAny(path, out var services, out _) ? services.Select(s => s.Service.Key.ToString()).ToList() : [];
    }

    /// <summary>The processes of this network namespace (another namespace has its own IPVS table).</summary>
    private static IEnumerable<(int Pid, int Parent, string[] Argv)> Processes()
    {
        var ours = NetworkNamespace("/proc/self");
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out var pid) || pid == Environment.ProcessId || NetworkNamespace(directory) != ours)
            {
                continue;
            }

            var text = ReadText(Path.Combine(directory, "cmdline"));
            if (!string.IsNullOrEmpty(text))
            {
                yield return (pid, Parent(directory), text.TrimEnd('\0').Split('\0'));
            }
        }
    }

    /// <summary>The parent's pid: /proc/PID/stat's fourth field, after the name in parentheses (which may hold spaces).</summary>
    private static int Parent(string process)
    {
        var stat = ReadText(Path.Combine(process, "stat"));
        var close = stat?.LastIndexOf(')') ?? -1;
        return close >= 0 && stat![(close + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries) is [_, var parent, ..]
            && int.TryParse(parent, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : 0;
    }

    private static string? NetworkNamespace(string process)
    {
        try
        {
            return new FileInfo(Path.Combine(process, "ns", "net")).LinkTarget;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static string? Value(string[] argv, params string[] names)
    {
        for (var i = 0; i < argv.Length; i++)
        {
            foreach (var name in names)
            {
                if (argv[i] == name && i + 1 < argv.Length)
                {
                    return argv[i + 1];
                }

                if (argv[i].StartsWith(name + "=", StringComparison.Ordinal))
                {
                    return argv[i][(name.Length + 1)..];
                }
            }
        }

        return null;
    }

    private static List<string> Values(string[] argv, string name)
    {
        var values = new List<string>();
        for (var i = 0; i < argv.Length; i++)
        {
            if (argv[i] == name && i + 1 < argv.Length)
            {
                values.Add(argv[i + 1]);
            }
            else if (argv[i].StartsWith(name + "=", StringComparison.Ordinal))
            {
                values.Add(argv[i][(name.Length + 1)..]);
            }
        }

        return values;
    }

    private static string Run(string program, params string[] arguments)
    {
        try
        {
            var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var argument in arguments)
            {
                start.ArgumentList.Add(argument);
            }

            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            return output;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return string.Empty;
        }
    }

    private static string? ReadText(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
