using System.Diagnostics;

namespace Ipvs.Testing;

/// <summary>
/// A small network for real traffic through IPVS, inside the lab: a director namespace (the
/// test's <see cref="TestNamespace"/>, holding the IPVS table and the VIPs on its loopback), a
/// real-server namespace and a client namespace, each linked to the director by a veth pair.
/// The director routes (NAT replies come back through it).
/// <code>
///   client 198.18.3.2 / 2001:db8:3::2 ── 198.18.3.1 / 2001:db8:3::1  director  198.18.2.1 / 2001:db8:2::1 ── 198.18.2.2 / 2001:db8:2::2 server
///                                        VIPs 198.18.0.10, 2001:db8::10 on lo
/// </code>
/// </summary>
internal sealed class LabTopology : IDisposable
{
    public const string Vip4 = "198.18.0.10";
    public const string Vip6 = "2001:db8::10";
    public const string Server4 = "198.18.2.2";
    public const string Server6 = "2001:db8:2::2";
    public const string Client4 = "198.18.3.2";
    public const string Client6 = "2001:db8:3::2";

    private readonly List<Process> _processes = [];

    public LabTopology(TestNamespace director)
    {
        Director = director;
        Server = Create("s");
        Client = Create("c");
        Link(Server, "s", "198.18.2.1", "2001:db8:2::1", Server4, Server6);
        Link(Client, "c", "198.18.3.1", "2001:db8:3::1", Client4, Client6);
        Director.Exec("ip", "addr", "add", Vip4 + "/32", "dev", "lo").EnsureSuccess();
        Director.Exec("ip", "addr", "add", Vip6 + "/128", "dev", "lo").EnsureSuccess();
        Director.Exec("sysctl", "-qw", "net.ipv4.ip_forward=1").EnsureSuccess();
        Director.Exec("sysctl", "-qw", "net.ipv6.conf.all.forwarding=1").EnsureSuccess();
    }

    public TestNamespace Director { get; }

    public string Server { get; }

    public string Client { get; }

    /// <summary>Starts an HTTP server on both families in the server namespace and waits until it answers.</summary>
    public void StartHttpServer(int port)
    {
        Start(Server, "python3", "-m", "http.server", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "::");
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (HostCommand.Run("ip", "netns", "exec", Server, "curl", "-s", "-o", "/dev/null", "--max-time", "2", $"http://[{Server6}]:{port}/").ExitCode != 0)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("the HTTP server in the server namespace did not start");
            }

            Thread.Sleep(200);
        }
    }

    /// <summary>An HTTP GET from the client namespace; returns curl's exit status (0 when it got an answer).</summary>
    public int Get(string url) => HostCommand.Run("ip", "netns", "exec", Client, "curl", "-s", "-o", "/dev/null", "--max-time", "10", url).ExitCode;

    /// <summary>Opens a TCP connection from the client and keeps it open (idle) until disposal.</summary>
    public void HoldConnection(string address, int port) =>
        Start(Client, "python3", "-c", $"import socket,time\ns=socket.create_connection(('{address}',{port}))\ntime.sleep(600)");

    public void Dispose()
    {
        foreach (var process in _processes)
        {
            try
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(5000);
            }
            catch (InvalidOperationException)
            {
            }

            process.Dispose();
        }

        HostCommand.Run("ip", "netns", "delete", Server);
        HostCommand.Run("ip", "netns", "delete", Client);
    }

    private void Start(string ns, string fileName, params string[] arguments)
    {
        var start = new ProcessStartInfo("ip") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "netns", "exec", ns, fileName }.Concat(arguments))
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _processes.Add(process);
    }

    private string Create(string role)
    {
        var name = Director.Name + "-" + role;
        HostCommand.Check("ip", "netns", "add", name);
        HostCommand.Check("ip", "-n", name, "link", "set", "lo", "up");
        return name;
    }

    private void Link(string peer, string role, string director4, string director6, string peer4, string peer6)
    {
        var outside = "d" + role;
        HostCommand.Check("ip", "link", "add", outside, "netns", Director.Name, "type", "veth", "peer", "name", "eth0", "netns", peer);
        Director.Exec("ip", "addr", "add", director4 + "/24", "dev", outside).EnsureSuccess();
        Director.Exec("ip", "addr", "add", director6 + "/64", "dev", outside, "nodad").EnsureSuccess();
        Director.Exec("ip", "link", "set", outside, "up").EnsureSuccess();
        HostCommand.Check("ip", "-n", peer, "addr", "add", peer4 + "/24", "dev", "eth0");
        HostCommand.Check("ip", "-n", peer, "addr", "add", peer6 + "/64", "dev", "eth0", "nodad");
        HostCommand.Check("ip", "-n", peer, "link", "set", "eth0", "up");
        HostCommand.Check("ip", "-n", peer, "route", "add", "default", "via", director4);
        HostCommand.Check("ip", "-n", peer, "-6", "route", "add", "default", "via", director6);
    }
}
