using System.Net;
using System.Net.Sockets;
using Ipvs.Kernel;
using Ipvs.Model;
using Ipvs.Netlink;

namespace Ipvs.Tests.Kernel;

/// <summary>
/// Our encoder against the exact bytes Debian's ipvsadm sent for the same change, and our decoder
/// against the exact bytes the real kernel (the lab's 6.1) answered. Captured by
/// TestData/Golden/capture.sh.
/// </summary>
public sealed class GoldenVectorTests
{
    private static readonly VirtualServiceKey s_tcp = VirtualServiceKey.Parse("tcp/198.18.0.1:80");
    private static readonly VirtualServiceKey s_udp6 = VirtualServiceKey.Parse("udp/[2001:db8::1]:53");

    public static TheoryData<string, byte, IpvsOperation> Requests => new()
    {
        { "add-service-tcp", IpvsGenl.CmdNewService, IpvsOperation.AddService(new VirtualService(s_tcp) { Scheduler = "rr" }) },
        {
            "add-service-udp6-persistent", IpvsGenl.CmdNewService, IpvsOperation.AddService(new VirtualService(s_udp6)
            {
                Scheduler = "sh",
                Flags = ServiceFlags.Persistent | ServiceFlags.ShFallback | ServiceFlags.ShPort,
                Timeout = TimeSpan.FromSeconds(600),
                Netmask = PersistenceNetmask.FromPrefixLength(System.Net.Sockets.AddressFamily.InterNetworkV6, 64),
                PersistenceEngine = "sip",
            })
        },
        {
            "add-service-fwmark-ops", IpvsGenl.CmdNewService, IpvsOperation.AddService(new VirtualService(VirtualServiceKey.ForFirewallMark(42))
            {
                Scheduler = "wlc",
                Flags = ServiceFlags.Persistent | ServiceFlags.OnePacket,
                Timeout = TimeSpan.FromSeconds(360),
                Netmask = PersistenceNetmask.FromIPv4Mask(IPAddress.Parse("255.255.255.0")),
            })
        },
        {
            "add-service-fwmark6", IpvsGenl.CmdNewService, IpvsOperation.AddService(new VirtualService(VirtualServiceKey.ForFirewallMark(7, AddressFamily.InterNetworkV6))
            {
                Scheduler = "mh",
                Flags = ServiceFlags.MhPort,
            })
        },
        {
            "add-dest-masq", IpvsGenl.CmdNewDest, IpvsOperation.AddRealServer(s_tcp, new RealServer(IPAddress.Parse("198.18.1.1"), 8080)
            {
                Weight = 3,
                UpperThreshold = 100,
                LowerThreshold = 10,
            })
        },
        {
            "add-dest-gue", IpvsGenl.CmdNewDest, IpvsOperation.AddRealServer(s_tcp, new RealServer(IPAddress.Parse("198.18.1.2"), 80)
            {
                ForwardingMethod = ForwardingMethod.Tunnel,
                Weight = 2,
                TunnelType = TunnelType.Gue,
                TunnelPort = 6080,
                TunnelFlags = TunnelFlags.Checksum,
            })
        },
        {
            "add-dest-gre-mixed", IpvsGenl.CmdNewDest, IpvsOperation.AddRealServer(s_udp6, new RealServer(IPAddress.Parse("198.18.1.3"), 53)
            {
                ForwardingMethod = ForwardingMethod.Tunnel,
                TunnelType = TunnelType.Gre,
            })
        },
        { "edit-dest", IpvsGenl.CmdSetDest, IpvsOperation.UpdateRealServer(s_tcp, new RealServer(IPAddress.Parse("198.18.1.1"), 8080) { Weight = 5 }) },
        { "edit-service", IpvsGenl.CmdSetService, IpvsOperation.UpdateService(new VirtualService(s_tcp) { Scheduler = "wrr" }) },
        { "set-timeouts", IpvsGenl.CmdSetConfig, IpvsOperation.SetTimeouts(new IpvsTimeouts(TimeSpan.FromSeconds(100), TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(30))) },
        {
            "start-daemon6", IpvsGenl.CmdNewDaemon, IpvsOperation.StartSyncDaemon(new SyncDaemon(SyncDaemonState.Backup, "veth0", 6)
            {
                MulticastGroup = IPAddress.Parse("ff02::1:2"),
            })
        },
        {
            "start-daemon", IpvsGenl.CmdNewDaemon, IpvsOperation.StartSyncDaemon(new SyncDaemon(SyncDaemonState.Master, "veth0", 5)
            {
                MaxLength = 1400,
                MulticastGroup = IPAddress.Parse("239.1.1.1"),
                Port = 8849,
                Ttl = 2,
            })
        },
    };

