using System.Net;
using Ipvs.ProcFs;

namespace Ipvs.Tests.ProcFs;

public sealed class ConnectionTableTests
{
    // Lines in the kernel's formats (ip_vs_conn_seq_show): hex IPv4 and ports, full-form IPv6,
    // and the persistence engine's name and data at the end.
    private const string Table =
        "Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Expires PEName PEData\n" +
        "TCP C6120302 D2A4 C612000A 0050 C6120202 1F90 ESTABLISHED     897\n" +
        "UDP 2001:0db8:0000:0000:0000:0000:0000:0002 0035 2001:0db8:0000:0000:0000:0000:0000:0001 0035 2001:0db8:0000:0000:0000:0000:0000:0003 0035 UDP             298\n" +
        "IP  C6120302 0000 C612000A 0000 C6120202 0000 NONE            359 sip abc@198.18.3.2\n" +
        "TCP C6120302 D2A5 2001:0db8:0000:0000:0000:0000:0000:0001 0050 2001:0db8:0000:0000:0000:0000:0000:0009 0050 SYN_RECV         55\n";

    [Fact]
    public void Parse_ReadsIpv4Ipv6AndPersistenceEngineLines()
    {
        var connections = ConnectionTable.Parse(Table);

        Assert.Equal(4, connections.Count);
        var tcp = connections[0];
        Assert.Equal(("TCP", "198.18.3.2", (ushort)53924, "198.18.0.10", (ushort)80, "198.18.2.2", (ushort)8080, "ESTABLISHED", 897.0),
            (tcp.Protocol, tcp.ClientAddress.ToString(), tcp.ClientPort, tcp.VirtualAddress.ToString(), tcp.VirtualPort, tcp.DestinationAddress.ToString(), tcp.DestinationPort, tcp.State, tcp.Expires.TotalSeconds));
        Assert.Null(tcp.PersistenceEngine);

        var udp6 = connections[1];
        Assert.Equal(IPAddress.Parse("2001:db8::2"), udp6.ClientAddress);
        Assert.Equal(IPAddress.Parse("2001:db8::3"), udp6.DestinationAddress);
        Assert.Equal((ushort)53, udp6.VirtualPort);

        var template = connections[2];
        Assert.Equal(("IP", "NONE", "sip", "abc@198.18.3.2"), (template.Protocol, template.State, template.PersistenceEngine, template.PersistenceEngineData));
    }

    [Theory]
    [InlineData("")]
    [InlineData("Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Expires PEName PEData")]
    [InlineData("TCP ZZZZZZZZ D2A4 C612000A 0050 C6120202 1F90 ESTABLISHED     897")]
    [InlineData("TCP C6120302 D2A4 C612000A")]
    public void TryParseLine_RejectsWhatIsNotAnEntry(string line) => Assert.False(ConnectionTable.TryParseLine(line, out _));

    [Fact]
    public void Parse_MainlineLine_HasNoLocalAddress()
    {
        var entry = ConnectionTable.Parse(Table)[0];

        Assert.Null(entry.LocalAddress);
        Assert.Equal(0, entry.LocalPort);
    }

    [Fact]
    public void Parse_FullNatLine_ReadsTheLocalAddress()
    {
        // ipvsctl's testdata layout of a FULLNAT kernel: the local address and port come before the destination.
        var entry = Assert.Single(ConnectionTable.Parse(
            "Pro FromIP   FPrt  ToIP     TPrt  LocalIP  LPrt  DestIP   DPrt State     Expires\n" +
            "TCP 1E10E068 1A6A  1E10E0FC D2F5  C6120201 8001  1E10E05D D2F5 FIN_WAIT       93\n"));

        Assert.Equal(IPAddress.Parse("30.16.224.104"), entry.ClientAddress);
        Assert.Equal(IPAddress.Parse("198.18.2.1"), entry.LocalAddress);
        Assert.Equal(0x8001, entry.LocalPort);
        Assert.Equal(IPAddress.Parse("30.16.224.93"), entry.DestinationAddress);
        Assert.Equal("FIN_WAIT", entry.State);
        Assert.Equal(TimeSpan.FromSeconds(93), entry.Expires);
    }
}
