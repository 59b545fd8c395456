using System.Globalization;
using Ipvs.Testing;

namespace Ipvs.KernelTests.Care;

/// <summary>
/// A lab topology for ipvs care: a director namespace "lb" (where the daemon runs), real servers
/// rs1..rsN each in a namespace behind a veth (198.18.N.2, gateway 198.18.N.1 on lb), and a
/// client namespace (198.18.100.2, gateway 198.18.100.1). The virtual address 198.18.200.1 is
/// bound to lb's loopback unless asked otherwise, as on an LVS-NAT director; lb forwards the
/// replies. Real servers are lab/care/backend.py, the client lab/care/client.py.
/// </summary>
internal sealed class CareLab : IDisposable
{
    public const string Vip = "198.18.200.1";

    private readonly List<TestNamespace> _namespaces = [];
    private readonly List<BackgroundProcess> _processes = [];
    private readonly Dictionary<int, int> _servers = [];
    private BackgroundProcess? _supervisor;
    private readonly string _directory;

    public CareLab(int servers, bool bindVip = true)
    {
        _directory = Directory.CreateTempSubdirectory("ipvs-care-lab-").FullName;
        Director = Add();
        Client = Add();
        HostCommand.Check("ip", "netns", "exec", Director.Name, "sysctl", "-qw", "net.ipv4.ip_forward=1");
        Link(Director, "cl", Client, "198.18.100");
        for (var i = 1; i <= servers; i++)
        {
            var ns = Add();
            RealServerNamespaces.Add(ns);
            Link(Director, "r" + i.ToString(CultureInfo.InvariantCulture), ns, "198.18." + i.ToString(CultureInfo.InvariantCulture));
        }

        if (bindVip)
        {
            HostCommand.Check("ip", "-n", Director.Name, "addr", "add", Vip + "/32", "dev", "lo");
        }

        HostCommand.Check("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", KeyFile, "-out", CertificateFile, "-days", "2", "-subj", "/CN=ipvs-care-lab");
    }

    public TestNamespace Director { get; }

    public TestNamespace Client { get; }

    public List<TestNamespace> RealServerNamespaces { get; } = [];

    public string CertificateFile => Path.Combine(_directory, "cert.pem");

    public string KeyFile => Path.Combine(_directory, "key.pem");

    public string Directory_ => _directory;

    public static string Script(string name) => Path.Combine(TestPaths.Root, "lab", "care", name);

    /// <summary>The address of real server <paramref name="index"/> (1-based).</summary>
    public static string Address(int index) => "198.18." + index.ToString(CultureInfo.InvariantCulture) + ".2";

    /// <summary>
    /// backend.py --supervise: one Python started once (slow on the lab's kernel), which forks
    /// each real server into its namespace in milliseconds. Servers print their lines here.
    /// </summary>
    public BackgroundProcess Servers => _supervisor ??= Track(BackgroundProcess.Start("python3", [Script("backend.py"), "--supervise"]));

    /// <summary>Starts a real server in real server <paramref name="index"/>'s namespace and waits until it listens; returns its process id.</summary>
    public int StartServer(int index, string mode = "https", int port = 443, params string[] extra)
    {
        var ns = RealServerNamespaces[index - 1];
        var name = "rs" + index.ToString(CultureInfo.InvariantCulture);
        var args = new List<string> { "--name", name, "--netns", ns.Name, "--port", port.ToString(CultureInfo.InvariantCulture), "--mode", mode };
        if (mode == "https")
        {
            args.AddRange(["--cert", CertificateFile, "--key", KeyFile]);
        }

        args.AddRange(extra);
        var supervisor = Servers;
        var ready = name + ": listening";
        var before = supervisor.Lines.Count(l => l.Text.StartsWith(ready, StringComparison.Ordinal));
        supervisor.WriteLine(string.Join(' ', args));
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(90);
        while (true)
        {
            var lines = supervisor.Lines.Where(l => l.Text.StartsWith(ready, StringComparison.Ordinal)).ToList();
            if (lines.Count > before)
            {
                var pid = int.Parse(lines[^1].Text.Split(' ')[^1], CultureInfo.InvariantCulture);
                _servers[index] = pid;
                return pid;
            }

            if (DateTimeOffset.UtcNow > deadline || supervisor.HasExited)
            {
                throw new TimeoutException($"{name} did not start:\n{supervisor.Tail(30)}");
            }

            Thread.Sleep(20);
        }
    }

