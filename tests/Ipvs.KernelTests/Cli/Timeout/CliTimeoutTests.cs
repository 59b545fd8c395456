using Ipvs.Testing;

namespace Ipvs.KernelTests.Cli.Timeout;

public sealed class CliTimeoutTests
{
    [Fact]
    public void SetAndShow_MatchIpvsadm_ZeroKeepsAValue()
    {
        KernelLab.Require();
        using var ns = new TestNamespace();
        var before = ns.IpvsJson("timeout", "show");
        Assert.Equal(900, before.GetProperty("tcp").GetInt32());
        Assert.Equal(120, before.GetProperty("tcp_fin").GetInt32());
        Assert.Equal(300, before.GetProperty("udp").GetInt32());

        ns.IpvsOk("timeout", "set", "--tcp", "1000", "-u", "200");
        Assert.Equal("Timeout (tcp tcpfin udp): 1000 120 200\n", ns.Ipvsadm("-L", "--timeout"));

        ns.IpvsOk("t", "s", "-t", "0", "-f", "60");
        ns.IpvsOk("to", "set", "--fin", "61", "--udp", "0");
        Assert.Equal("Timeout (tcp tcpfin udp): 1000 61 200\n", ns.Ipvsadm("-L", "--timeout"));
        Assert.Equal(" TCP  TCPFIN  UDP\n1000      61  200\n", ns.IpvsOk("out", "ls"));
        Assert.Contains("tcp_fin: 61", ns.IpvsOk("timeout", "get", "-o", "yaml"), StringComparison.Ordinal);
    }
}
