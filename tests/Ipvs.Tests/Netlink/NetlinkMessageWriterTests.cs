using Ipvs.Netlink;

namespace Ipvs.Tests.Netlink;

public sealed class NetlinkMessageWriterTests
{
    [Fact]
    public void Message_WithAttributes_HasPatchedLengthAndPaddedAttributes()
    {
        using var writer = new NetlinkMessageWriter(16);
        writer.BeginMessage(0x1c, NetlinkConstants.FlagRequest, 7);
        writer.WriteGenericHeader(4, 1);
        writer.WriteU8(1, 0xab);
        writer.WriteString(2, "rr");
        writer.EndMessage();

        var bytes = writer.WrittenSpan.ToArray();
        // 16 header + 4 genl + 8 (u8 padded) + 8 ("rr\0" padded)
        Assert.Equal(36, bytes.Length);
        Assert.Equal(36u, BitConverter.ToUInt32(bytes, 0));
        Assert.Equal((ushort)0x1c, BitConverter.ToUInt16(bytes, 4));
        Assert.Equal(7u, BitConverter.ToUInt32(bytes, 8));
        Assert.Equal(new byte[] { 5, 0, 1, 0, 0xab, 0, 0, 0 }, bytes[20..28]);
        Assert.Equal(new byte[] { 7, 0, 2, 0, (byte)'r', (byte)'r', 0, 0 }, bytes[28..36]);
    }

    [Fact]
    public void Nested_Attribute_LengthCoversChildrenAndHasNestedBit()
    {
        using var writer = new NetlinkMessageWriter(16);
        writer.BeginMessage(0x10, NetlinkConstants.FlagRequest, 1);
        var nest = writer.BeginNested(1);
        writer.WriteU32(5, 42);
        writer.WriteBigEndianU16(4, 80);
        writer.EndNested(nest);
        writer.EndMessage();

        var bytes = writer.WrittenSpan.ToArray();
        Assert.Equal(4 + 8 + 8, BitConverter.ToUInt16(bytes, 16));
        Assert.Equal(0x8001, BitConverter.ToUInt16(bytes, 18));
        Assert.Equal(new byte[] { 0, 80 }, bytes[32..34]);
    }

    [Fact]
    public void Reader_ReadsBackWhatWriterWrote()
    {
        using var writer = new NetlinkMessageWriter(16);
        writer.BeginMessage(0x20, 0, 3);
        writer.WriteGenericHeader(1, 1);
        writer.WriteU64(9, ulong.MaxValue - 1);
        writer.WriteString(6, "wlc");
        writer.EndMessage();

        var reader = new NetlinkMessageReader(writer.WrittenSpan);
        Assert.True(reader.TryRead(out var message));
        Assert.Equal(3u, message.Sequence);
        var attributes = message.Attributes(GenericNetlink.HeaderLength);
        Assert.True(attributes.TryRead(out var type, out var value));
        Assert.Equal(9, type);
        Assert.Equal(ulong.MaxValue - 1, NetlinkAttributeReader.ReadU64(value));
        Assert.True(attributes.TryRead(out type, out value));
        Assert.Equal("wlc", NetlinkAttributeReader.ReadString(value));
        Assert.False(attributes.TryRead(out _, out _));
        Assert.False(reader.TryRead(out _));
    }

    [Fact]
    public void Reader_RejectsAnAttributeLongerThanItsMessage()
    {
        byte[] bytes = [200, 0, 1, 0, 0, 0, 0, 0];
        Assert.Throws<NetlinkProtocolException>(() =>
        {
            var reader = new NetlinkAttributeReader(bytes);
            reader.TryRead(out _, out _);
        });
    }
}