    [Theory]
    [MemberData(nameof(Requests))]
    public void Encoding_MatchesTheBytesIpvsadmSent(string capture, byte command, IpvsOperation operation)
    {
        var golden = GoldenVectors.Load(capture);
        var sent = Assert.Single(golden.Ipvs(sent: true, command));
        using var writer = new NetlinkMessageWriter();

        IpvsCodec.WriteOperation(writer, golden.FamilyId, operation);

        if (operation.Kind is IpvsOperationKind.AddRealServer or IpvsOperationKind.UpdateRealServer)
        {
            // ipvsadm repeats the whole service (scheduler, flags, timeout, netmask) in every
            // destination request; the kernel reads only what identifies it, which is all we send.
            Assert.Equal(IdentifyingAttributes(sent), IdentifyingAttributes(writer.WrittenSpan.ToArray()));
        }
        else
        {
            Assert.Equal(Convert.ToHexString(GoldenVectors.WithoutSequence(sent)), Convert.ToHexString(writer.WrittenSpan));
        }
    }

    /// <summary>
    /// Every DEST attribute, and from the SERVICE nest only AF, protocol, address, port and fwmark,
    /// as hex. An IPv4 destination address is compared on its 4 bytes: ipvsadm leaves stale bytes
    /// (from the service's IPv6 address) in the rest of the 16-byte field, which the kernel ignores.
    /// </summary>
    private static List<string> IdentifyingAttributes(byte[] message)
    {
        var result = new List<string>();
        var attributes = Message(message).Attributes(GenericNetlink.HeaderLength);
        while (attributes.TryRead(out var type, out var value))
        {
            var inner = new NetlinkAttributeReader(value);
            var ipv4Destination = false;
            while (inner.TryRead(out var innerType, out var innerValue))
            {
                if (type == IpvsGenl.AttrService && innerType is >= IpvsGenl.SvcAf and <= IpvsGenl.SvcFwmark)
                {
                    result.Add($"service {innerType}: {Convert.ToHexString(innerValue)}");
                }
                else if (type == IpvsGenl.AttrDest)
                {
                    ipv4Destination |= innerType == IpvsGenl.DestAddrFamily && NetlinkAttributeReader.ReadU16(innerValue) == IpvsGenl.AfInet;
                    var bytes = innerType == IpvsGenl.DestAddr && ipv4Destination ? innerValue[..4] : innerValue;
                    result.Add($"dest {innerType}: {Convert.ToHexString(bytes)}");
                }
            }
        }

        return result;
    }

