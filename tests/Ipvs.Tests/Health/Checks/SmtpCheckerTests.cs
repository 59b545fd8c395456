using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Ipvs.Health.Checks;

namespace Ipvs.Tests.Health.Checks;

/// <summary>SMTP_CHECK against small SMTP servers on 127.0.0.1, well-behaved and hostile.</summary>
public sealed class SmtpCheckerTests
{
    private static readonly SmtpCheck s_check = new() { Timeout = TimeSpan.FromMilliseconds(700) };

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static CheckTarget Target(LoopbackTcpServer server) => new(IPAddress.Loopback, server.Port, 1);

    /// <summary>A server that greets, answers HELO and QUIT as told, and records what it was sent.</summary>
    private static LoopbackTcpServer Server(string greeting, string helo = "250 hello\r\n", string quit = "221 bye\r\n", List<string>? said = null) => new(async (c, ct) =>
    {
        await c.SendAsync(greeting, ct);
        var line = await c.ReadUntilAsync("\r\n", ct);
        lock (said ?? [])
        {
            said?.Add(line);
        }

        await c.SendAsync(helo, ct);
        line = await c.ReadUntilAsync("\r\n", ct);
        lock (said ?? [])
        {
            said?.Add(line);
        }

        await c.SendAsync(quit, ct);
        c.Socket.Shutdown(SocketShutdown.Send);
    });

    [Fact]
    public async Task Dialogue_GreetingHeloQuit()
    {
        var said = new List<string>();
        await using var server = Server("220 mail.example.org ESMTP\r\n", said: said);
        using var checker = Checkers.Create(s_check);
        var result = await checker.CheckAsync(Target(server), Token);
        Assert.True(result.IsUp, result.Failure);
        Assert.Equal(["HELO smtpchecker.keepalived.org\r\n", "QUIT\r\n"], said);
    }

    [Fact]
    public async Task HeloName_IsSent()
    {
        var said = new List<string>();
        await using var server = Server("220 ok\r\n", said: said);
        using var checker = Checkers.Create(s_check with { HeloName = "director.example.org" });
        Assert.True((await checker.CheckAsync(Target(server), Token)).IsUp);
        Assert.Equal("HELO director.example.org\r\n", said[0]);
    }

    [Theory]
    [InlineData("554 go away\r\n", "greeting is not 220: 554 go away\\r")]
    [InlineData("220-multi line\r\n220 ok\r\n", "greeting is not 220: 220-multi line\\r")]
    [InlineData("221 bye\r\n", "greeting is not 220: 221 bye\\r")]
    public async Task Greeting_MustBe220(string greeting, string failure)
    {
        await using var server = Server(greeting);
        using var checker = Checkers.Create(s_check);
        var result = await checker.CheckAsync(Target(server), Token);
        Assert.False(result.IsUp);
        Assert.Equal(failure, result.Failure);
    }

    [Fact]
    public async Task Helo_MustBe250()
    {
        await using var server = Server("220 ok\r\n", helo: "501 who?\r\n");
        using var checker = Checkers.Create(s_check);
        var result = await checker.CheckAsync(Target(server), Token);
        Assert.False(result.IsUp);
        Assert.Equal("HELO answer is not 250: 501 who?\\r", result.Failure);
    }

    [Fact]
    public async Task Quit_MustBeAnswered()
    {
        await using var server = Server("220 ok\r\n", quit: string.Empty);
        using var checker = Checkers.Create(s_check);
        var result = await checker.CheckAsync(Target(server), Token);
        Assert.False(result.IsUp);
        Assert.Equal("QUIT answer: the server closed the connection", result.Failure);
    }

    [Fact]
    public void Status_IsThreeDigitsThenASpaceOrTheEnd()
    {
        Assert.Equal(220, SmtpChecker.Status("220 x"u8));
        Assert.Equal(220, SmtpChecker.Status("220"u8));
        Assert.Equal(-1, SmtpChecker.Status("220-x"u8));
        Assert.Equal(-1, SmtpChecker.Status("2200"u8));
        Assert.Equal(-1, SmtpChecker.Status(" 220 x"u8));
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
        Assert.True(result.Failure is "greeting: the server closed the connection" or "connection reset", result.Failure);
    }

    [Fact]
    public async Task Hostile_EndlessLine_IsCut()
    {
        await using var server = new LoopbackTcpServer(async (c, ct) =>
        {
            var chunk = Encoding.ASCII.GetBytes(new string('2', 4096));
            while (!ct.IsCancellationRequested)
            {
                await c.SendAsync(chunk, ct);
            }
        });
        using var checker = Checkers.Create(s_check);
        var result = await checker.CheckAsync(Target(server), Token);
        Assert.False(result.IsUp);
        Assert.StartsWith($"greeting: line longer than {SmtpChecker.MaxLineBytes} bytes", result.Failure, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Hostile_Garbage_IsDown_AndTheFailureTextIsSafe()
    {
        await using var server = new LoopbackTcpServer(async (c, ct) => await c.SendAsync(Hostile.Bytes, ct));
        using var checker = Checkers.Create(s_check);
        var result = await checker.CheckAsync(Target(server), Token);
        Assert.False(result.IsUp);
        Assert.StartsWith("greeting is not 220: HTTP/1.1 \\x1b[2J", result.Failure, StringComparison.Ordinal);
        Hostile.AssertSafe(result.Failure);
    }

    [Fact]
    public async Task Hostile_OneByteASecond_EndsAtTheTimeout()
    {
        await using var server = new LoopbackTcpServer(async (c, ct) =>
        {
            foreach (var b in "220 slow\r\n"u8.ToArray())
            {
                await c.SendAsync(new[] { b }, ct);
                await Task.Delay(TimeSpan.FromSeconds(1), ct);
            }
        });
        using var checker = Checkers.Create(s_check);
        var clock = Stopwatch.StartNew();
        var result = await checker.CheckAsync(Target(server), Token);
        Assert.False(result.IsUp);
        Assert.Equal("timed out after 700ms", result.Failure);
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(600), TimeSpan.FromSeconds(2));
    }
}
