using System.Net;
using System.Net.Sockets;
using FsCheck;
using FsCheck.Fluent;
using Ipvs.Kernel;
using Ipvs.Model;
using Ipvs.Netlink;

namespace Ipvs.Tests.Kernel;

public sealed class IpvsCodecTests
{
    private static readonly Config s_config = Config.QuickThrowOnFailure.WithMaxTest(300);

    [Fact]
    public void Service_EncodeThenDecode_GivesTheSameService() =>
        Check.One(s_config, Prop.ForAll(Arb.From(ModelGenerators.Service), service => RoundTrip(service) == service));

    [Fact]
    public void RealServer_EncodeThenDecode_GivesTheSameServer() =>
        Check.One(s_config, Prop.ForAll(Arb.From(ModelGenerators.Server), server => RoundTrip(server) == server));

    [Fact]
    public void Daemon_EncodeThenDecode_GivesTheSameDaemon() =>
        Check.One(s_config, Prop.ForAll(Arb.From(ModelGenerators.Daemon), daemon => RoundTrip(daemon) == daemon));

    [Fact]
    public void ServiceKey_Encoding_HasOnlyIdentifyingAttributes() =>
        Check.One(s_config, Prop.ForAll(Arb.From(ModelGenerators.Key), key =>
        {
            using var writer = new NetlinkMessageWriter();
            IpvsCodec.WriteServiceKey(writer, key);
            var types = new List<ushort>();
            var outer = new NetlinkAttributeReader(writer.WrittenSpan);
            outer.TryRead(out _, out var nest);
            var inner = new NetlinkAttributeReader(nest);
            while (inner.TryRead(out var type, out _))
            {
                types.Add(type);
            }

            return key.IsFirewallMark
                ? types.SequenceEqual([IpvsGenl.SvcAf, IpvsGenl.SvcFwmark])
                : types.SequenceEqual([IpvsGenl.SvcAf, IpvsGenl.SvcProtocol, IpvsGenl.SvcAddr, IpvsGenl.SvcPort]);
        }));

    [Fact]
    public void Port_IsSentInNetworkOrder_AndNetmaskAsTheKernelExpectsPerFamily()
    {
        using var writer = new NetlinkMessageWriter();
        IpvsCodec.WriteService(writer, new VirtualService(VirtualServiceKey.Parse("tcp/10.0.0.1:8080"))
        {
            Netmask = PersistenceNetmask.FromIPv4Mask(IPAddress.Parse("255.255.255.0")),
        });
        var attributes = Attributes(writer.WrittenSpan);

        Assert.Equal("1F90", attributes[IpvsGenl.SvcPort]); // 8080 big-endian
        Assert.Equal("FFFFFF00", attributes[IpvsGenl.SvcNetmask]); // the mask's bytes in network order (a __be32)
        Assert.Equal("0A000001000000000000000000000000", attributes[IpvsGenl.SvcAddr]); // the 16-byte union
        Assert.Equal("00000000FFFFFFFF", attributes[IpvsGenl.SvcFlags]); // { flags, mask = ~0 }

        writer.Reset();
        IpvsCodec.WriteService(writer, new VirtualService(VirtualServiceKey.Parse("udp/[2001:db8::1]:53")) { Netmask = PersistenceNetmask.FromPrefixLength(System.Net.Sockets.AddressFamily.InterNetworkV6, 64) });
        Assert.Equal("40000000", Attributes(writer.WrittenSpan)[IpvsGenl.SvcNetmask]); // the prefix length, host order
    }

    [Fact]
    public void DecodeService_RemovesTheKernelsHashedFlag()
    {
        using var writer = new NetlinkMessageWriter();
        var nest = writer.BeginNested(IpvsGenl.AttrService);
        writer.WriteU16(IpvsGenl.SvcAf, IpvsGenl.AfInet);
        writer.WriteU32(IpvsGenl.SvcFwmark, 3);
        writer.WriteString(IpvsGenl.SvcSchedName, "rr");
        writer.WriteBytes(IpvsGenl.SvcFlags, [0x03, 0, 0, 0, 0xff, 0xff, 0xff, 0xff]); // persistent | hashed
        writer.WriteU32(IpvsGenl.SvcTimeout, 300);
        writer.WriteBigEndianU32(IpvsGenl.SvcNetmask, uint.MaxValue);
        writer.EndNested(nest);

        var service = IpvsCodec.DecodeService(InnerOf(writer.WrittenSpan));

        Assert.Equal(ServiceFlags.Persistent, service.Flags);
    }

