using System.Net;
using Ipvs.ProcFs;

namespace Ipvs.Tests.ProcFs;

public sealed class ConnectionTableTests
{
    [Fact]
    public void Parse_MainlineLine_ReadsEveryField()
    {
        var entries = ConnectionTable.Parse(
            "Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Expires PEName PEData\n" +
            "TCP C6120A02 D2F5 C6120001 0050 C6120101 1F90 ESTABLISHED     893\n");

        var entry = Assert.Single(entries);
        Assert.Equal("TCP", entry.Protocol);
        Assert.Equal(IPAddress.Parse("198.18.10.2"), entry.ClientAddress);
        Assert.Equal(0xD2F5, entry.ClientPort);
        Assert.Equal(IPAddress.Parse("198.18.0.1"), entry.VirtualAddress);
        Assert.Equal(80, entry.VirtualPort);
        Assert.Null(entry.LocalAddress);
        Assert.Equal(IPAddress.Parse("198.18.1.1"), entry.DestinationAddress);
        Assert.Equal(8080, entry.DestinationPort);
        Assert.Equal("ESTABLISHED", entry.State);
        Assert.Equal(TimeSpan.FromSeconds(893), entry.Expires);
        Assert.Null(entry.PersistenceEngine);
    }

    [Fact]
    public void Parse_PersistenceEngineLine_KeepsEngineAndData()
    {
        var entry = Assert.Single(ConnectionTable.Parse(
            "UDP C6120A02 13C4 C6120001 13C4 C6120101 13C4 NONE            179 sip a84b4c76e66710\n"));

        Assert.Equal("NONE", entry.State);
        Assert.Equal("sip", entry.PersistenceEngine);
        Assert.Equal("a84b4c76e66710", entry.PersistenceEngineData);
        Assert.Null(entry.LocalAddress);
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

    [Fact]
    public void Parse_Ipv6Line_ReadsFullColonForm()
    {
        var entry = Assert.Single(ConnectionTable.Parse(
            "TCP 2001:0db8:0000:0000:0000:0000:0000:0010 D2F5 2001:0db8:0000:0000:0000:0000:0000:0001 0050 2001:0db8:0000:0000:0000:0000:0001:0001 0050 SYN_RECV         59\n"));

        Assert.Equal(IPAddress.Parse("2001:db8::10"), entry.ClientAddress);
        Assert.Equal(IPAddress.Parse("2001:db8::1:1"), entry.DestinationAddress);
        Assert.Equal("SYN_RECV", entry.State);
    }
}
