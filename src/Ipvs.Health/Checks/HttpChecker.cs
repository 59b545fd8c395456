using System.Buffers;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Ipvs.Health.Tls;
using Ipvs.Model;

namespace Ipvs.Health.Checks;

/// <summary>
/// HTTP_GET and SSL_GET as keepalived 2.2.7 runs them: one connection per URL, in order, each
/// <c>GET PATH HTTP/1.0</c> with <c>User-Agent: KeepAliveClient</c> and <c>Host:</c> (the URL's
/// virtualhost, else the check's, else ADDRESS:PORT, IPv6 in brackets); the response is read to
/// the end of the stream; the status must be one of the URL's codes (default 200–299, and
/// 100–599 at most) and, with a digest, the MD5 of the body (up to Content-Length) must match.
/// Every URL must pass.
/// </summary>
/// <remarks>
/// Bounds keepalived does not have: the response head may be at most <see cref="MaxHeadBytes"/>
/// bytes and <see cref="MaxHeaderLines"/> lines (keepalived's buffer holds 4 KiB, a longer head
/// fails there too); the body is read at most <see cref="MaxBodyBytes"/> bytes (keepalived reads
/// all of it): past that a URL with a digest fails and one without is judged on its status; each
/// URL's whole exchange (connect, TLS, request, response) is bounded by the timeout, where
/// keepalived bounds each read.
/// </remarks>
internal sealed class HttpChecker : IStepwiseChecker
{
    /// <summary>The longest response head (status line and headers) accepted.</summary>
    internal const int MaxHeadBytes = 16 * 1024;

    /// <summary>The most header lines accepted.</summary>
    internal const int MaxHeaderLines = 128;

    /// <summary>The most body bytes read (and digested).</summary>
    internal const long MaxBodyBytes = 16 * 1024 * 1024;

    private const int StatusCodeMin = 100;
    private const int StatusCodeMax = 599;
    private static readonly StatusCodeRange[] DefaultStatusCodes = [new(200, 299)];

    private readonly HttpCheck _check;
    private readonly TimeProvider _timeProvider;
    private readonly Lazy<TlsClientContext>? _tls;

    public HttpChecker(HttpCheck check, TimeProvider timeProvider)
    {
        if (check.Urls.Count == 0)
        {
            throw new ArgumentException("an HTTP check needs at least one URL", nameof(check));
        }

        _check = check;
        _timeProvider = timeProvider;
        _tls = check.Tls ? new Lazy<TlsClientContext>(() => TlsClientContext.Create(verify: !check.InsecureSkipVerify)) : null;
    }

    public CheckDefinition Definition => _check;

    public async ValueTask<CheckResult> CheckAsync(CheckTarget target, CancellationToken cancellationToken)
    {
        var started = _timeProvider.GetTimestamp();
        foreach (var url in _check.Urls)
        {
            var failure = await CheckUrlAsync(url, target, cancellationToken).ConfigureAwait(false);
            if (failure is not null)
            {
                var path = SafeText.From(url.Path, 60);
                return CheckResult.Down(_timeProvider.GetElapsedTime(started), _check.Urls.Count > 1 ? $"{path}: {failure}" : failure);
            }
        }

        return CheckResult.Up(_timeProvider.GetElapsedTime(started));
    }

    public int StepCount => _check.Urls.Count;

    public async ValueTask<CheckResult> CheckStepAsync(CheckTarget target, int step, CancellationToken cancellationToken)
    {
        var started = _timeProvider.GetTimestamp();
        var url = _check.Urls[step];
        var failure = await CheckUrlAsync(url, target, cancellationToken).ConfigureAwait(false);
        return failure is null
            ? CheckResult.Up(_timeProvider.GetElapsedTime(started))
            : CheckResult.Down(_timeProvider.GetElapsedTime(started), _check.Urls.Count > 1 ? $"{SafeText.From(url.Path, 60)}: {failure}" : failure);
    }

    public void Dispose()
    {
        if (_tls is { IsValueCreated: true })
        {
            _tls.Value.Dispose();
        }
    }

    /// <summary>The request keepalived sends for <paramref name="url"/>.</summary>
    internal string BuildRequest(HttpCheckUrl url, CheckTarget target)
    {
        var host = url.VirtualHost ?? _check.VirtualHost ?? AddressPort.Format(target.Address, target.Port);
        return $"GET {url.Path} HTTP/1.0\r\nUser-Agent: KeepAliveClient\r\nHost: {host}\r\n\r\n";
    }

    /// <summary>Null when the URL passed, else why not (safe text).</summary>
    private async Task<string?> CheckUrlAsync(HttpCheckUrl url, CheckTarget target, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(_check.Timeout, _timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        var token = linked.Token;
        Socket? socket = null;
        Stream? stream = null;
        try
        {
            socket = await CheckSockets.ConnectTcpAsync(_check, target, token).ConfigureAwait(false);
            // A read or a TLS step in progress ends when the socket is closed.
            using var registration = token.Register(static s => ((Socket)s!).Dispose(), socket);
            stream = _tls is not null
                ? await TlsClientStream.ConnectAsync(socket, _tls.Value, target.Address, token).ConfigureAwait(false)
                : new NetworkStream(socket, ownsSocket: true);
            await stream.WriteAsync(Encoding.UTF8.GetBytes(BuildRequest(url, target)), token).ConfigureAwait(false);
            await stream.FlushAsync(token).ConfigureAwait(false);
            return await ReadResponseAsync(stream, url, token).ConfigureAwait(false);
        }
        catch (Exception) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return CheckSockets.TimedOut(_check.Timeout);
        }
        catch (Exception e) when (CheckSockets.IsAttemptFailure(e) && !cancellationToken.IsCancellationRequested)
        {
            return ProbeErrors.Describe(e);
        }
        finally
        {
            if (stream is not null)
            {
                await stream.DisposeAsync().ConfigureAwait(false);
            }

            socket?.Dispose();
        }
    }