    /// <summary>Kills real server <paramref name="index"/> (SIGKILL: as a crash) and returns when it is gone.</summary>
    public DateTimeOffset KillServer(int index)
    {
        var pid = _servers[index];
        var at = DateTimeOffset.UtcNow;
        BackgroundProcess.Signal(pid, BackgroundProcess.SIGKILL);
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(30);
        while (BackgroundProcess.IsAlive(pid) && DateTimeOffset.UtcNow < deadline)
        {
            Thread.Sleep(10);
        }

        return at;
    }

    /// <summary>Sends a signal to real server <paramref name="index"/> (SIGUSR1: hang, SIGUSR2: sick).</summary>
    public void SignalServer(int index, int signal) => BackgroundProcess.Signal(_servers[index], signal);

    /// <summary>Runs the native <c>ipvs care</c> in the director namespace.</summary>
    public BackgroundProcess StartCare(IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null) =>
        Track(BackgroundProcess.Start("ip", new[] { "netns", "exec", Director.Name, TestPaths.IpvsBinary, "care" }.Concat(arguments), environment));

    /// <summary>Runs <c>ipvs care</c> to completion in the director namespace.</summary>
    public CommandResult RunCare(params string[] arguments) =>
        Director.Exec(TestPaths.IpvsBinary, new[] { "care" }.Concat(arguments), timeout: TimeSpan.FromMinutes(2));

    /// <summary>Starts client.py in the client namespace, sending requests to <paramref name="target"/>.</summary>
    public BackgroundProcess StartClient(string target, string mode = "https", double timeout = 1.0, double pause = 0.05) =>
        Track(BackgroundProcess.Start("ip", ["netns", "exec", Client.Name, "python3", Script("client.py"), "--target", target, "--mode", mode,
            "--timeout", timeout.ToString(CultureInfo.InvariantCulture), "--pause", pause.ToString(CultureInfo.InvariantCulture)]));

    public string Ipvsadm(params string[] arguments) => Director.Ipvsadm(arguments);

    public BackgroundProcess Track(BackgroundProcess process)
    {
        _processes.Add(process);
        return process;
    }

    public void Dispose()
    {
        foreach (var pid in _servers.Values)
        {
            try
            {
                BackgroundProcess.Signal(pid, BackgroundProcess.SIGKILL);
            }
            catch (InvalidOperationException)
            {
                // already gone
            }
        }

        foreach (var process in _processes)
        {
            process.Dispose();
        }

        foreach (var ns in _namespaces)
        {
            ns.Dispose();
        }

        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private TestNamespace Add()
    {
        var ns = new TestNamespace();
        _namespaces.Add(ns);
        return ns;
    }

    /// <summary>A veth between <paramref name="director"/> (PREFIX.1/24, device <paramref name="device"/>) and <paramref name="other"/> (PREFIX.2/24, eth0, default route via PREFIX.1).</summary>
    private static void Link(TestNamespace director, string device, TestNamespace other, string prefix)
    {
        HostCommand.Check("ip", "-n", director.Name, "link", "add", device, "type", "veth", "peer", "name", "eth0", "netns", other.Name);
        HostCommand.Check("ip", "-n", director.Name, "addr", "add", prefix + ".1/24", "dev", device);
        HostCommand.Check("ip", "-n", director.Name, "link", "set", device, "up");
        HostCommand.Check("ip", "-n", other.Name, "addr", "add", prefix + ".2/24", "dev", "eth0");
        HostCommand.Check("ip", "-n", other.Name, "link", "set", "eth0", "up");
        HostCommand.Check("ip", "-n", other.Name, "route", "add", "default", "via", prefix + ".1");
    }
}

/// <summary>One request of client.py: when it was sent, and which server answered or why it failed.</summary>
internal readonly record struct ClientRecord(double At, bool Ok, string Detail)
{
    public static IReadOnlyList<ClientRecord> Parse(BackgroundProcess client) =>
        client.Lines.Select(l => l.Text.Split(' ', 3)).Where(p => p.Length == 3 && (p[1] == "ok" || p[1] == "fail"))
            .Select(p => new ClientRecord(double.Parse(p[0], CultureInfo.InvariantCulture), p[1] == "ok", p[2])).ToList();

    public static double Now => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;
}
