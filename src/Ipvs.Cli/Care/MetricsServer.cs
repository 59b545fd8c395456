using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Ipvs.Cli.Care;

/// <summary>
/// A minimal HTTP/1.1 responder on a socket for <c>GET /metrics</c> (and <c>/healthz</c>): one
/// request per connection, no keep-alive, a few KiB of code instead of a web framework.
/// </summary>
internal sealed class MetricsServer : IAsyncDisposable
{
    private const int MaxRequestBytes = 8192;
    private static readonly TimeSpan s_requestTimeout = TimeSpan.FromSeconds(10);

    private readonly Socket _listener;
    private readonly Func<CancellationToken, Task<string>> _render;
    private readonly IReadOnlyDictionary<string, (string ContentType, Func<CancellationToken, Task<string>> Render)> _routes;
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;

    private MetricsServer(Socket listener, Func<CancellationToken, Task<string>> render, IReadOnlyDictionary<string, (string ContentType, Func<CancellationToken, Task<string>> Render)>? routes)
    {
        _listener = listener;
        _render = render;
        _routes = routes ?? new Dictionary<string, (string, Func<CancellationToken, Task<string>>)>();
    }

    /// <summary>The address actually bound (the port is chosen by the kernel when 0 was asked).</summary>
    public IPEndPoint LocalEndPoint => (IPEndPoint)_listener.LocalEndPoint!;

    /// <summary>Binds and starts serving.</summary>
    /// <exception cref="SocketException">The address cannot be bound.</exception>
    public static MetricsServer Start(IPEndPoint address, Func<CancellationToken, Task<string>> render, IReadOnlyDictionary<string, (string ContentType, Func<CancellationToken, Task<string>> Render)>? routes = null)
    {
        var listener = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            listener.Bind(address);
            listener.Listen(16);
        }
        catch
        {
            listener.Dispose();
            throw;
        }

        var server = new MetricsServer(listener, render, routes);
        server._loop = server.AcceptLoopAsync();
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Dispose();
        if (_loop is not null)
        {
            try
            {
                await _loop.ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
            }
        }

        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket connection;
            try
            {
                connection = await _listener.AcceptAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException)
            {
                continue;
            }

            _ = ServeAsync(connection);
        }
    }

    private async Task ServeAsync(Socket connection)
    {
        using (connection)
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token))
        {
            timeout.CancelAfter(s_requestTimeout);
            try
            {
                var request = await ReadRequestHeadAsync(connection, timeout.Token).ConfigureAwait(false);
                var (status, contentType, body) = await RespondAsync(request, timeout.Token).ConfigureAwait(false);
                var payload = Encoding.UTF8.GetBytes(body);
                var head = $"HTTP/1.1 {status}\r\nContent-Type: {contentType}\r\nContent-Length: {payload.Length}\r\nConnection: close\r\n\r\n";
                await connection.SendAsync(Encoding.ASCII.GetBytes(head), SocketFlags.None, timeout.Token).ConfigureAwait(false);
                if (!request.StartsWith("HEAD ", StringComparison.Ordinal))
                {
                    await connection.SendAsync(payload, SocketFlags.None, timeout.Token).ConfigureAwait(false);
                }

                connection.Shutdown(SocketShutdown.Both);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException or IpvsException)
            {
            }
        }
    }

    private async Task<(string Status, string ContentType, string Body)> RespondAsync(string request, CancellationToken cancellationToken)
    {
        var line = request.AsSpan(0, Math.Max(0, request.IndexOf('\r', StringComparison.Ordinal)));
        var parts = line.ToString().Split(' ');
        if (parts.Length != 3 || !parts[2].StartsWith("HTTP/1.", StringComparison.Ordinal))
        {
            return ("400 Bad Request", "text/plain; charset=utf-8", "bad request\n");
        }

        if (parts[0] is not ("GET" or "HEAD"))
        {
            return ("405 Method Not Allowed", "text/plain; charset=utf-8", "only GET\n");
        }

        var path = parts[1];
        var query = path.IndexOf('?', StringComparison.Ordinal);
        if (query >= 0)
        {
            path = path[..query];
        }

        if (_routes.TryGetValue(path, out var route))
        {
            return ("200 OK", route.ContentType, await route.Render(cancellationToken).ConfigureAwait(false));
        }

        return path switch
        {
            "/metrics" => ("200 OK", PrometheusText.ContentType, await _render(cancellationToken).ConfigureAwait(false)),
            "/healthz" => ("200 OK", "text/plain; charset=utf-8", "ok\n"),
            "/" => ("200 OK", "text/plain; charset=utf-8", "ipvs care: metrics at /metrics\n"),
            _ => ("404 Not Found", "text/plain; charset=utf-8", "not found\n"),
        };
    }

    private static async Task<string> ReadRequestHeadAsync(Socket connection, CancellationToken cancellationToken)
    {
        var buffer = new byte[MaxRequestBytes];
        var length = 0;
        while (length < buffer.Length)
        {
            var read = await connection.ReceiveAsync(buffer.AsMemory(length), SocketFlags.None, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }

            length += read;
            if (buffer.AsSpan(0, length).IndexOf("\r\n\r\n"u8) >= 0)
            {
                break;
            }
        }

        return Encoding.ASCII.GetString(buffer, 0, length);
    }
}
