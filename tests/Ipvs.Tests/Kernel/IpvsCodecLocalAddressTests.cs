using System.Net;
using System.Net.Sockets;
using Ipvs.Kernel;
using Ipvs.Model;
using Ipvs.Netlink;

namespace Ipvs.Tests.Kernel;

/// <summary>
/// The FULLNAT extension's local-address requests. No kernel here has that extension, so the
/// encoding is pinned byte for byte against the layout kwanhur/ipvs and the FULLNAT kernels use.
/// </summary>
public sealed class IpvsCodecLocalAddressTests
{
    [Fact]
    public void AddLocalAddress_IsNewLaddrWithServiceKeyAndSixteenByteAddress()
    {
        using var writer = new NetlinkMessageWriter(256);
        var service = VirtualServiceKey.Parse("tcp/198.51.100.1:80");

        IpvsCodec.WriteOperation(writer, 0x1d, IpvsOperation.AddLocalAddress(service, IPAddress.Parse("192.0.2.7")));

        var reader = new NetlinkMessageReader(writer.WrittenSpan);
        Assert.True(reader.TryRead(out var message));
        Assert.Equal((ushort)0x1d, message.Type);
        Assert.Equal(18, message.GenericCommand);
        Assert.Equal(NetlinkConstants.FlagRequest | NetlinkConstants.FlagAck, message.Flags);
        var attributes = message.Attributes(GenericNetlink.HeaderLength);

        Assert.True(attributes.TryRead(out var type, out var serviceNest));
        Assert.Equal(IpvsGenl.AttrService, type);
        Assert.Equal(service, IpvsCodec.DecodeService(serviceNest).Key);

        Assert.True(attributes.TryRead(out type, out var laddr));
        Assert.Equal(7, type);
        var fields = new NetlinkAttributeReader(laddr);
        Assert.True(fields.TryRead(out type, out var address));
        Assert.Equal(1, type);
        Assert.Equal(new byte[] { 192, 0, 2, 7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, address.ToArray());
        Assert.False(fields.TryRead(out _, out _));
        Assert.False(attributes.TryRead(out _, out _));
    }

    [Fact]
    public void DeleteLocalAddress_IsDelLaddr()
    {
        using var writer = new NetlinkMessageWriter(256);

        IpvsCodec.WriteOperation(writer, 0x1d, IpvsOperation.DeleteLocalAddress(VirtualServiceKey.Parse("udp/[2001:db8::1]:53"), IPAddress.Parse("2001:db8::7")));

        var reader = new NetlinkMessageReader(writer.WrittenSpan);
        Assert.True(reader.TryRead(out var message));
        Assert.Equal(19, message.GenericCommand);
    }

    [Fact]
    public void DecodeLocalAddress_ReadsAddressConflictsAndConnections()
    {
        using var writer = new NetlinkMessageWriter(256);
        writer.BeginMessage(0x1d, NetlinkConstants.FlagMulti, 1);
        writer.WriteGenericHeader(18, 1);
        var nest = writer.BeginNested(7);
        writer.WriteAddress(1, IPAddress.Parse("2001:db8::7"), 16);
        writer.WriteU64(2, 5);
        writer.WriteU32(3, 12);
        writer.EndNested(nest);
        writer.EndMessage();

        var reader = new NetlinkMessageReader(writer.WrittenSpan);
        Assert.True(reader.TryRead(out var message));
        var local = IpvsCodec.DecodeLocalAddress(message, AddressFamily.InterNetworkV6);

        Assert.Equal(IPAddress.Parse("2001:db8::7"), local.Address);
        Assert.Equal(5ul, local.PortConflicts);
        Assert.Equal(12u, local.Connections);
    }
}
