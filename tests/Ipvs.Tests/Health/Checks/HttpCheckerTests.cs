using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Ipvs.Health.Checks;

namespace Ipvs.Tests.Health.Checks;

/// <summary>HTTP_GET / SSL_GET against servers on 127.0.0.1, well-behaved and hostile.</summary>
public sealed class HttpCheckerTests
{
    // MD5("hello"), as keepalived's genhash prints it.
    internal const string HelloDigest = "5d41402abc4b2a76b9719d911017c592";

    internal static readonly HttpCheck s_check = new() { Timeout = TimeSpan.FromSeconds(1), Urls = [new HttpCheckUrl { Path = "/health" }] };

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static CheckTarget Target(LoopbackTcpServer server) => new(IPAddress.Loopback, server.Port, 1);

    private static LoopbackTcpServer Answering(Func<string, string> respond, List<string>? requests = null) => new(async (c, ct) =>
    {
        var request = await c.ReadUntilAsync("\r\n\r\n", ct);
        lock (requests ?? [])
        {
            requests?.Add(request);
        }

        await c.SendAsync(respond(request), ct);
        c.Socket.Shutdown(SocketShutdown.Send);
    });

    private static string Response(int status, string body, bool length = true) =>
        $"HTTP/1.0 {status} X\r\nServer: t\r\n{(length ? $"Content-Length: {Encoding.UTF8.GetByteCount(body)}\r\n" : string.Empty)}\r\n{body}";

    [Fact]
    public async Task Request_IsKeepalivedsGet()
    {
        var requests = new List<string>();
        await using var server = Answering(_ => Response(200, "ok"), requests);
        using var checker = Checkers.Create(s_check);
        Assert.True((await checker.CheckAsync(Target(server), Token)).IsUp);
        Assert.Equal($"GET /health HTTP/1.0\r\nUser-Agent: KeepAliveClient\r\nHost: 127.0.0.1:{server.Port}\r\n\r\n", Assert.Single(requests));
    }

    [Theory]
    [InlineData(200, true)]
    [InlineData(204, true)]
    [InlineData(299, true)]
    [InlineData(301, false)]
    [InlineData(404, false)]
    [InlineData(500, false)]
    public async Task Status_DefaultIs200To299(int status, bool up)
    {
        await using var server = Answering(_ => Response(status, "x"));
        using var checker = Checkers.Create(s_check);
        var result = await checker.CheckAsync(Target(server), Token);
        Assert.Equal(up, result.IsUp);
        if (!up)
        {
            Assert.Equal($"HTTP status code {status}", result.Failure);
        }
    }

    [Theory]
    [InlineData(503, true)]
    [InlineData(404, true)]
    [InlineData(200, false)]
    public async Task Status_ConfiguredCodesAndRanges(int status, bool up)
    {
        await using var server = Answering(_ => Response(status, "x"));
        using var checker = Checkers.Create(s_check with { Urls = [new HttpCheckUrl { Path = "/", StatusCodes = [new(400, 499), new(503, 503)] }] });
        Assert.Equal(up, (await checker.CheckAsync(Target(server), Token)).IsUp);
    }

