using System.Net;
using System.Net.Sockets;
using Ipvs.Netlink;
using Ipvs.Testing;

namespace Ipvs.KernelTests.State;

/// <summary>
/// Three namespaces, for traffic through a virtual service with NAT:
/// client (198.18.10.2) — director (198.18.10.1; VIP 198.18.30.1 on lo; 198.18.20.1) — servers
/// (198.18.20.2 and 198.18.20.3, one namespace, both listening). The director is the test's IPVS.
/// </summary>
internal sealed class NatTopology : IDisposable
{
    public static readonly IPAddress Vip = IPAddress.Parse("198.18.30.1");
    public static readonly IPAddress ServerA = IPAddress.Parse("198.18.20.2");
    public static readonly IPAddress ServerB = IPAddress.Parse("198.18.20.3");

    private readonly List<Socket> _sockets = [];

    public NatTopology()
    {
        try
        {
            Ip("link", "add", "c0", "netns", Client.Name, "type", "veth", "peer", "name", "d0", "netns", Director.Name);
            Ip("link", "add", "s0", "netns", Servers.Name, "type", "veth", "peer", "name", "d1", "netns", Director.Name);
            Ip("-n", Client.Name, "addr", "add", "198.18.10.2/24", "dev", "c0");
            Ip("-n", Client.Name, "link", "set", "c0", "up");
            Ip("-n", Client.Name, "route", "add", "default", "via", "198.18.10.1");
            Ip("-n", Director.Name, "addr", "add", "198.18.10.1/24", "dev", "d0");
            Ip("-n", Director.Name, "addr", "add", "198.18.20.1/24", "dev", "d1");
            Ip("-n", Director.Name, "addr", "add", Vip + "/32", "dev", "lo");
            Ip("-n", Director.Name, "link", "set", "d0", "up");
            Ip("-n", Director.Name, "link", "set", "d1", "up");
            Ip("-n", Servers.Name, "addr", "add", ServerA + "/24", "dev", "s0");
            Ip("-n", Servers.Name, "addr", "add", ServerB + "/24", "dev", "s0");
            Ip("-n", Servers.Name, "link", "set", "s0", "up");
            Ip("-n", Servers.Name, "route", "add", "default", "via", "198.18.20.1");
            var forwarding = Director.Exec("sysctl", "-qw", "net.ipv4.ip_forward=1");
            Assert.True(forwarding.ExitCode == 0, forwarding.ToString());
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public TestNamespace Director { get; } = new();

    public TestNamespace Client { get; } = new();

    public TestNamespace Servers { get; } = new();

    /// <summary>A listening socket on every address of the servers' namespace.</summary>
    public Socket Listen(int port)
    {
        var socket = NetworkNamespace.Run(Servers.Path, () => new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp));
        _sockets.Add(socket);
        socket.Bind(new IPEndPoint(IPAddress.Any, port));
        socket.Listen();
        return socket;
    }

    /// <summary>Connects from the client's namespace to the VIP, and returns both ends (the server's end says which real server got it).</summary>
    public async Task<(Socket Client, Socket Server)> ConnectAsync(Socket listener, int port)
    {
        var client = NetworkNamespace.Run(Client.Path, () => new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp));
        _sockets.Add(client);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await client.ConnectAsync(new IPEndPoint(Vip, port), timeout.Token);
        var server = await listener.AcceptAsync(timeout.Token);
        _sockets.Add(server);
        return (client, server);
    }

    /// <summary>Sends a few bytes one way and checks they arrive: the connection still works.</summary>
    public static async Task AssertCarriesAsync(Socket from, Socket to)
    {
        var payload = "ping"u8.ToArray();
        await from.SendAsync(payload);
        var buffer = new byte[16];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var read = await to.ReceiveAsync(buffer, timeout.Token);
        Assert.Equal(payload, buffer[..read]);
    }

    /// <summary>Ends a connection with a reset: IPVS then keeps it only for its short CLOSE timeout.</summary>
    public static void Reset(Socket socket)
    {
        socket.LingerState = new LingerOption(true, 0);
        socket.Close();
    }

    public void Dispose()
    {
        foreach (var socket in _sockets)
        {
            socket.Dispose();
        }

        Client.Dispose();
        Servers.Dispose();
        Director.Dispose();
    }

    private static void Ip(params string[] arguments) => HostCommand.Check("ip", arguments);
}
