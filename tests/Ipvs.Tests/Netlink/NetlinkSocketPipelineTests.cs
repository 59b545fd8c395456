using Ipvs.Netlink;

namespace Ipvs.Tests.Netlink;

public sealed class NetlinkSocketPipelineTests
{
    private const int Eexist = 17;
    private const int Ebusy = 16;

    [Fact]
    public void Execute_ManyRequests_ReturnsEachOutcomeInOrderWithKernelMessages()
    {
        using var kernel = new FakeKernel((request, _) =>
            [FakeKernel.Ack(request.Sequence, request.Payload[4] == 2 ? Eexist : 0, request.Payload[4] == 2 ? "already there" : null)]);

        var outcomes = kernel.Socket.Execute(Requests(3, dump: false), handler: null, TestContext.Current.CancellationToken);

        Assert.Equal(3, outcomes.Length);
        Assert.Equal(new[] { 0, 0, Eexist }, outcomes.Select(o => o.Errno));
        Assert.Equal("already there", outcomes[2].KernelMessage);
        Assert.Single(kernel.DatagramSizes); // all three went out in one send
        Assert.All(kernel.Requests, r => Assert.NotEqual(0, r.Flags & NetlinkConstants.FlagAck));
    }

    [Fact]
    public void Execute_RepliesOutOfOrderAndStaleReplies_AreMatchedBySequence()
    {
        using var kernel = new FakeKernel(ReplyReversedWithNoise);

        var outcomes = kernel.Socket.Execute(Requests(4, dump: false), handler: null, TestContext.Current.CancellationToken);

        // Request i (marker i in its payload) fails with errno 100 + i.
        Assert.Equal(new[] { 100, 101, 102, 103 }, outcomes.Select(o => o.Errno));

        static IEnumerable<byte[]> ReplyReversedWithNoise(FakeRequest request, int seen) =>
            [FakeKernel.Concat(FakeKernel.Ack(request.Sequence + 1000, 99), FakeKernel.Ack(request.Sequence, 100 + request.Payload[4]))];
    }

    [Fact]
    public void Execute_Dump_DeliversEveryPartAcrossDatagrams()
    {
        using var kernel = new FakeKernel((request, _) =>
        [
            FakeKernel.Concat(FakeKernel.Data(request.Sequence, 1), FakeKernel.Data(request.Sequence, 2)),
            FakeKernel.Data(request.Sequence, 3),
            FakeKernel.Concat(FakeKernel.Data(request.Sequence, 4), FakeKernel.Done(request.Sequence)),
        ]);
        var handler = new RecordingHandler();

        var outcomes = kernel.Socket.Execute(Requests(1, dump: true), handler, TestContext.Current.CancellationToken);

        Assert.True(outcomes[0].Succeeded);
        Assert.Equal(new uint[] { 1, 2, 3, 4 }, handler.Values[0]);
        Assert.Equal(0, kernel.Requests[0].Flags & NetlinkConstants.FlagAck);
    }

    [Fact]
    public void Execute_DumpRefusedAsBusy_IsSentAgainAndSucceeds()
    {
        // The second dump of a window is refused (one dump at a time per socket), as the kernel does.
        using var kernel = new FakeKernel((request, seen) => request.Payload[4] == 1 && seen == 0
            ? [FakeKernel.Ack(request.Sequence, Ebusy)]
            : [FakeKernel.Concat(FakeKernel.Data(request.Sequence, 10u + request.Payload[4]), FakeKernel.Done(request.Sequence))]);
        var handler = new RecordingHandler();

        var outcomes = kernel.Socket.Execute(Requests(3, dump: true), handler, TestContext.Current.CancellationToken);

        Assert.All(outcomes, o => Assert.True(o.Succeeded));
        Assert.Equal(new uint[] { 10 }, handler.Values[0]);
        Assert.Equal(new uint[] { 11 }, handler.Values[1]);
        Assert.Equal(new uint[] { 12 }, handler.Values[2]);
        Assert.Equal(4, kernel.Requests.Count);
    }

    [Fact]
    public void Execute_InterruptedDump_RestartsAndKeepsOnlyTheSecondAttempt()
    {
        using var kernel = new FakeKernel((request, seen) => seen == 0
            ? [FakeKernel.Concat(FakeKernel.Data(request.Sequence, 1), FakeKernel.Data(request.Sequence, 2, NetlinkConstants.FlagMulti | NetlinkConstants.FlagDumpInterrupted), FakeKernel.Done(request.Sequence))]
            : [FakeKernel.Concat(FakeKernel.Data(request.Sequence, 7), FakeKernel.Done(request.Sequence))]);
        var handler = new RecordingHandler();

        var outcomes = kernel.Socket.Execute(Requests(1, dump: true), handler, TestContext.Current.CancellationToken);

        Assert.True(outcomes[0].Succeeded);
        Assert.Equal(new uint[] { 7 }, handler.Values[0]);
        Assert.Equal(1, handler.Restarts);
    }