    [Fact]
    public void DecodeStatistics_Prefers64BitAndReadsTheLegacyWidths()
    {
        using var legacy = new NetlinkMessageWriter();
        legacy.WriteU32((ushort)IpvsCounter.Connections, 7);
        legacy.WriteU32((ushort)IpvsCounter.IncomingPackets, 8);
        legacy.WriteU64((ushort)IpvsCounter.IncomingBytes, 5_000_000_000);
        legacy.WriteU32((ushort)IpvsCounter.ConnectionsPerSecond, 2);
        using var wide = new NetlinkMessageWriter();
        wide.WriteU64((ushort)IpvsCounter.Connections, 5_000_000_001);
        wide.WriteU64((ushort)IpvsCounter.OutgoingBytesPerSecond, 9);

        var fromLegacy = IpvsCodec.DecodeStatistics(legacy.WrittenSpan, default)!;
        var fromBoth = IpvsCodec.DecodeStatistics(legacy.WrittenSpan, wide.WrittenSpan)!;

        Assert.Equal((7ul, 8ul, 5_000_000_000ul, 2ul, false), (fromLegacy.Connections, fromLegacy.IncomingPackets, fromLegacy.IncomingBytes, fromLegacy.ConnectionsPerSecond, fromLegacy.Is64Bit));
        Assert.Equal((5_000_000_001ul, 9ul, true), (fromBoth.Connections, fromBoth.OutgoingBytesPerSecond, fromBoth.Is64Bit));
        Assert.Null(IpvsCodec.DecodeStatistics(default, default));
    }

    [Fact]
    public void DecodeRealServer_WithoutAddressFamily_UsesTheServicesFamily()
    {
        // Kernels before 3.18 do not send IPVS_DEST_ATTR_ADDR_FAMILY.
        using var writer = new NetlinkMessageWriter();
        writer.WriteBytes(IpvsGenl.DestAddr, IPAddress.Parse("2001:db8::5").GetAddressBytes());
        writer.WriteBigEndianU16(IpvsGenl.DestPort, 443);
        writer.WriteU32(IpvsGenl.DestFwdMethod, 0x103); // route, with a flag bit the mask removes

        var server = IpvsCodec.DecodeRealServer(writer.WrittenSpan, AddressFamily.InterNetworkV6);

        Assert.Equal("[2001:db8::5]:443", server.Endpoint);
        Assert.Equal(ForwardingMethod.DirectRoute, server.ForwardingMethod);
    }

    [Fact]
    public void WriteOperation_RejectsANegativeTimeoutBeforeWritingAnything()
    {
        using var writer = new NetlinkMessageWriter();
        Assert.Throws<ArgumentOutOfRangeException>(() => IpvsCodec.WriteOperation(writer, 0x1c, IpvsOperation.SetTimeouts(new IpvsTimeouts(TimeSpan.FromSeconds(-1), TimeSpan.Zero, TimeSpan.Zero))));
    }

    private static VirtualService RoundTrip(VirtualService service)
    {
        using var writer = new NetlinkMessageWriter();
        IpvsCodec.WriteService(writer, service);
        return IpvsCodec.DecodeService(InnerOf(writer.WrittenSpan));
    }

    private static RealServer RoundTrip(RealServer server)
    {
        using var writer = new NetlinkMessageWriter();
        IpvsCodec.WriteRealServer(writer, server);
        // The other family on purpose: the ADDR_FAMILY attribute must win.
        var otherFamily = server.Family == AddressFamily.InterNetwork ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork;
        return IpvsCodec.DecodeRealServer(InnerOf(writer.WrittenSpan), otherFamily);
    }

    private static SyncDaemon RoundTrip(SyncDaemon daemon)
    {
        using var writer = new NetlinkMessageWriter();
        IpvsCodec.WriteDaemon(writer, daemon);
        return IpvsCodec.DecodeDaemon(InnerOf(writer.WrittenSpan));
    }

    private static byte[] InnerOf(ReadOnlySpan<byte> nestedAttribute)
    {
        var reader = new NetlinkAttributeReader(nestedAttribute);
        Assert.True(reader.TryRead(out _, out var inner));
        return inner.ToArray();
    }

    private static Dictionary<ushort, string> Attributes(ReadOnlySpan<byte> nestedAttribute)
    {
        var result = new Dictionary<ushort, string>();
        var reader = new NetlinkAttributeReader(InnerOf(nestedAttribute));
        while (reader.TryRead(out var type, out var value))
        {
            result[type] = Convert.ToHexString(value);
        }

        return result;
    }
}
