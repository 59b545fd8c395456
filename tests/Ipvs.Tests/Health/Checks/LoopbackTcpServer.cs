using System.Net;
using System.Net.Sockets;

namespace Ipvs.Tests.Health.Checks;

/// <summary>A TCP server on 127.0.0.1 (an ephemeral port) whose every connection runs a handler; it counts what it sent.</summary>
internal sealed class LoopbackTcpServer : IAsyncDisposable
{
    private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private readonly Func<Connection, CancellationToken, Task> _handle;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _tasks = [];
    private long _sent;
    private int _connections;

    public LoopbackTcpServer(Func<Connection, CancellationToken, Task> handle)
    {
        _handle = handle;
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(16);
        _tasks.Add(AcceptAsync());
    }

    public ushort Port => (ushort)((IPEndPoint)_listener.LocalEndPoint!).Port;

    public long BytesSent => Interlocked.Read(ref _sent);

    public int Connections => Volatile.Read(ref _connections);

    public List<IPEndPoint> Peers { get; } = [];

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Dispose();
        Task[] tasks;
        lock (_tasks)
        {
            tasks = [.. _tasks];
        }

        try
        {
            await Task.WhenAll(tasks).WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or IOException or ObjectDisposedException or TimeoutException)
        {
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            Interlocked.Increment(ref _connections);
            lock (_tasks)
            {
                Peers.Add((IPEndPoint)client.RemoteEndPoint!);
                _tasks.Add(ServeAsync(client));
            }
        }
    }

    private async Task ServeAsync(Socket client)
    {
        using (client)
        {
            try
            {
                await _handle(new Connection(client, this), _stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or IOException or ObjectDisposedException)
            {
            }
        }
    }

    /// <summary>One accepted connection.</summary>
    internal sealed class Connection(Socket socket, LoopbackTcpServer server)
    {
        public Socket Socket { get; } = socket;

        public async Task SendAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
        {
            while (!data.IsEmpty)
            {
                var sent = await Socket.SendAsync(data, SocketFlags.None, cancellationToken);
                Interlocked.Add(ref server._sent, sent);
                data = data[sent..];
            }
        }

        public Task SendAsync(string text, CancellationToken cancellationToken) =>
            SendAsync(System.Text.Encoding.UTF8.GetBytes(text), cancellationToken);

        /// <summary>Reads until <paramref name="terminator"/> has arrived (or the peer closed); returns what came, as Latin-1.</summary>
        public async Task<string> ReadUntilAsync(string terminator, CancellationToken cancellationToken)
        {
            var text = new System.Text.StringBuilder();
            var buffer = new byte[1024];
            while (!text.ToString().Contains(terminator, StringComparison.Ordinal))
            {
                var read = await Socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);
                if (read == 0)
                {
                    break;
                }

                text.Append(System.Text.Encoding.Latin1.GetString(buffer, 0, read));
            }

            return text.ToString();
        }
    }
}

/// <summary>What a hostile backend sends, and the assertion that none of it reached a failure text raw.</summary>
internal static class Hostile
{
    /// <summary>Control characters, an escape sequence (clear screen, colour), a newline, invalid UTF-8, a bidirectional override.</summary>
    public static readonly byte[] Bytes = [.. "HTTP/1.1 \u001b[2J\u001b[31mpwned\r\nX: \u0007\u0000"u8, 0xC3, 0x28, 0xFF, 0xAF, 0x3A, 0xD1, .. "\u202E\u0085end"u8, 0x9B, .. "\r\n\r\n"u8];

    /// <summary>The failure text carries no control character, escape, line break, bidi override, replacement char or lone surrogate.</summary>
    public static void AssertSafe(string? failure)
    {
        Assert.NotNull(failure);
        foreach (var c in failure)
        {
            Assert.False(char.IsControl(c), $"control character U+{(int)c:X4} in \"{failure}\"");
            Assert.False(char.IsSurrogate(c), $"surrogate in failure text");
            Assert.False(c is '\u202E' or '\u202D' or '\u2066' or '\u2067' or '\u2068' or '\u2069' or '\u200E' or '\u200F' or '\u2028' or '\u2029' or '\uFFFD', $"U+{(int)c:X4} in \"{failure}\"");
        }

        Assert.DoesNotContain("\u00c3(", failure, StringComparison.Ordinal); // invalid UTF-8 decoded as Latin-1
        Assert.DoesNotContain("\u00af:\u00d1", failure, StringComparison.Ordinal);
    }
}
