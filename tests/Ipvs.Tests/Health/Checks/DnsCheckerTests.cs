using System.Buffers.Binary;
using System.Net;
using Ipvs.Health.Checks;

namespace Ipvs.Tests.Health.Checks;

/// <summary>DNS_CHECK against a small DNS responder on 127.0.0.1.</summary>
public sealed class DnsCheckerTests
{
    private static readonly DnsCheck s_check = new() { Timeout = TimeSpan.FromMilliseconds(400), QueryType = "A", Name = "www.example.org" };

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static CheckTarget Target(ushort port) => new(IPAddress.Loopback, port, 1);

    /// <summary>An answer to <paramref name="query"/>: its header with QR (and RA) set, the rcode and the answer count given.</summary>
    private static byte[] Answer(byte[] query, int rcode, ushort answers = 1, ushort? id = null, bool response = true)
    {
        var answer = (byte[])query.Clone();
        if (id is { } other)
        {
            BinaryPrimitives.WriteUInt16BigEndian(answer, other);
        }

        var flags = (ushort)(BinaryPrimitives.ReadUInt16BigEndian(answer.AsSpan(2)) | (response ? 0x8080 : 0) | rcode);
        BinaryPrimitives.WriteUInt16BigEndian(answer.AsSpan(2), flags);
        BinaryPrimitives.WriteUInt16BigEndian(answer.AsSpan(6), answers);
        return answer;
    }

    [Fact]
    public async Task Query_IsOneQuestionWithRecursionDesired()
    {
        await using var server = new LoopbackUdpServer(q => [Answer(q, 0)]);
        using var checker = Checkers.Create(s_check);
        Assert.True((await checker.CheckAsync(Target(server.Port), Token)).IsUp);
        var query = Assert.Single(server.Received);
        Assert.Equal(0x0100, BinaryPrimitives.ReadUInt16BigEndian(query.AsSpan(2))); // RD only
        Assert.Equal(new byte[] { 0, 1, 0, 0, 0, 0, 0, 0 }, query[4..12]);          // QD 1, AN/NS/AR 0
        Assert.Equal([3, .. "www"u8, 7, .. "example"u8, 3, .. "org"u8, 0, 0, 1, 0, 1], query[12..]);
    }

    [Theory]
    [InlineData("", new byte[] { 0, 0, 6, 0, 1 })]
    [InlineData(".", new byte[] { 0, 0, 6, 0, 1 })]
    [InlineData("example.org.", new byte[] { 7, 0x65, 0x78, 0x61, 0x6d, 0x70, 0x6c, 0x65, 3, 0x6f, 0x72, 0x67, 0, 0, 6, 0, 1 })]
    public void Question_RootAndTrailingDot(string name, byte[] expected) =>
        Assert.Equal(expected, DnsChecker.EncodeQuestion(name, 6));

    [Fact]
    public void UnknownType_IsRefused() =>
        Assert.Throws<ArgumentException>(() => Checkers.Create(s_check with { QueryType = "SRV" }));

    [Theory]
    [InlineData(0, 1, true)]
    [InlineData(0, 0, true)]   // keepalived looks at the rcode only: an empty NOERROR answer passes
    [InlineData(2, 0, false)]  // SERVFAIL
    [InlineData(3, 0, false)]  // NXDOMAIN
    [InlineData(5, 0, false)]  // REFUSED
    public async Task Rcode_DecidesAsKeepalivedDecides(int rcode, int answers, bool up)
    {
        await using var server = new LoopbackUdpServer(q => [Answer(q, rcode, (ushort)answers)]);
        using var checker = Checkers.Create(s_check);
        var result = await checker.CheckAsync(Target(server.Port), Token);
        Assert.Equal(up, result.IsUp);
        if (rcode == 3)
        {
            Assert.Equal("DNS error rcode 3 (NXDOMAIN)", result.Failure);
        }
    }

    [Fact]
    public async Task WrongIdsQueriesAndRuntsAreIgnored_TheRealAnswerCounts()
    {
        await using var server = new LoopbackUdpServer(q =>
        [
            Answer(q, 3, id: (ushort)(BinaryPrimitives.ReadUInt16BigEndian(q) ^ 0xFFFF)), // someone else's NXDOMAIN
            Answer(q, 3, response: false),                                                // not a response
            [1, 2, 3],                                                                     // a runt
            Answer(q, 0),
        ]);
        using var checker = Checkers.Create(s_check);
        var result = await checker.CheckAsync(Target(server.Port), Token);
        Assert.True(result.IsUp, result.Failure);
    }

    [Fact]
    public async Task Silence_IsDown()
    {
        await using var server = new LoopbackUdpServer(_ => []);
        using var checker = Checkers.Create(s_check);
        var result = await checker.CheckAsync(Target(server.Port), Token);
        Assert.False(result.IsUp);
        Assert.Equal("no answer within 400ms", result.Failure);
    }

    [Fact]
    public async Task PortUnreachable_IsDown()
    {
        using var checker = Checkers.Create(s_check);
        var result = await checker.CheckAsync(Target(LoopbackUdpServer.ClosedPort()), Token);
        Assert.False(result.IsUp);
        Assert.Equal("connection refused", result.Failure);
    }

    [Fact]
    public async Task Hostile_GarbageFlood_IsDownAtTheTimeout_WithASafeText()
    {
        await using var server = new LoopbackUdpServer(_ => Enumerable.Repeat(Hostile.Bytes, 50));
        using var checker = Checkers.Create(s_check);
        var result = await checker.CheckAsync(Target(server.Port), Token);
        Assert.False(result.IsUp);
        Assert.Equal("no answer within 400ms", result.Failure);
        Hostile.AssertSafe(result.Failure);
    }
}