    private static async Task<string?> ReadResponseAsync(Stream stream, HttpCheckUrl url, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(MaxHeadBytes);
        try
        {
            // The head: up to the first CRLFCRLF, as keepalived's extract_html finds it.
            var length = 0;
            var headEnd = -1;
            while (headEnd < 0)
            {
                if (length == MaxHeadBytes)
                {
                    return $"response head longer than {MaxHeadBytes} bytes: {SafeText.FromBytes(buffer.AsSpan(0, 60))}";
                }

                var read = await stream.ReadAsync(buffer.AsMemory(length, MaxHeadBytes - length), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    return length == 0 ? "no data received" : "no complete response head received: " + SafeText.FromBytes(buffer.AsSpan(0, Math.Min(length, 60)));
                }

                var from = Math.Max(0, length - 3);
                length += read;
                var at = buffer.AsSpan(from, length - from).IndexOf("\r\n\r\n"u8);
                headEnd = at < 0 ? -1 : from + at + 4;
            }

            var head = buffer.AsSpan(0, headEnd);
            if (head.Count((byte)'\n') - 1 > MaxHeaderLines)
            {
                return $"more than {MaxHeaderLines} header lines";
            }

            var status = StatusCode(head);
            if (status is < StatusCodeMin or > StatusCodeMax)
            {
                var firstLine = head.IndexOf("\r\n"u8);
                return "invalid HTTP response: " + SafeText.FromBytes(head[..firstLine], 60);
            }

            var contentLength = ContentLength(head);
            var accepted = url.StatusCodes.Count == 0 ? DefaultStatusCodes : url.StatusCodes;
            if (!accepted.Any(r => r.Contains(status)))
            {
                return "HTTP status code " + status.ToString(CultureInfo.InvariantCulture);
            }

            // The body: read to the end of the stream (or Content-Length), digested when asked.
#pragma warning disable CA5351 // MD5 is keepalived's digest of the body, a fingerprint, not a security measure
            using var md5 = url.Digest is null ? null : IncrementalHash.CreateHash(HashAlgorithmName.MD5);
#pragma warning restore CA5351
            var limit = Math.Min(contentLength ?? long.MaxValue, MaxBodyBytes);
            var body = 0L;
            var pending = length - headEnd;
            if (pending > 0)
            {
                var take = (int)Math.Min(pending, limit);
                md5?.AppendData(buffer, headEnd, take);
                body += take;
            }

            while (body < limit)
            {
                var read = await stream.ReadAsync(buffer.AsMemory(0, MaxHeadBytes), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                var take = (int)Math.Min(read, limit - body);
                md5?.AppendData(buffer, 0, take);
                body += take;
            }

            if (md5 is null)
            {
                return null;
            }

            if (body >= MaxBodyBytes && (contentLength is null || contentLength > MaxBodyBytes))
            {
                return $"body longer than {MaxBodyBytes / (1024 * 1024)} MiB: not digested";
            }

            var digest = Convert.ToHexStringLower(md5.GetHashAndReset());
            return string.Equals(digest, url.Digest, StringComparison.OrdinalIgnoreCase) ? null : "MD5 digest " + digest + " differs";
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>keepalived's extract_status_code: after the first space, exactly three digits and a space; 0 otherwise.</summary>
    internal static int StatusCode(ReadOnlySpan<byte> head)
    {
        var i = 0;
        while (i < head.Length && head[i] != ' ' && head[i] != '\r')
        {
            i++;
        }

        if (i >= head.Length || head[i] != ' ')
        {
            return 0;
        }

        i++;
        if (i + 3 >= head.Length || head[i + 3] != ' ')
        {
            return 0;
        }

        var code = 0;
        for (var k = 0; k < 3; k++)
        {
            var c = head[i + k];
            if (c is < (byte)'0' or > (byte)'9')
            {
                return 0;
            }

            code = (code * 10) + (c - '0');
        }

        return code;
    }

    /// <summary>The Content-Length header's value, or null when absent or not a plain number (keepalived then reads to the end).</summary>
    internal static long? ContentLength(ReadOnlySpan<byte> head)
    {
        foreach (var range in head.Split("\r\n"u8))
        {
            var line = head[range];
            var colon = line.IndexOf((byte)':');
            if (colon <= 0 || !Ascii.EqualsIgnoreCase(line[..colon], "Content-Length"u8))
            {
                continue;
            }

            return long.TryParse(line[(colon + 1)..].Trim((byte)' '), NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : null;
        }

        return null;
    }
}