    [Fact]
    public async Task Status_NeedsThreeDigitsAndASpace_AsKeepalivedReadsIt()
    {
        Assert.Equal(200, HttpChecker.StatusCode("HTTP/1.1 200 OK\r\n\r\n"u8));
        Assert.Equal(0, HttpChecker.StatusCode("HTTP/1.1 200\r\n\r\n"u8));
        Assert.Equal(0, HttpChecker.StatusCode("HTTP/1.1 2000 OK\r\n\r\n"u8));
        Assert.Equal(0, HttpChecker.StatusCode("garbage\r\n\r\n"u8));
        await using var server = Answering(_ => "HTTP/1.1 200\r\n\r\nbody");
        using var checker = Checkers.Create(s_check);
        var result = await checker.CheckAsync(Target(server), Token);
        Assert.False(result.IsUp);
        Assert.StartsWith("invalid HTTP response", result.Failure, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("hello", true, true)]
    [InlineData("hello", false, true)]
    [InlineData("hellO", true, false)]
    public async Task Digest_IsTheBodysMd5(string body, bool contentLength, bool up)
    {
        await using var server = Answering(_ => Response(200, body, contentLength));
        using var checker = Checkers.Create(s_check with { Urls = [new HttpCheckUrl { Path = "/", Digest = HelloDigest }] });
        var result = await checker.CheckAsync(Target(server), Token);
        Assert.Equal(up, result.IsUp);
        if (!up)
        {
            Assert.StartsWith("MD5 digest ", result.Failure, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Digest_CoversTheBodyUpToContentLength()
    {
        await using var server = Answering(_ => "HTTP/1.0 200 OK\r\nContent-Length: 5\r\n\r\nhello, and more");
        using var checker = Checkers.Create(s_check with { Urls = [new HttpCheckUrl { Path = "/", Digest = HelloDigest }] });
        Assert.True((await checker.CheckAsync(Target(server), Token)).IsUp);
    }

    [Fact]
    public async Task Urls_AllMustPass_EachOnItsOwnConnection()
    {
        var requests = new List<string>();
        await using var server = Answering(r => r.StartsWith("GET /b ", StringComparison.Ordinal) ? Response(500, "no") : Response(200, "ok"), requests);
        using var both = Checkers.Create(s_check with { Urls = [new HttpCheckUrl { Path = "/a" }, new HttpCheckUrl { Path = "/b" }] });
        var result = await both.CheckAsync(Target(server), Token);
        Assert.False(result.IsUp);
        Assert.Equal("/b: HTTP status code 500", result.Failure);
        Assert.Equal(2, server.Connections);

        using var first = Checkers.Create(s_check with { Urls = [new HttpCheckUrl { Path = "/a" }, new HttpCheckUrl { Path = "/c" }] });
        Assert.True((await first.CheckAsync(Target(server), Token)).IsUp);
    }

    [Fact]
    public async Task VirtualHost_PerUrlOverPerCheck()
    {
        var requests = new List<string>();
        await using var server = Answering(_ => Response(200, "ok"), requests);
        using var checker = Checkers.Create(s_check with
        {
            VirtualHost = "www.example.org",
            Urls = [new HttpCheckUrl { Path = "/a" }, new HttpCheckUrl { Path = "/b", VirtualHost = "api.example.org" }],
        });
        Assert.True((await checker.CheckAsync(Target(server), Token)).IsUp);
        Assert.Contains(requests, r => r.StartsWith("GET /a HTTP/1.0\r\n", StringComparison.Ordinal) && r.Contains("\r\nHost: www.example.org\r\n", StringComparison.Ordinal));
        Assert.Contains(requests, r => r.StartsWith("GET /b HTTP/1.0\r\n", StringComparison.Ordinal) && r.Contains("\r\nHost: api.example.org\r\n", StringComparison.Ordinal));
    }

    [Fact]
    public void Host_IPv6InBrackets()
    {
        var checker = new HttpChecker(s_check, TimeProvider.System);
        Assert.Contains("\r\nHost: [::1]:8080\r\n", checker.BuildRequest(s_check.Urls[0], new CheckTarget(IPAddress.IPv6Loopback, 8080, 1)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task BindTo_SetsTheSourceAddress()
    {
        await using var server = Answering(_ => Response(200, "ok"));
        using var checker = Checkers.Create(s_check with { BindAddress = IPAddress.Parse("127.0.0.2") });
        Assert.True((await checker.CheckAsync(Target(server), Token)).IsUp);
        Assert.Equal(IPAddress.Parse("127.0.0.2"), Assert.Single(server.Peers).Address);
    }

    [Fact]
    public async Task Refused_IsDown()
    {
        ushort port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = (ushort)((IPEndPoint)probe.LocalEndpoint).Port;
        }

        using var checker = Checkers.Create(s_check);
        var result = await checker.CheckAsync(new CheckTarget(IPAddress.Loopback, port, 1), Token);
        Assert.False(result.IsUp);
        Assert.Equal("connection refused", result.Failure);
    }

    [Fact]
    public async Task Https_SelfSignedCertificate_IsUp_AndDigestWorksOverTls()
    {
        using var certificate = SelfSigned();
        await using var server = new LoopbackTcpServer(async (c, ct) =>
        {
            await using var tls = new SslStream(new NetworkStream(c.Socket, ownsSocket: false));
            await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = certificate }, ct);
            var buffer = new byte[4096];
            var request = string.Empty;
            while (!request.Contains("\r\n\r\n", StringComparison.Ordinal))
            {
                var read = await tls.ReadAsync(buffer, ct);
                if (read == 0)
                {
                    return;
                }

                request += Encoding.ASCII.GetString(buffer, 0, read);
            }

            await tls.WriteAsync(Encoding.ASCII.GetBytes(Response(200, "hello")), ct);
            await tls.ShutdownAsync();
        });
        using var checker = Checkers.Create(s_check with { Tls = true, Urls = [new HttpCheckUrl { Path = "/", Digest = HelloDigest }] });
        var result = await checker.CheckAsync(Target(server), Token);
        Assert.True(result.IsUp, result.Failure);
        Assert.Equal(CheckKind.Https, checker.Definition.Kind);
    }

    [Fact]
    public async Task Hostile_Https_GarbageInsteadOfAHandshake_IsDown_AndSafe()
    {
        await using var server = new LoopbackTcpServer(async (c, ct) =>
        {
            await c.SendAsync(Hostile.Bytes, ct);
            c.Socket.Shutdown(SocketShutdown.Send);
        });
        using var checker = Checkers.Create(s_check with { Tls = true });
        var result = await checker.CheckAsync(Target(server), Token);
        Assert.False(result.IsUp);
        Assert.StartsWith("TLS handshake failed", result.Failure, StringComparison.Ordinal);
        Hostile.AssertSafe(result.Failure);
    }

    [Fact]
    public async Task Hostile_ImmediateClose_IsDown()
    {
        await using var server = new LoopbackTcpServer((c, _) =>
        {
            c.Socket.Shutdown(SocketShutdown.Both);
            return Task.CompletedTask;
        });
        using var checker = Checkers.Create(s_check);
        var result = await checker.CheckAsync(Target(server), Token);
        Assert.False(result.IsUp);
        Assert.True(result.Failure is "no data received" or "connection reset", result.Failure);
    }

    [Fact]
    public async Task Hostile_GarbageWithEscapesAndInvalidUtf8_IsDown_AndTheFailureTextIsSafe()
    {
        await using var server = new LoopbackTcpServer(async (c, ct) =>
        {
            await c.ReadUntilAsync("\r\n\r\n", ct);
            await c.SendAsync(Hostile.Bytes, ct);
            c.Socket.Shutdown(SocketShutdown.Send);
        });
        using var checker = Checkers.Create(s_check);
        var result = await checker.CheckAsync(Target(server), Token);
        Assert.False(result.IsUp);
        Hostile.AssertSafe(result.Failure);
        Assert.Contains("\\x1b[2J", result.Failure, StringComparison.Ordinal); // escaped, not dropped
    }

    [Fact]
    public async Task Hostile_GarbageWithoutAHeadEnd_IsDown_AndSafe()
    {
        await using var server = new LoopbackTcpServer(async (c, ct) =>
        {
            await c.ReadUntilAsync("\r\n\r\n", ct);
            await c.SendAsync(Hostile.Bytes.AsMemory(0, 40), ct);
            c.Socket.Shutdown(SocketShutdown.Send);
        });
        using var checker = Checkers.Create(s_check);
        var result = await checker.CheckAsync(Target(server), Token);
        Assert.False(result.IsUp);
        Assert.StartsWith("no complete response head received", result.Failure, StringComparison.Ordinal);
        Hostile.AssertSafe(result.Failure);
    }

    [Fact]
    public async Task Hostile_EndlessHeaders_AreCut()
    {
        await using var server = new LoopbackTcpServer(async (c, ct) =>
        {
            await c.ReadUntilAsync("\r\n\r\n", ct);
            await c.SendAsync("HTTP/1.0 200 OK\r\n", ct);
            var line = Encoding.ASCII.GetBytes("X-Endless: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n");
            while (!ct.IsCancellationRequested)
            {
                await c.SendAsync(line, ct);
            }
        });
        using var checker = Checkers.Create(s_check);
        var result = await checker.CheckAsync(Target(server), Token);
        Assert.False(result.IsUp);
        Assert.StartsWith($"response head longer than {HttpChecker.MaxHeadBytes} bytes", result.Failure, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Hostile_TooManyHeaderLines_AreRefused()
    {
        var head = new StringBuilder("HTTP/1.0 200 OK\r\n");
        for (var i = 0; i <= HttpChecker.MaxHeaderLines; i++)
        {
            head.Append("A: b\r\n");
        }

        await using var server = Answering(_ => head + "\r\nok");
        using var checker = Checkers.Create(s_check);
        var result = await checker.CheckAsync(Target(server), Token);
        Assert.False(result.IsUp);
        Assert.Equal($"more than {HttpChecker.MaxHeaderLines} header lines", result.Failure);
    }

    [Fact]
    public async Task Hostile_OneByteASecond_EndsAtTheTimeout()
    {
        await using var server = new LoopbackTcpServer(async (c, ct) =>
        {
            await c.ReadUntilAsync("\r\n\r\n", ct);
            foreach (var b in Encoding.ASCII.GetBytes(Response(200, "ok")))
            {
                await c.SendAsync(new[] { b }, ct);
                await Task.Delay(TimeSpan.FromSeconds(1), ct);
            }
        });
        using var checker = Checkers.Create(s_check with { Timeout = TimeSpan.FromMilliseconds(700) });
        var clock = Stopwatch.StartNew();
        var result = await checker.CheckAsync(Target(server), Token);
        Assert.False(result.IsUp);
        Assert.Equal("timed out after 700ms", result.Failure);
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(600), TimeSpan.FromSeconds(2));
    }

    private static X509Certificate2 SelfSigned()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=ipvs-checker-test", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);
    }
}
