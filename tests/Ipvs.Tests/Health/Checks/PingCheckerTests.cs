using System.Buffers.Binary;
using System.Net;
using Ipvs.Health.Checks;

namespace Ipvs.Tests.Health.Checks;

/// <summary>PING_CHECK: echo requests to the loopback addresses (the host runs the tests as root, for the raw socket), and the reply matching.</summary>
public sealed class PingCheckerTests
{
    private static readonly PingCheck s_check = new() { Timeout = TimeSpan.FromSeconds(1) };

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Loopback_IPv4_IsUp()
    {
        using var checker = Checkers.Create(s_check);
        var result = await checker.CheckAsync(new CheckTarget(IPAddress.Loopback, 0, 1), Token);
        Assert.True(result.IsUp, result.Failure);
    }

    [Fact]
    public async Task Loopback_IPv6_IsUp()
    {
        using var checker = Checkers.Create(s_check);
        var result = await checker.CheckAsync(new CheckTarget(IPAddress.IPv6Loopback, 0, 1), Token);
        Assert.True(result.IsUp, result.Failure);
    }

    [Fact]
    public void EchoRequest_IPv4_HasAValidChecksum()
    {
        var packet = PingChecker.BuildEchoRequest(v6: false, 0x1234, 7);
        Assert.Equal(8, packet[0]);
        Assert.Equal(0x1234, BinaryPrimitives.ReadUInt16BigEndian(packet.AsSpan(4)));
        Assert.Equal(7, BinaryPrimitives.ReadUInt16BigEndian(packet.AsSpan(6)));
        uint sum = 0;
        for (var i = 0; i < packet.Length; i += 2)
        {
            sum += BinaryPrimitives.ReadUInt16BigEndian(packet.AsSpan(i));
        }

        while (sum >> 16 != 0)
        {
            sum = (sum & 0xFFFF) + (sum >> 16);
        }

        Assert.Equal(0xFFFFu, sum);
        Assert.Equal(128, PingChecker.BuildEchoRequest(v6: true, 1, 1)[0]);
    }

    [Fact]
    public void Reply_OnlyTheMatchingEchoReplyCounts()
    {
        byte[] Reply(byte type, ushort id, ushort seq)
        {
            var icmp = new byte[16];
            icmp[0] = type;
            BinaryPrimitives.WriteUInt16BigEndian(icmp.AsSpan(4), id);
            BinaryPrimitives.WriteUInt16BigEndian(icmp.AsSpan(6), seq);
            return [0x45, .. new byte[19], .. icmp]; // behind a 20-byte IPv4 header, as a raw socket gives it
        }

        Assert.True(PingChecker.IsEchoReply(Reply(0, 9, 3), v6: false, raw: true, 9, 3));
        Assert.False(PingChecker.IsEchoReply(Reply(8, 9, 3), v6: false, raw: true, 9, 3));  // our own request, seen on loopback
        Assert.False(PingChecker.IsEchoReply(Reply(0, 8, 3), v6: false, raw: true, 9, 3));  // another pinger's
        Assert.False(PingChecker.IsEchoReply(Reply(0, 9, 4), v6: false, raw: true, 9, 3));  // an older sequence
        Assert.False(PingChecker.IsEchoReply(Reply(3, 9, 3), v6: false, raw: true, 9, 3));  // unreachable
        Assert.True(PingChecker.IsEchoReply(Reply(0, 1, 3)[20..], v6: false, raw: false, 9, 3)); // datagram socket: the kernel owns the id
        Assert.False(PingChecker.IsEchoReply([0, 0], v6: false, raw: false, 9, 3));
    }
}
