using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Ipvs.Health;

namespace Ipvs.Tests.Health;

/// <summary>The HTTP(S) prober against small servers on the loopback interface.</summary>
public sealed class HttpHealthProberTests
{
    private static readonly HealthCheckOptions s_http = new() { Type = HealthCheckType.Http, Interval = TimeSpan.FromSeconds(2), Timeout = TimeSpan.FromSeconds(1) };

    [Theory]
    [InlineData(200, true)]
    [InlineData(204, true)]
    [InlineData(302, true)]
    [InlineData(399, true)]
    [InlineData(400, false)]
    [InlineData(401, false)]
    [InlineData(503, false)]
    public async Task Status_BelowFourHundredIsHealthy(int status, bool healthy)
    {
        await using var server = new LoopbackServer(_ => Response(status, "x"));
        using var prober = HealthProbers.Create(s_http);
        var result = await prober.ProbeAsync(IPAddress.Loopback, server.Port, TestContext.Current.CancellationToken);
        Assert.Equal(healthy, result.IsHealthy);
        if (!healthy)
        {
            Assert.Equal($"unexpected status code {status}", result.Failure);
        }
    }

    [Fact]
    public async Task AcceptedStatusCodes_MakeThoseHealthy()
    {
        await using var server = new LoopbackServer(_ => Response(401, "who?"));
        using var prober = HealthProbers.Create(s_http with { AcceptedStatusCodes = [401, 403] });
        Assert.True((await prober.ProbeAsync(IPAddress.Loopback, server.Port, TestContext.Current.CancellationToken)).IsHealthy);
    }

    [Fact]
    public async Task Request_CarriesMethodPathHostHeadersAndBody()
    {
        await using var server = new LoopbackServer(_ => Response(200, "ok"));
        var options = s_http with
        {
            Method = "POST",
            Path = "/ready?full=1",
            Body = "{\"probe\":true}",
            Headers = [new("X-Probe", "a"), new("X-Probe", "b"), new("Content-Type", "application/json")],
        };
        using var prober = HealthProbers.Create(options);
        Assert.True((await prober.ProbeAsync(IPAddress.Loopback, server.Port, TestContext.Current.CancellationToken)).IsHealthy);
        var request = Assert.Single(server.Requests);
        Assert.StartsWith("POST /ready?full=1 HTTP/1.1\r\n", request, StringComparison.Ordinal);
        Assert.Contains($"\r\nHost: 127.0.0.1:{server.Port}\r\n", request, StringComparison.Ordinal);
        Assert.Contains("\r\nX-Probe: a\r\nX-Probe: b\r\n", request, StringComparison.Ordinal);
        Assert.Contains("\r\nContent-Type: application/json\r\n", request, StringComparison.Ordinal);
        Assert.Contains("\r\nContent-Length: 14\r\n", request, StringComparison.Ordinal);
        Assert.Contains("\r\nUser-Agent: ipvs-care/", request, StringComparison.Ordinal);
        Assert.EndsWith("\r\n\r\n{\"probe\":true}", request, StringComparison.Ordinal);
    }

