using Ipvs.Testing;

namespace Ipvs.KernelTests.Cli.Connection;

public sealed class CliConnectionTests
{
    [Fact]
    public void Show_ListsTheKernelsEntries_AsIpvsadmDoes_WithFilters()
    {
        KernelLab.Require();
        using var ns = new TestNamespace();
        // A client in the namespace: its UDP datagrams to the VIP leave through a dummy link, so
        // IPVS schedules them (LOCAL_OUT) and keeps one connection entry each.
        HostCommand.Check("ip", "-n", ns.Name, "link", "add", "lan0", "type", "dummy");
        HostCommand.Check("ip", "-n", ns.Name, "link", "set", "lan0", "up");
        HostCommand.Check("ip", "-n", ns.Name, "addr", "add", "198.18.9.1/24", "dev", "lan0");
        HostCommand.Check("ip", "-n", ns.Name, "route", "add", "198.18.0.0/16", "dev", "lan0");
        ns.IpvsOk("service", "add", "udp/198.18.0.1:53", "-s", "rr");
        ns.IpvsOk("server", "add", "udp/198.18.0.1:53", "198.18.1.1:5353", "--fwd", "masq");
        ns.IpvsOk("service", "add", "udp/198.18.0.2:53", "-s", "rr");
        ns.IpvsOk("server", "add", "udp/198.18.0.2:53", "198.18.1.2", "--fwd", "masq");
        foreach (var vip in new[] { "198.18.0.1", "198.18.0.2" })
        {
            var send = ns.Exec("bash", "-c", $"exec 3>/dev/udp/{vip}/53 && echo query >&3");
            Assert.True(send.ExitCode == 0, send.ToString());
        }

        var ipvsadm = ns.Ipvsadm("-Lnc");
        Assert.Equal(4, ipvsadm.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);

        var entries = ns.IpvsJson("connection", "show").GetProperty("connections").EnumerateArray().ToArray();
        Assert.Equal(2, entries.Length);
        var first = entries.Single(e => e.GetProperty("virtual_address").GetString() == "198.18.0.1");
        Assert.Equal("udp", first.GetProperty("protocol").GetString());
        Assert.Equal("198.18.9.1", first.GetProperty("client_address").GetString());
        Assert.Equal(53, first.GetProperty("virtual_port").GetInt32());
        Assert.Equal("198.18.1.1", first.GetProperty("destination_address").GetString());
        Assert.Equal(5353, first.GetProperty("destination_port").GetInt32());
        Assert.InRange(first.GetProperty("expires").GetInt32(), 1, 300);
        var clientPort = first.GetProperty("client_port").GetInt32();
        Assert.Contains($"198.18.9.1:{clientPort}", ipvsadm, StringComparison.Ordinal);

        Assert.Single(ns.IpvsJson("c", "ls", "--vip", "198.18.0.2").GetProperty("connections").EnumerateArray());
        Assert.Single(ns.IpvsJson("conn", "get", "udp/198.18.0.1:53").GetProperty("connections").EnumerateArray());
        Assert.Empty(ns.IpvsJson("connection", "show", "tcp/198.18.0.1:53").GetProperty("connections").EnumerateArray());
        Assert.Empty(ns.IpvsJson("connection", "show", "--vip", "198.18.0.1", "--vport", "54").GetProperty("connections").EnumerateArray());
        Assert.Matches(@"(?m)^udp +[A-Z_]+ +0\d:\d\d +198\.18\.9\.1:\d+ +198\.18\.0\.1:53 +198\.18\.1\.1:5353 +-$", ns.IpvsOk("connection", "show"));
    }

    [Fact]
    public void Show_FromAFile_AndAMissingFile()
    {
        KernelLab.Require();
        using var ns = new TestNamespace();
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, "Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Expires PEName PEData\nTCP C6120A02 D2F5 C6120001 0050 C6120101 1F90 ESTABLISHED     893\n");

            var entry = Assert.Single(ns.IpvsJson("connection", "show", "--path", file).GetProperty("connections").EnumerateArray());

            Assert.Equal("ESTABLISHED", entry.GetProperty("state").GetString());
            Assert.Equal(893, entry.GetProperty("expires").GetInt32());
        }
        finally
        {
            File.Delete(file);
        }

        ns.Ipvs("connection", "show", "-p", file).AssertFails(1, $"ipvs: {file} does not exist");
    }
}
