using System.Net;
using System.Net.Sockets;

namespace Ipvs.Tests.Health.Checks;

/// <summary>A UDP responder on 127.0.0.1 (an ephemeral port): each datagram received is given to a handler, which returns the datagrams to send back.</summary>
internal sealed class LoopbackUdpServer : IAsyncDisposable
{
    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public LoopbackUdpServer(Func<byte[], IEnumerable<byte[]>> respond)
    {
        _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _loop = RunAsync(respond);
    }

    public ushort Port => (ushort)((IPEndPoint)_socket.LocalEndPoint!).Port;

    public List<byte[]> Received { get; } = [];

    /// <summary>A port on which nothing listens (bound and closed at once): the kernel answers ICMP port unreachable.</summary>
    public static ushort ClosedPort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return (ushort)((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _socket.Dispose();
        try
        {
            await _loop.WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        _stop.Dispose();
    }

    private async Task RunAsync(Func<byte[], IEnumerable<byte[]>> respond)
    {
        var buffer = new byte[65536];
        while (!_stop.IsCancellationRequested)
        {
            var received = await _socket.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), _stop.Token);
            var datagram = buffer[..received.ReceivedBytes];
            lock (Received)
            {
                Received.Add(datagram);
            }

            foreach (var reply in respond(datagram))
            {
                await _socket.SendToAsync(reply, SocketFlags.None, received.RemoteEndPoint, _stop.Token);
            }
        }
    }
}