    [Fact]
    public async Task KeepAlive_RoundsReuseOneConnection_EvenWithAChunkedBody()
    {
        await using var server = new LoopbackServer(_ => "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
        using var prober = HealthProbers.Create(s_http);
        for (var i = 0; i < 3; i++)
        {
            Assert.True((await prober.ProbeAsync(IPAddress.Loopback, server.Port, TestContext.Current.CancellationToken)).IsHealthy);
        }

        Assert.Equal(1, server.Connections);
        Assert.Equal(3, server.Requests.Count);
    }

    [Fact]
    public async Task ServerClosedTheKeptConnection_NextProbeSucceedsOnANewOne()
    {
        await using var server = new LoopbackServer(_ => Response(200, "ok"), closeAfterResponse: true, announceClose: false);
        using var prober = HealthProbers.Create(s_http);
        Assert.True((await prober.ProbeAsync(IPAddress.Loopback, server.Port, TestContext.Current.CancellationToken)).IsHealthy);
        await Task.Delay(100, TestContext.Current.CancellationToken);
        var second = await prober.ProbeAsync(IPAddress.Loopback, server.Port, TestContext.Current.CancellationToken);
        Assert.True(second.IsHealthy, second.Failure);
        Assert.Equal(2, server.Connections);
    }

    [Fact]
    public async Task ServerThatNeverAnswers_TimesOut()
    {
        await using var server = new LoopbackServer(_ => null);
        using var prober = HealthProbers.Create(s_http with { Timeout = TimeSpan.FromMilliseconds(300) });
        var result = await prober.ProbeAsync(IPAddress.Loopback, server.Port, TestContext.Current.CancellationToken);
        Assert.False(result.IsHealthy);
        Assert.Equal("timed out after 300ms", result.Failure);
        Assert.InRange(result.Duration, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task NothingListening_ConnectionRefused()
    {
        using var prober = HealthProbers.Create(s_http);
        var result = await prober.ProbeAsync(IPAddress.Loopback, FreePort(), TestContext.Current.CancellationToken);
        Assert.False(result.IsHealthy);
        Assert.Equal("connection refused", result.Failure);
    }

    [Fact]
    public async Task GarbageResponse_WithEscapesAndInvalidUtf8_NeverReachesTheFailureTextRaw()
    {
        // The garbage backend: its bytes went into the log as they came ("¯:Ñ$<…").
        await using var server = new LoopbackServer(_ => Encoding.Latin1.GetString(Checks.Hostile.Bytes[9..]), closeAfterResponse: true);
        using var prober = HealthProbers.Create(s_http);
        var result = await prober.ProbeAsync(IPAddress.Loopback, server.Port, TestContext.Current.CancellationToken);
        Assert.False(result.IsHealthy);
        Assert.StartsWith("invalid HTTP response: \\x1b[2J", result.Failure, StringComparison.Ordinal);
        Checks.Hostile.AssertSafe(result.Failure);
    }

    [Fact]
    public async Task GarbageResponse_IsUnhealthy()
    {
        await using var server = new LoopbackServer(_ => "SSH-2.0-OpenSSH_9.2\r\n");
        using var prober = HealthProbers.Create(s_http);
        var result = await prober.ProbeAsync(IPAddress.Loopback, server.Port, TestContext.Current.CancellationToken);
        Assert.False(result.IsHealthy);
        Assert.StartsWith("invalid HTTP response", result.Failure, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Https_SelfSignedCertificate_HealthyWhenNotVerified_RefusedWhenVerified()
    {
        using var certificate = SelfSigned();
        await using var server = new LoopbackServer(_ => Response(200, "ok"), certificate: certificate);
        var https = s_http with { Type = HealthCheckType.Https };
        using (var prober = HealthProbers.Create(https))
        {
            Assert.Equal("https", prober.Name);
            var result = await prober.ProbeAsync(IPAddress.Loopback, server.Port, TestContext.Current.CancellationToken);
            Assert.True(result.IsHealthy, result.Failure);
            Assert.True((await prober.ProbeAsync(IPAddress.Loopback, server.Port, TestContext.Current.CancellationToken)).IsHealthy);
        }

        Assert.Equal(1, server.Connections);
        using (var verifying = HealthProbers.Create(https with { InsecureSkipVerify = false }))
        {
            var result = await verifying.ProbeAsync(IPAddress.Loopback, server.Port, TestContext.Current.CancellationToken);
            Assert.False(result.IsHealthy);
            Assert.StartsWith("TLS handshake failed: certificate verify failed (self-signed certificate)", result.Failure, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Tcp_AcceptedIsHealthy_RefusedIsNot()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var prober = HealthProbers.Create(new HealthCheckOptions { Type = HealthCheckType.Tcp });
        Assert.Equal("tcp", prober.Name);
        Assert.True((await prober.ProbeAsync(IPAddress.Loopback, (ushort)((IPEndPoint)listener.LocalEndpoint).Port, TestContext.Current.CancellationToken)).IsHealthy);
        var refused = await prober.ProbeAsync(IPAddress.Loopback, FreePort(), TestContext.Current.CancellationToken);
        Assert.Equal("connection refused", refused.Failure);
    }

    [Fact]
    public async Task None_IsAlwaysHealthy()
    {
        using var prober = HealthProbers.Create(new HealthCheckOptions { Type = HealthCheckType.None });
        Assert.True((await prober.ProbeAsync(IPAddress.Parse("198.18.9.9"), 1, TestContext.Current.CancellationToken)).IsHealthy);
    }

    private static string Response(int status, string body) =>
        $"HTTP/1.1 {status} Whatever\r\nContent-Length: {body.Length}\r\nContent-Type: text/plain\r\n\r\n{body}";

    private static ushort FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return (ushort)((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static X509Certificate2 SelfSigned()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=ipvs-care-test", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1));
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);
    }

    /// <summary>
    /// An HTTP/1.1 server on 127.0.0.1 for one test: answers each request with what
    /// <c>respond</c> returns (null: never answer), keeps connections alive unless told not to.
    /// </summary>
    private sealed class LoopbackServer : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly Func<string, string?> _respond;
        private readonly bool _closeAfterResponse;
        private readonly X509Certificate2? _certificate;
        private readonly CancellationTokenSource _stop = new();
        private readonly List<Task> _tasks = [];
        private int _connections;

        public LoopbackServer(Func<string, string?> respond, bool closeAfterResponse = false, bool announceClose = false, X509Certificate2? certificate = null)
        {
            _ = announceClose;
            _respond = respond;
            _closeAfterResponse = closeAfterResponse;
            _certificate = certificate;
            _listener.Start();
            _tasks.Add(AcceptAsync());
        }

        public ushort Port => (ushort)((IPEndPoint)_listener.LocalEndpoint).Port;

        public int Connections => Volatile.Read(ref _connections);

        public List<string> Requests { get; } = [];

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Stop();
            try
            {
                await Task.WhenAll(_tasks.ToArray()).WaitAsync(TimeSpan.FromSeconds(5));
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
                TcpClient client;
                try
                {
                    client = await _listener.AcceptTcpClientAsync(_stop.Token);
                }
                catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
                {
                    return;
                }

                Interlocked.Increment(ref _connections);
                lock (_tasks)
                {
                    _tasks.Add(ServeAsync(client));
                }
            }
        }

        private async Task ServeAsync(TcpClient client)
        {
            using (client)
            {
                try
                {
                    Stream stream = client.GetStream();
                    if (_certificate is not null)
                    {
                        var tls = new SslStream(stream);
                        await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = _certificate }, _stop.Token);
                        stream = tls;
                    }

                    var buffer = new byte[65536];
                    var pending = string.Empty;
                    while (true)
                    {
                        var read = await stream.ReadAsync(buffer, _stop.Token);
                        if (read == 0)
                        {
                            return;
                        }

                        pending += Encoding.Latin1.GetString(buffer, 0, read);
                        var end = pending.IndexOf("\r\n\r\n", StringComparison.Ordinal);
                        if (end < 0)
                        {
                            continue;
                        }

                        var head = pending[..(end + 4)];
                        var length = head.Split("\r\n").Where(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
                            .Select(l => int.Parse(l[15..].Trim(), System.Globalization.CultureInfo.InvariantCulture)).FirstOrDefault();
                        if (pending.Length < head.Length + length)
                        {
                            continue;
                        }

                        var request = pending[..(head.Length + length)];
                        pending = pending[request.Length..];
                        lock (Requests)
                        {
                            Requests.Add(request);
                        }

                        var response = _respond(request);
                        if (response is null)
                        {
                            await Task.Delay(Timeout.Infinite, _stop.Token);
                        }

                        await stream.WriteAsync(Encoding.Latin1.GetBytes(response!), _stop.Token);
                        if (_closeAfterResponse)
                        {
                            return;
                        }
                    }
                }
                catch (Exception e) when (e is OperationCanceledException or IOException or SocketException or ObjectDisposedException or System.Security.Authentication.AuthenticationException)
                {
                }
            }
        }
    }
}
