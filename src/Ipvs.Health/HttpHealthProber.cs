using System.Buffers;
using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;
using Ipvs.Health.Tls;
using Ipvs.Model;

namespace Ipvs.Health;

/// <summary>
/// The "http" and "https" checks, as lvscare's prober: <c>METHOD scheme://ADDRESS:PORT/PATH</c>
/// with the configured headers and body; healthy when the status is below 400 or one of the
/// accepted codes. Redirects are not followed (a 3xx is healthy).
/// </summary>
/// <remarks>
/// A small HTTP/1.1 client on <see cref="Socket"/> (and OpenSSL for TLS, see
/// <see cref="TlsClientStream"/>) rather than HttpClient and SslStream: a probe needs one request
/// and a status line, HttpClient's HTTP/2 and HTTP/3 machinery and SslStream's would triple the
/// size of the native <c>ipvs</c> binary and slow every command's start, and SslStream held
/// 100–200 MB for a thousand kept-alive connections. Like Go's client (lvscare's), it keeps one
/// connection per server alive between rounds, so a round costs one request per server rather
/// than a TCP and TLS handshake each.
/// </remarks>
internal sealed class HttpHealthProber : IHealthProber
{
    private const int MaxHeaderBytes = 64 * 1024;
    private const int MaxDrainBytes = 64 * 1024;

    private readonly HealthCheckOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly TimeSpan _timeout;
    private readonly TimeSpan _idleTimeout;
    private readonly bool _tls;
    private readonly byte[]? _body;
    private readonly FrozenSet<int> _accepted;
    private readonly string _headerBlock;
    private readonly ConcurrentDictionary<(IPAddress, ushort), Connection> _idle = new();
    private readonly ConcurrentDictionary<(IPAddress, ushort), byte[]> _requests = new();
    private readonly Lazy<TlsClientContext>? _tlsContext;
    private int _disposed;

