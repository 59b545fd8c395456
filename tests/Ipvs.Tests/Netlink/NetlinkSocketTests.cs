using Ipvs.Netlink;

namespace Ipvs.Tests.Netlink;

/// <summary>Runs against the host kernel's generic netlink controller (nlctrl), which every Linux has.</summary>
public sealed class NetlinkSocketTests
{
    private sealed class CountingHandler : INetlinkReplyHandler
    {
        public int Messages { get; private set; }

        public void OnMessage(int request, NetlinkMessage message) => Messages++;

        public void OnRestart(int request)
        {
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(8)]
    [InlineData(40)]
    [InlineData(300)]
    public void Execute_MoreRepliesThanReceiveSlots_LosesNone(int requests)
    {
        // Each request gets a reply and an ACK, two datagrams: a batch fills the first receive
        // slots exactly (8) or many times over, which once dropped the datagrams just received.
        using var socket = NetlinkSocket.Open(NetlinkConstants.ProtocolGeneric, 1 << 20, timeout: TimeSpan.FromSeconds(5));
        using var writer = new NetlinkMessageWriter(256);
        for (var i = 0; i < requests; i++)
        {
            GenericNetlink.WriteGetFamily(writer, "nlctrl");
        }

        var handler = new CountingHandler();
        var outcomes = socket.Execute(writer.WrittenSpan, handler, TestContext.Current.CancellationToken);

        Assert.Equal(requests, outcomes.Length);
        Assert.All(outcomes, o => Assert.True(o.Succeeded, o.ToString()));
        Assert.Equal(requests, handler.Messages);
    }
}