    [Fact]
    public void Execute_DumpEndingWithAnError_ReportsIt()
    {
        using var kernel = new FakeKernel((request, _) => [FakeKernel.Done(request.Sequence, errno: 22)]);

        var outcomes = kernel.Socket.Execute(Requests(1, dump: true), new RecordingHandler(), TestContext.Current.CancellationToken);

        Assert.Equal(22, outcomes[0].Errno);
    }

    [Fact]
    public void Execute_MoreThanOneWindow_SplitsSendsAndKeepsOrder()
    {
        // A 16 KiB receive buffer leaves room for only a few replies in flight.
        using var kernel = new FakeKernel((request, _) => [FakeKernel.Ack(request.Sequence, request.Payload[4] % 3 == 0 ? Eexist : 0)], sendBufferSize: 32 * 1024, receiveBufferSize: 16 * 1024);

        var outcomes = kernel.Socket.Execute(Requests(200, dump: false), handler: null, TestContext.Current.CancellationToken);

        Assert.Equal(Enumerable.Range(0, 200).Select(i => (i % 256) % 3 == 0 ? Eexist : 0), outcomes.Select(o => o.Errno));
        Assert.True(kernel.DatagramSizes.Count > 1, "the requests should have gone out in several windows");
        Assert.All(kernel.DatagramSizes, size => Assert.True(size <= 16 * 1024));
        var sequences = kernel.Requests.Select(r => r.Sequence).ToArray();
        Assert.Equal(sequences.Length, sequences.Distinct().Count());
    }

    [Fact]
    public void Execute_NoReply_TimesOut()
    {
        using var kernel = new FakeKernel((_, _) => [], timeout: TimeSpan.FromMilliseconds(300));

        Assert.Throws<TimeoutException>(() => kernel.Socket.Execute(Requests(1, dump: false), handler: null, TestContext.Current.CancellationToken));
    }

    [Fact]
    public void Execute_CancelledWhileWaiting_Throws()
    {
        using var kernel = new FakeKernel((_, _) => []);
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(250));

        Assert.ThrowsAny<OperationCanceledException>(() => kernel.Socket.Execute(Requests(1, dump: false), handler: null, cancellation.Token));
    }

    [Fact]
    public void ParseTerminator_UncappedError_SkipsTheEchoedRequestBeforeTheTlvs()
    {
        using var writer = new NetlinkMessageWriter();
        writer.BeginMessage(NetlinkConstants.TypeError, NetlinkConstants.FlagAckTlvs, 9);
        var body = writer.WriteFixedHeader(4 + 24);
        BitConverter.TryWriteBytes(body, -22);
        BitConverter.TryWriteBytes(body[4..], 24u); // the echoed request: a 24-byte message
        writer.WriteString(NetlinkConstants.ErrorAttributeMessage, "bad attribute");
        writer.EndMessage();
        var reader = new NetlinkMessageReader(writer.WrittenSpan);
        Assert.True(reader.TryRead(out var message));

        var (errno, text) = NetlinkSocket.ParseTerminator(message);

        Assert.Equal(22, errno);
        Assert.Equal("bad attribute", text);
    }

    /// <summary>Requests whose payload carries a marker byte (their index) at offset 4 (after the generic header).</summary>
    private static byte[] Requests(int count, bool dump)
    {
        using var writer = new NetlinkMessageWriter();
        for (var i = 0; i < count; i++)
        {
            writer.BeginMessage(0x20, dump ? NetlinkConstants.FlagDump : (ushort)0, 0);
            writer.WriteGenericHeader(4, 1);
            writer.WriteFixedHeader(4)[0] = (byte)i;
            writer.WriteBytes(2, new byte[64]);
            writer.EndMessage();
        }

        return writer.WrittenSpan.ToArray();
    }

    private sealed class RecordingHandler : INetlinkReplyHandler
    {
        public Dictionary<int, List<uint>> Values { get; } = [];

        public int Restarts { get; private set; }

        public void OnMessage(int request, NetlinkMessage message)
        {
            var attributes = message.Attributes(GenericNetlink.HeaderLength);
            Assert.True(attributes.TryRead(out _, out var value));
            if (!Values.TryGetValue(request, out var list))
            {
                Values[request] = list = [];
            }

            list.Add(NetlinkAttributeReader.ReadU32(value));
        }

        public void OnRestart(int request)
        {
            Restarts++;
            Values.Remove(request);
        }
    }
}
