using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Globalization;
using System.Net;
using System.Net.Http;
using System.Net.Security;
using System.Text;

namespace Ipvs.Health;

/// <summary>
/// The "http" and "https" checks, as lvscare's prober: <c>METHOD scheme://ADDRESS:PORT/PATH</c>
/// with the configured headers and body; healthy when the status is below 400 or one of the
/// accepted codes. Redirects are not followed (a 3xx is healthy). Connections are kept alive
/// between rounds, so a round costs one request per server rather than a TCP and TLS handshake.
/// </summary>
internal sealed class HttpHealthProber : IHealthProber
{
    // Enough to let the connection be reused after an ordinary health page; a bigger body is abandoned.
    private const int MaxDrainBytes = 64 * 1024;

    private readonly HttpMessageInvoker _invoker;
    private readonly HealthCheckOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly TimeSpan _timeout;
    private readonly HttpMethod _method;
    private readonly byte[]? _body;
    private readonly FrozenSet<int> _accepted;
    private readonly string _scheme;
    private readonly ConcurrentDictionary<(IPAddress, ushort), Uri> _uris = new();

    public HttpHealthProber(HealthCheckOptions options, TimeProvider timeProvider)
    {
        _options = options;
        _timeProvider = timeProvider;
        _timeout = options.EffectiveTimeout;
        _method = new HttpMethod(options.Method);
        _body = options.Body is { Length: > 0 } body ? Encoding.UTF8.GetBytes(body) : null;
        _accepted = options.AcceptedStatusCodes.ToFrozenSet();
        _scheme = options.Type == HealthCheckType.Http ? "http" : "https";
        Name = _scheme;
        var handler = new SocketsHttpHandler
        {
            // Probes go straight to the real server: never through a proxy from the environment.
            UseProxy = false,
            UseCookies = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            ConnectTimeout = _timeout,
            // Keep the connection across rounds (longer than an interval), not forever.
            PooledConnectionIdleTimeout = options.Interval * 3 > TimeSpan.FromSeconds(30) ? options.Interval * 3 : TimeSpan.FromSeconds(30),
            PooledConnectionLifetime = TimeSpan.FromMinutes(10),
            MaxConnectionsPerServer = 2,
            MaxResponseHeadersLength = 64,
        };
        if (options.Type == HealthCheckType.Https && options.InsecureSkipVerify)
        {
            handler.SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = static (_, _, _, _) => true,
            };
        }

        _invoker = new HttpMessageInvoker(handler, disposeHandler: true);
    }

    public string Name { get; }

    public async ValueTask<ProbeResult> ProbeAsync(IPAddress address, ushort port, CancellationToken cancellationToken)
    {
        var started = _timeProvider.GetTimestamp();
        using var timeout = new CancellationTokenSource(_timeout, _timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        try
        {
            using var request = CreateRequest(address, port);
            using var response = await _invoker.SendAsync(request, linked.Token).ConfigureAwait(false);
            await DrainAsync(response, linked.Token).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            var elapsed = _timeProvider.GetElapsedTime(started);
            return status < 400 || _accepted.Contains(status)
                ? ProbeResult.Healthy(elapsed)
                : ProbeResult.Unhealthy(elapsed, "unexpected status code " + status.ToString(CultureInfo.InvariantCulture));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return ProbeResult.Unhealthy(_timeProvider.GetElapsedTime(started), "timed out after " + HealthCheckOptions.Format(_timeout));
        }
        catch (Exception e) when (e is HttpRequestException or IOException or System.Security.Authentication.AuthenticationException)
        {
            return ProbeResult.Unhealthy(_timeProvider.GetElapsedTime(started), ProbeErrors.Describe(e));
        }
    }

    public void Dispose() => _invoker.Dispose();

    private HttpRequestMessage CreateRequest(IPAddress address, ushort port)
    {
        var uri = _uris.GetOrAdd((address, port), static (key, state) => new Uri(
            state._scheme + "://" + Model.AddressPort.Format(key.Item1, key.Item2) + state._options.Path, UriKind.Absolute), this);
        var request = new HttpRequestMessage(_method, uri)
        {
            Version = HttpVersion.Version11,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        if (_body is not null)
        {
            request.Content = new ByteArrayContent(_body);
        }

        var userAgent = false;
        foreach (var (name, value) in _options.Headers)
        {
            userAgent |= string.Equals(name, "User-Agent", StringComparison.OrdinalIgnoreCase);
            if (!request.Headers.TryAddWithoutValidation(name, value))
            {
                // A content header (Content-Type, …): it belongs to the body, which may be empty.
                request.Content ??= new ByteArrayContent([]);
                request.Content.Headers.TryAddWithoutValidation(name, value);
            }
        }

        if (!userAgent)
        {
            request.Headers.TryAddWithoutValidation("User-Agent", "ipvs-care/" + ThisAssembly.Version);
        }

        return request;
    }

    private static async Task DrainAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(8192);
            try
            {
                var total = 0;
                int read;
                while (total < MaxDrainBytes && (read = await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                {
                    total += read;
                }
            }
            finally
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }
}

/// <summary>The library's version, for the probe's User-Agent.</summary>
internal static class ThisAssembly
{
    public static readonly string Version =
        typeof(ThisAssembly).Assembly.GetName().Version is { } v ? v.ToString(3) : "0";
}
