using System.Net;
using System.Text;
using Ipvs.Health.Checks;

namespace Ipvs.Tests.Health.Checks;

/// <summary>UDP_CHECK against responders on 127.0.0.1.</summary>
public sealed class UdpCheckerTests
{
    private static readonly UdpCheck s_check = new() { Timeout = TimeSpan.FromMilliseconds(300) };

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static CheckTarget Target(ushort port) => new(IPAddress.Loopback, port, 1);

    [Fact]
    public async Task Payload_IsSent_AndWithoutOneKeepalivedsFiller()
    {
        await using var server = new LoopbackUdpServer(_ => [[1]]);
        using (var checker = Checkers.Create(s_check with { Payload = new byte[] { 0xde, 0xad, 0xbe, 0xef } }))
        {
            Assert.True((await checker.CheckAsync(Target(server.Port), Token)).IsUp);
        }

        using (var checker = Checkers.Create(s_check))
        {
            Assert.True((await checker.CheckAsync(Target(server.Port), Token)).IsUp);
        }

        Assert.Equal(new byte[] { 0xde, 0xad, 0xbe, 0xef }, server.Received[0]);
        Assert.Equal("keepalived check - keepalived c", Encoding.ASCII.GetString(server.Received[1])[..31]);
        Assert.Equal(32, server.Received[1].Length);
    }

    [Fact]
    public async Task Silence_IsUp_UnlessAReplyIsRequired()
    {
        await using var server = new LoopbackUdpServer(_ => []);
        using var silent = Checkers.Create(s_check);
        Assert.True((await silent.CheckAsync(Target(server.Port), Token)).IsUp);

        using var requiring = Checkers.Create(s_check with { RequireReply = true });
        var result = await requiring.CheckAsync(Target(server.Port), Token);
        Assert.False(result.IsUp);
        Assert.Equal("no reply within 300ms", result.Failure);
    }

    [Fact]
    public async Task PortUnreachable_IsDown_EvenWithoutRequireReply()
    {
        using var checker = Checkers.Create(s_check);
        var result = await checker.CheckAsync(Target(LoopbackUdpServer.ClosedPort()), Token);
        Assert.False(result.IsUp);
        Assert.Equal("connection refused", result.Failure);
    }

    [Theory]
    [InlineData(new byte[] { 0x50, 0x4f, 0x4e, 0x47 }, true)]        // PONG
    [InlineData(new byte[] { 0x50, 0x4f, 0x4e, 0x47, 0x21 }, true)]  // longer: compared over the expected length
    [InlineData(new byte[] { 0x50, 0x4f }, true)]                    // shorter: keepalived compares the shorter
    [InlineData(new byte[] { 0x50, 0x49, 0x4e, 0x47 }, false)]       // PING
    public async Task RequireReply_ComparesOverTheShorter(byte[] reply, bool up)
    {
        await using var server = new LoopbackUdpServer(_ => [reply]);
        using var checker = Checkers.Create(s_check with { RequireReply = true, ExpectedReply = "PONG"u8.ToArray() });
        var result = await checker.CheckAsync(Target(server.Port), Token);
        Assert.Equal(up, result.IsUp);
    }

    [Fact]
    public async Task RequireReply_AnyReplyWithoutExpectedBytes()
    {
        await using var server = new LoopbackUdpServer(_ => [new byte[1000]]);
        using var checker = Checkers.Create(s_check with { RequireReply = true });
        Assert.True((await checker.CheckAsync(Target(server.Port), Token)).IsUp);
    }

    [Fact]
    public async Task Hostile_LongReply_IsDown_WhenBytesAreExpected()
    {
        await using var server = new LoopbackUdpServer(_ => [new byte[60000]]);
        using var checker = Checkers.Create(s_check with { RequireReply = true, ExpectedReply = new byte[] { 0 } });
        var result = await checker.CheckAsync(Target(server.Port), Token);
        Assert.False(result.IsUp);
        Assert.Equal("reply of 60000 bytes, longer than 255", result.Failure);
    }

    [Fact]
    public async Task Hostile_GarbageReply_IsDown_AndTheFailureTextIsSafe()
    {
        await using var server = new LoopbackUdpServer(_ => [Hostile.Bytes]);
        using var checker = Checkers.Create(s_check with { RequireReply = true, ExpectedReply = "PONG"u8.ToArray() });
        var result = await checker.CheckAsync(Target(server.Port), Token);
        Assert.False(result.IsUp);
        Assert.StartsWith("unexpected reply: HTTP/1.1 \\x1b[2J", result.Failure, StringComparison.Ordinal);
        Hostile.AssertSafe(result.Failure);
    }
}