    [Fact]
    public void Decoding_TheKernelsListing_GivesEveryServiceAndServer()
    {
        var golden = GoldenVectors.Load("list");

        var info = IpvsCodec.DecodeInfo(Message(golden.Ipvs(sent: false, IpvsGenl.CmdSetInfo).Last()));
        var services = golden.Ipvs(sent: false, IpvsGenl.CmdNewService).Select(m => IpvsCodec.DecodeService(Message(m))).ToDictionary(s => s.Key.ToString());
        var servers = golden.Ipvs(sent: false, IpvsGenl.CmdNewDest).Select(m => IpvsCodec.DecodeRealServer(Message(m), AddressFamily.InterNetwork)).ToDictionary(s => s.Endpoint);

        Assert.Equal(new Version(1, 2, 1), info.Version);
        Assert.Equal(4096u, info.ConnectionTableSize);
        Assert.Equal(["fwmark/42", "fwmark6/7", "tcp/198.18.0.1:80", "udp/[2001:db8::1]:53"], services.Keys.Order(StringComparer.Ordinal));

        var tcp = services["tcp/198.18.0.1:80"];
        Assert.Equal("wrr", tcp.Scheduler);
        Assert.Equal(ServiceFlags.None, tcp.Flags);
        Assert.Equal(PersistenceNetmask.FromIPv4Mask(uint.MaxValue), tcp.Netmask);
        Assert.NotNull(tcp.Statistics);
        Assert.True(tcp.Statistics.Is64Bit);

        var udp6 = services["udp/[2001:db8::1]:53"];
        Assert.Equal(ServiceFlags.Persistent | ServiceFlags.ShFallback | ServiceFlags.ShPort, udp6.Flags);
        Assert.Equal(TimeSpan.FromSeconds(600), udp6.Timeout);
        Assert.Equal(PersistenceNetmask.FromPrefixLength(System.Net.Sockets.AddressFamily.InterNetworkV6, 64), udp6.Netmask);
        Assert.Equal("sip", udp6.PersistenceEngine);

        var fwmark = services["fwmark/42"];
        Assert.Equal(ServiceFlags.Persistent | ServiceFlags.OnePacket, fwmark.Flags);
        Assert.Equal("255.255.255.0", fwmark.Netmask.ToString());
        Assert.Equal(TimeSpan.FromSeconds(360), fwmark.Timeout);
        Assert.Equal(ServiceFlags.MhPort, services["fwmark6/7"].Flags);
        Assert.Equal(PersistenceNetmask.FromPrefixLength(System.Net.Sockets.AddressFamily.InterNetworkV6, 128), services["fwmark6/7"].Netmask);

        var masq = servers["198.18.1.1:8080"];
        // Edited with "-e ... -w 5" and no -x/-y: ipvsadm sends zero thresholds, so the edit cleared them.
        Assert.Equal((ForwardingMethod.Masquerade, 5, 0u, 0u), (masq.ForwardingMethod, masq.Weight, masq.UpperThreshold, masq.LowerThreshold));
        var gue = servers["198.18.1.2:80"];
        Assert.Equal((ForwardingMethod.Tunnel, TunnelType.Gue, (ushort)6080, TunnelFlags.Checksum, 2), (gue.ForwardingMethod, gue.TunnelType, gue.TunnelPort, gue.TunnelFlags, gue.Weight));
        var gre = servers["198.18.1.3:53"];
        Assert.Equal((TunnelType.Gre, TunnelFlags.NoChecksum, AddressFamily.InterNetwork), (gre.TunnelType, gre.TunnelFlags, gre.Family));
    }

    [Fact]
    public void Decoding_TheKernelsDaemonAndTimeoutReplies()
    {
        var daemons = GoldenVectors.Load("list-daemon").Ipvs(sent: false, IpvsGenl.CmdNewDaemon).Select(m => IpvsCodec.DecodeDaemon(Message(m))).ToArray();
        var timeouts = IpvsCodec.DecodeTimeouts(Message(Assert.Single(GoldenVectors.Load("list-timeout").Ipvs(sent: false, IpvsGenl.CmdSetConfig))));

        Assert.Equal(
            [
                new SyncDaemon(SyncDaemonState.Master, "veth0", 5) { MaxLength = 1400, MulticastGroup = IPAddress.Parse("239.1.1.1"), Port = 8849, Ttl = 2 },
                // The kernel fills in its defaults: max length 1452 for IPv6 (1500 minus headers), port 8848, TTL 1.
                new SyncDaemon(SyncDaemonState.Backup, "veth0", 6) { MaxLength = 1452, MulticastGroup = IPAddress.Parse("ff02::1:2"), Port = 8848, Ttl = 1 },
            ],
            daemons);
        Assert.Equal(new IpvsTimeouts(TimeSpan.FromSeconds(100), TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(30)), timeouts);
    }

    [Theory]
    [InlineData("add-service-exists", 17)] // EEXIST, which ipvsadm shows as "Service already exists"
    [InlineData("start-daemon-refused", 22)] // EINVAL: no sync daemon while real servers of another family exist
    public void Decoding_TheKernelsRefusal_GivesTheErrno(string capture, int errno)
    {
        var golden = GoldenVectors.Load(capture);
        var errors = new List<int>();
        foreach (var bytes in golden.Received())
        {
            var message = Message(bytes);
            if (message.Type == NetlinkConstants.TypeError)
            {
                errors.Add(NetlinkSocket.ParseTerminator(message).Errno);
            }
        }

        Assert.Equal(errno, Assert.Single(errors, e => e != 0));
    }

    private static NetlinkMessage Message(byte[] bytes)
    {
        var reader = new NetlinkMessageReader(bytes);
        Assert.True(reader.TryRead(out var message));
        return message;
    }
}