    public HttpHealthProber(HealthCheckOptions options, TimeProvider timeProvider)
    {
        _options = options;
        _timeProvider = timeProvider;
        _timeout = options.EffectiveTimeout;
        _idleTimeout = options.Interval * 3 > TimeSpan.FromSeconds(30) ? options.Interval * 3 : TimeSpan.FromSeconds(30);
        _tls = options.Type == HealthCheckType.Https;
        Name = _tls ? "https" : "http";
        _tlsContext = _tls ? new Lazy<TlsClientContext>(() => TlsClientContext.Create(verify: !options.InsecureSkipVerify)) : null;
        _body = options.Body is { Length: > 0 } body ? Encoding.UTF8.GetBytes(body) : null;
        _accepted = options.AcceptedStatusCodes.ToFrozenSet();

        var headers = new StringBuilder();
        var userAgent = false;
        foreach (var (name, value) in options.Headers)
        {
            userAgent |= string.Equals(name, "User-Agent", StringComparison.OrdinalIgnoreCase);
            if (string.Equals(name, "Host", StringComparison.OrdinalIgnoreCase) || string.Equals(name, "Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                continue; // written by the prober itself
            }

            headers.Append(name).Append(": ").Append(value).Append("\r\n");
        }

        if (!userAgent)
        {
            headers.Append("User-Agent: ipvs-care/").Append(ThisAssembly.Version).Append("\r\n");
        }

        if (_body is not null)
        {
            headers.Append("Content-Length: ").Append(_body.Length.ToString(CultureInfo.InvariantCulture)).Append("\r\n");
        }
        else if (options.Method is "POST" or "PUT" or "PATCH")
        {
            headers.Append("Content-Length: 0\r\n");
        }

        _headerBlock = headers.ToString();
    }

    public string Name { get; }

    public async ValueTask<ProbeResult> ProbeAsync(IPAddress address, ushort port, CancellationToken cancellationToken)
    {
        var started = _timeProvider.GetTimestamp();
        using var timeout = new CancellationTokenSource(_timeout, _timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        var key = (address, port);
        var request = _requests.GetOrAdd(key, static (k, self) => self.BuildRequest(k.Item1, k.Item2), this);
        Connection? connection = null;
        try
        {
            // A kept-alive connection first; if the server closed it meanwhile, one retry on a fresh one.
            connection = TakeIdle(key);
            int status;
            bool reusable;
            if (connection is not null)
            {
                try
                {
                    (status, reusable) = await connection.ExchangeAsync(request, _body, _options.Method == "HEAD", linked.Token).ConfigureAwait(false);
                }
                catch (StaleConnectionException)
                {
                    connection.Dispose();
                    connection = await ConnectAsync(address, port, linked.Token).ConfigureAwait(false);
                    (status, reusable) = await connection.ExchangeAsync(request, _body, _options.Method == "HEAD", linked.Token).ConfigureAwait(false);
                }
            }
            else
            {
                connection = await ConnectAsync(address, port, linked.Token).ConfigureAwait(false);
                (status, reusable) = await connection.ExchangeAsync(request, _body, _options.Method == "HEAD", linked.Token).ConfigureAwait(false);
            }

            if (reusable && Volatile.Read(ref _disposed) == 0)
            {
                connection.IdleSince = _timeProvider.GetTimestamp();
                if (_idle.TryAdd(key, connection))
                {
                    connection = null;
                }
            }

            var elapsed = _timeProvider.GetElapsedTime(started);
            return status < 400 || _accepted.Contains(status)
                ? ProbeResult.Healthy(elapsed)
                : ProbeResult.Unhealthy(elapsed, "unexpected status code " + status.ToString(CultureInfo.InvariantCulture));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return ProbeResult.Unhealthy(_timeProvider.GetElapsedTime(started), "timed out after " + HealthCheckOptions.Format(_timeout));
        }
        catch (Exception e) when (e is IOException or SocketException or AuthenticationException or InvalidDataException or StaleConnectionException or ObjectDisposedException or InvalidOperationException)
        {
            return ProbeResult.Unhealthy(_timeProvider.GetElapsedTime(started), ProbeErrors.Describe(e));
        }
        finally
        {
            connection?.Dispose();
        }
    }

    public void Dispose()
    {
        Interlocked.Exchange(ref _disposed, 1);
        if (_tlsContext is { IsValueCreated: true })
        {
            _tlsContext.Value.Dispose();
        }

        foreach (var key in _idle.Keys)
        {
            if (_idle.TryRemove(key, out var connection))
            {
                connection.Dispose();
            }
        }
    }

    private Connection? TakeIdle((IPAddress, ushort) key)
    {
        if (!_idle.TryRemove(key, out var connection))
        {
            return null;
        }

        // Whether the server closed it meanwhile is found by using it (one retry on a fresh
        // connection): asking first would cost two system calls per probe.
        if (_timeProvider.GetElapsedTime(connection.IdleSince) > _idleTimeout)
        {
            connection.Dispose();
            return null;
        }

        return connection;
    }

    private async Task<Connection> ConnectAsync(IPAddress address, ushort port, CancellationToken cancellationToken)
    {
        var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(new IPEndPoint(address, port), cancellationToken).ConfigureAwait(false);
            Stream stream = _tls
                ? await TlsClientStream.ConnectAsync(socket, _tlsContext!.Value, address, cancellationToken).ConfigureAwait(false)
                : new NetworkStream(socket, ownsSocket: true);
            return new Connection(socket, stream);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private byte[] BuildRequest(IPAddress address, ushort port)
    {
        var host = AddressPort.Format(address, port);
        return Encoding.UTF8.GetBytes($"{_options.Method} {_options.Path} HTTP/1.1\r\nHost: {host}\r\n{_headerBlock}\r\n");
    }

    /// <summary>The server closed a kept-alive connection before answering: try once more on a new one.</summary>
    private sealed class StaleConnectionException() : IOException("the kept-alive connection was closed by the server");

    /// <summary>One connection: a socket and its (TLS) stream.</summary>
    private sealed class Connection(Socket socket, Stream stream) : IDisposable
    {
        private readonly Socket _socket = socket;
        private readonly Stream _stream = stream;
        private bool _used;

        public long IdleSince { get; set; }

        /// <summary>Sends the request and reads the response; returns its status and whether the connection can carry another.</summary>
        public async Task<(int Status, bool Reusable)> ExchangeAsync(byte[] head, byte[]? body, bool headRequest, CancellationToken cancellationToken)
        {
            var reused = _used;
            _used = true;
            using var registration = cancellationToken.Register(static s => ((Socket)s!).Dispose(), _socket);
            var buffer = ArrayPool<byte>.Shared.Rent(8192);
            try
            {
                try
                {
                    await _stream.WriteAsync(head, cancellationToken).ConfigureAwait(false);
                    if (body is not null)
                    {
                        await _stream.WriteAsync(body, cancellationToken).ConfigureAwait(false);
                    }

                    await _stream.FlushAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (IOException) when (reused && !cancellationToken.IsCancellationRequested)
                {
                    throw new StaleConnectionException();
                }

                var reader = new ResponseReader(_stream, buffer);
                while (true)
                {
                    int status;
                    try
                    {
                        status = await reader.ReadStatusAsync(cancellationToken).ConfigureAwait(false);
                    }
                    catch (EndOfStreamException) when (reused && reader.Consumed == 0 && !cancellationToken.IsCancellationRequested)
                    {
                        throw new StaleConnectionException();
                    }
                    catch (IOException) when (reused && reader.Consumed == 0 && !cancellationToken.IsCancellationRequested)
                    {
                        throw new StaleConnectionException();
                    }

                    var headers = await reader.ReadHeadersAsync(cancellationToken).ConfigureAwait(false);
                    if (status is >= 100 and < 200 && status != 101)
                    {
                        continue; // 100 Continue and other interim responses precede the real one
                    }

                    var keepAlive = reader.IsHttp11 ? !headers.ConnectionClose : headers.KeepAlive;
                    if (headRequest || status is 204 or 304 or 101)
                    {
                        return (status, keepAlive && status != 101);
                    }

                    var complete = await reader.DrainBodyAsync(headers, MaxDrainBytes, cancellationToken).ConfigureAwait(false);
                    return (status, keepAlive && complete);
                }
            }
            catch (ObjectDisposedException) when (cancellationToken.IsCancellationRequested)
            {
                throw new OperationCanceledException(cancellationToken);
            }
            catch (SocketException) when (cancellationToken.IsCancellationRequested)
            {
                throw new OperationCanceledException(cancellationToken);
            }
            catch (IOException) when (cancellationToken.IsCancellationRequested)
            {
                throw new OperationCanceledException(cancellationToken);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }

        public void Dispose()
        {
            _stream.Dispose();
            _socket.Dispose();
        }
    }

    /// <summary>What the prober needs from the response headers.</summary>
    private readonly record struct ResponseHeaders(long? ContentLength, bool Chunked, bool ConnectionClose, bool KeepAlive);

    /// <summary>Reads an HTTP/1.x response from a stream through a buffer.</summary>
    private sealed class ResponseReader(Stream stream, byte[] buffer)
    {
        private int _start;
        private int _end;

        public long Consumed { get; private set; }

        public bool IsHttp11 { get; private set; }

        public async Task<int> ReadStatusAsync(CancellationToken cancellationToken)
        {
            var line = await ReadLineAsync(cancellationToken).ConfigureAwait(false);
            // HTTP/1.1 200 OK
            if (line.Length < 12 || !line.StartsWith("HTTP/1.", StringComparison.Ordinal) || line[8] != ' '
                || !int.TryParse(line.AsSpan(9, 3), NumberStyles.None, CultureInfo.InvariantCulture, out var status))
            {
                // The line is the server's bytes (read as Latin-1, one char per byte): escaped as
                // bytes, so that neither control characters nor invalid UTF-8 reach a log line.
                throw new InvalidDataException("invalid HTTP response: " + Checks.SafeText.FromBytes(Encoding.Latin1.GetBytes(line), 60));
            }

            IsHttp11 = line[7] != '0';
            return status;
        }

        public async Task<ResponseHeaders> ReadHeadersAsync(CancellationToken cancellationToken)
        {
            long? length = null;
            bool chunked = false, close = false, keepAlive = false;
            var total = 0;
            while (true)
            {
                var line = await ReadLineAsync(cancellationToken).ConfigureAwait(false);
                if (line.Length == 0)
                {
                    return new ResponseHeaders(length, chunked, close, keepAlive);
                }

                total += line.Length;
                if (total > MaxHeaderBytes)
                {
                    throw new InvalidDataException("invalid HTTP response: headers too long");
                }

                var colon = line.IndexOf(':', StringComparison.Ordinal);
                if (colon <= 0)
                {
                    continue;
                }

                var name = line.AsSpan(0, colon).Trim();
                var value = line.AsSpan(colon + 1).Trim();
                if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase) && long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
                {
                    length = n;
                }
                else if (name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase))
                {
                    chunked = value.Contains("chunked", StringComparison.OrdinalIgnoreCase);
                }
                else if (name.Equals("Connection", StringComparison.OrdinalIgnoreCase))
                {
                    close |= value.Contains("close", StringComparison.OrdinalIgnoreCase);
                    keepAlive |= value.Contains("keep-alive", StringComparison.OrdinalIgnoreCase);
                }
            }
        }

        /// <summary>Reads and discards the body up to <paramref name="limit"/> bytes; true when it was read to its end.</summary>
        public async Task<bool> DrainBodyAsync(ResponseHeaders headers, int limit, CancellationToken cancellationToken)
        {
            if (headers.Chunked)
            {
                var read = 0L;
                while (true)
                {
                    var sizeLine = await ReadLineAsync(cancellationToken).ConfigureAwait(false);
                    var semicolon = sizeLine.IndexOf(';', StringComparison.Ordinal);
                    if (!long.TryParse(semicolon >= 0 ? sizeLine.AsSpan(0, semicolon).Trim() : sizeLine.AsSpan().Trim(), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var size) || size < 0)
                    {
                        throw new InvalidDataException("invalid HTTP response: bad chunk size");
                    }

                    if (size == 0)
                    {
                        // Trailers, then the empty line.
                        while ((await ReadLineAsync(cancellationToken).ConfigureAwait(false)).Length > 0)
                        {
                        }

                        return true;
                    }

                    read += size;
                    if (read > limit)
                    {
                        return false;
                    }

                    await SkipAsync(size, cancellationToken).ConfigureAwait(false);
                    await ReadLineAsync(cancellationToken).ConfigureAwait(false);
                }
            }

            if (headers.ContentLength is { } length)
            {
                if (length > limit)
                {
                    return false;
                }

                await SkipAsync(length, cancellationToken).ConfigureAwait(false);
                return true;
            }

            // No length: the body ends when the server closes the connection.
            var remaining = (long)limit;
            while (remaining > 0)
            {
                if (_start == _end && !await FillAsync(cancellationToken).ConfigureAwait(false))
                {
                    break;
                }

                var take = (int)Math.Min(remaining, _end - _start);
                _start += take;
                remaining -= take;
            }

            return false;
        }

        private async Task SkipAsync(long count, CancellationToken cancellationToken)
        {
            while (count > 0)
            {
                if (_start == _end && !await FillAsync(cancellationToken).ConfigureAwait(false))
                {
                    throw new EndOfStreamException("the server closed the connection in the middle of the response");
                }

                var take = (int)Math.Min(count, _end - _start);
                _start += take;
                count -= take;
            }
        }

        private async Task<string> ReadLineAsync(CancellationToken cancellationToken)
        {
            var line = new StringBuilder();
            while (true)
            {
                if (_start == _end && !await FillAsync(cancellationToken).ConfigureAwait(false))
                {
                    throw new EndOfStreamException("the server closed the connection without answering");
                }

                var span = buffer.AsSpan(_start, _end - _start);
                var newline = span.IndexOf((byte)'\n');
                if (newline < 0)
                {
                    line.Append(Encoding.Latin1.GetString(span));
                    _start = _end;
                    if (line.Length > MaxHeaderBytes)
                    {
                        throw new InvalidDataException("invalid HTTP response: line too long");
                    }

                    continue;
                }

                line.Append(Encoding.Latin1.GetString(span[..newline]));
                _start += newline + 1;
                if (line.Length > 0 && line[^1] == '\r')
                {
                    line.Length--;
                }

                return line.ToString();
            }
        }

        private async Task<bool> FillAsync(CancellationToken cancellationToken)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(), cancellationToken).ConfigureAwait(false);
            _start = 0;
            _end = read;
            Consumed += read;
            return read > 0;
        }
    }
}

/// <summary>The library's version, for the probe's User-Agent.</summary>
internal static class ThisAssembly
{
    public static readonly string Version =
        typeof(ThisAssembly).Assembly.GetName().Version is { } v ? v.ToString(3) : "0";
}
