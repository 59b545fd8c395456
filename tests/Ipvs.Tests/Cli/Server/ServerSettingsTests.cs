using System.CommandLine;
using Ipvs.Cli.Common;
using Ipvs.Cli.Server;
using Ipvs.Model;

namespace Ipvs.Tests.Cli.Server;

public sealed class ServerSettingsTests
{
    private static (RealServer Server, string Notes) Add(string words)
    {
        var command = new Command("test");
        var targets = Targets.ForServer(command);
        var settings = ServerSettings.AddTo(command);
        var parseResult = command.Parse(words.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Empty(parseResult.Errors);
        var key = targets.RequiredService(parseResult);
        var (address, port) = targets.RequiredServer(parseResult);
        var notes = new StringWriter();
        return (settings.ForAdd(parseResult, key, address, port, notes), notes.ToString());
    }

    [Fact]
    public void Defaults_AreIpvsadms_DirectRoutingWeightOneServicePort()
    {
        var (server, notes) = Add("tcp/198.51.100.1:80 192.0.2.10");

        Assert.Equal(ForwardingMethod.DirectRoute, server.ForwardingMethod);
        Assert.Equal(1, server.Weight);
        Assert.Equal(80, server.Port);
        Assert.Empty(notes);
    }

    [Fact]
    public void DirectRouting_KeepsTheServicePort_WithANote()
    {
        var (server, notes) = Add("tcp/198.51.100.1:80 --rip 192.0.2.10 --rport 8080 --fwd dr");

        Assert.Equal(80, server.Port);
        Assert.Contains("dr forwarding keeps the service's port", notes, StringComparison.Ordinal);
    }

    [Fact]
    public void Masquerading_KeepsTheGivenPort()
    {
        var (server, _) = Add("tcp/198.51.100.1:80 192.0.2.10:8080 --forward masq -w 3");

        Assert.Equal(ForwardingMethod.Masquerade, server.ForwardingMethod);
        Assert.Equal(8080, server.Port);
        Assert.Equal(3, server.Weight);
    }

    [Theory]
    [InlineData("masq", ForwardingMethod.Masquerade)]
    [InlineData("mask", ForwardingMethod.Masquerade)]
    [InlineData("MASQ", ForwardingMethod.Masquerade)]
    [InlineData("dr", ForwardingMethod.DirectRoute)]
    [InlineData("tun", ForwardingMethod.Tunnel)]
    [InlineData("local", ForwardingMethod.Local)]
    [InlineData("bypass", ForwardingMethod.Bypass)]
    [InlineData("fnat", ForwardingMethod.FullNat)]
    public void IpvsctlForwardNames_MapToTheKernelsMethods(string word, ForwardingMethod expected)
    {
        Assert.Equal(expected, Add("tcp/198.51.100.1:80 192.0.2.10:80 --fwd " + word).Server.ForwardingMethod);
    }

    [Fact]
    public void GueTunnel_WithPortAndChecksum()
    {
        var (server, _) = Add("tcp/198.51.100.1:80 192.0.2.10 --fwd tun --tun-type gue --tun-port 6080 --tun-remcsum");

        Assert.Equal(TunnelType.Gue, server.TunnelType);
        Assert.Equal(6080, server.TunnelPort);
        Assert.Equal(TunnelFlags.RemoteChecksum, server.TunnelFlags);
    }

    [Fact]
    public void TunnelToTheOtherFamily_IsAllowed()
    {
        var (server, _) = Add("tcp/198.51.100.1:80 [2001:db8::10]:80 --fwd tun");

        Assert.Equal(System.Net.Sockets.AddressFamily.InterNetworkV6, server.Family);
    }

    [Fact]
    public void Thresholds_AreSet()
    {
        var (server, _) = Add("udp/198.51.100.1:53 192.0.2.10:53 -x 1000 --l-threshold 800");

        Assert.Equal(1000u, server.UpperThreshold);
        Assert.Equal(800u, server.LowerThreshold);
    }

    [Fact]
    public void MaximumWeight_IsAccepted()
    {
        Assert.Equal(int.MaxValue, Add("tcp/198.51.100.1:80 192.0.2.10 -w 2147483647").Server.Weight);
    }
}
