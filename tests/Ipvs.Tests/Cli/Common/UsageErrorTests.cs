namespace Ipvs.Tests.Cli.Common;

/// <summary>Bad input: exit status 2, a message naming the option or object and the cause, and IPVS never opened.</summary>
public sealed class UsageErrorTests
{
    [Theory]
    [InlineData("server add tcp/198.51.100.1:80 192.0.2.10 -w -1", "--weight: '-1' is not valid: expected a whole number from 0 to 2147483647")]
    [InlineData("server add tcp/198.51.100.1:80 192.0.2.10 --weight 2147483648", "expected a whole number from 0 to 2147483647")]
    [InlineData("service add --vip 198.51.100.1 --vport 65536", "--vport: '65536' is not valid: expected a whole number from 0 to 65535")]
    [InlineData("service add --vip 198.51.100 --vport 80", "--vip: '198.51.100' is not an IPv4 or IPv6 address")]
    [InlineData("service add --vip 198.51.100.1", "--vip 198.51.100.1 needs --vport")]
    [InlineData("service add --vport 80", "--vport and --protocol need --vip")]
    [InlineData("service add tcp/198.51.100.1:80 --vip 198.51.100.1 --vport 80", "the service is given twice")]
    [InlineData("service add tcp/198.51.100.1", "'198.51.100.1' has no port")]
    [InlineData("service add icmp/198.51.100.1:80", "'icmp' is not a service protocol")]
    [InlineData("service add --vip 198.51.100.1 --vport 80 --protocol icmp", "--protocol: 'icmp' is not one of tcp, udp, sctp")]
    [InlineData("service add 198.51.100.1:80", "'198.51.100.1:80' is not a service")]
    [InlineData("service add", "no service given")]
    [InlineData("service add tcp/198.51.100.1:0", "has port 0 (every port), which needs persistence")]
    [InlineData("service add tcp/198.51.100.1:80 --ops", "--ops (one-packet scheduling) is only for UDP and firewall-mark services")]
    [InlineData("service add tcp/198.51.100.1:80 -s rr -b sh-port", "'sh-port' is a flag of the sh scheduler, not of rr")]
    [InlineData("service add tcp/198.51.100.1:80 -s sh -b sh-sticky", "'sh-sticky' is not a scheduler flag")]
    [InlineData("service add tcp/198.51.100.1:80 -s Round-Robin", "--scheduler: 'Round-Robin' is not a scheduler name")]
    [InlineData("service add tcp/198.51.100.1:80 --timeout 2678401", "--timeout: '2678401' is not valid")]
    [InlineData("service add tcp/198.51.100.1:80 --timeout 0 --netmask 24", "--timeout 0 turns persistence off")]
    [InlineData("service add tcp/198.51.100.1:80 --netmask 33", "'33' is not an IPv4 netmask")]
    [InlineData("service add tcp/198.51.100.1:80 --netmask 255.0.255.0", "'255.0.255.0' is not a contiguous netmask")]
    [InlineData("service add udp/[2001:db8::1]:53 --netmask 129", "'129' is not an IPv6 persistence prefix")]
    [InlineData("service add udp/[2001:db8::1]:53 --netmask 255.255.255.0", "is not an IPv6 persistence prefix")]
    [InlineData("service update tcp/198.51.100.1:80", "nothing to update")]
    [InlineData("service add tcp/198.51.100.1:80 --bogus", "Unrecognized command or argument '--bogus'")]
    [InlineData("server add tcp/198.51.100.1:80", "no real server given")]
    [InlineData("server add tcp/198.51.100.1:80 192.0.2.10:8080 --rip 192.0.2.10", "the real server is given twice")]
    [InlineData("server add tcp/198.51.100.1:80 192.0.2.10 --fwd nat", "--forward: 'nat' is not one of")]
    [InlineData("server add tcp/198.51.100.1:80 [2001:db8::10]:80", "real server [2001:db8::10]:80 is IPv6 but service tcp/198.51.100.1:80 is IPv4: only tunnel forwarding")]
    [InlineData("server add tcp/198.51.100.1:80 192.0.2.10 --tun-type gue", "tunnel options (--tun-type, --tun-port, --tun-*csum) need --forward tun")]
    [InlineData("server add tcp/198.51.100.1:80 192.0.2.10 --fwd tun --tun-type gue", "a gue tunnel needs --tun-port")]
    [InlineData("server add tcp/198.51.100.1:80 192.0.2.10 --fwd tun --tun-port 6080", "an ipip tunnel takes no --tun-port")]
    [InlineData("server add tcp/198.51.100.1:80 192.0.2.10 --fwd tun --tun-type gre --tun-remcsum", "--tun-remcsum is for gue tunnels only")]
    [InlineData("server add tcp/198.51.100.1:80 192.0.2.10 --fwd tun --tun-type gue --tun-port 1 --tun-csum --tun-remcsum", "at most one of")]
    [InlineData("server add tcp/198.51.100.1:80 192.0.2.10 -y 10", "the lower threshold 10 is above the upper threshold 0")]
    [InlineData("server add tcp/198.51.100.1:80 192.0.2.10 -x 5 -y 10", "the lower threshold 10 is above the upper threshold 5")]
    [InlineData("server update tcp/198.51.100.1:80 192.0.2.10", "nothing to update")]
    [InlineData("address add tcp/198.51.100.1:80", "Option '--lip' is required")]
    [InlineData("address add tcp/198.51.100.1:80 --lip 192.0.2.7,nope", "--lip: 'nope' is not an IPv4 or IPv6 address")]
    [InlineData("address add tcp/198.51.100.1:80 --lip 2001:db8::7", "local address 2001:db8::7 is IPv6 but service tcp/198.51.100.1:80 is IPv4")]
    [InlineData("timeout set", "nothing to set")]
    [InlineData("timeout set --tcp -5", "--tcp: '-5' is not valid")]
    [InlineData("daemon add --state master", "Option '--mcast-ifn' is required")]
    [InlineData("daemon add --state primary --mcast-ifn eth0", "--state: 'primary' is not one of master, backup")]
    [InlineData("daemon add --state master --mcast-ifn eth0 --sync-id 256", "--sync-id: '256' is not valid")]
    [InlineData("daemon add --state master --mcast-ifn eth0 --mcast-group 198.51.100.1", "--mcast-group: 198.51.100.1 is not a multicast address")]
    [InlineData("daemon add --state master --mcast-ifn averyveryverylongname", "is not an interface name")]
    [InlineData("daemon del", "Option '--state' is required")]
    [InlineData("connection show fwmark/1", "connection entries carry no firewall mark")]
    [InlineData("service list -o xml", "--output: 'xml' is not an output format")]
    [InlineData("completion fish", "fish")]
    public void BadInput_ExitsTwoWithAMessage_BeforeOpeningIpvs(string words, string message)
    {
        var run = CliHarness.Run(words.Split(' '));

        Assert.Equal(2, run.ExitCode);
        Assert.Contains(message, run.Error, StringComparison.Ordinal);
        Assert.Contains("--help' for usage.", run.Error, StringComparison.Ordinal);
        Assert.False(run.KernelTouched);
        Assert.Empty(run.Out);
    }

    [Fact]
    public void UsageError_NamesTheCommand()
    {
        var run = CliHarness.Run("d", "a", "tcp/198.51.100.1:80", "192.0.2.10", "-w", "x");

        Assert.StartsWith("ipvs server add: --weight: 'x' is not valid", run.Error, StringComparison.Ordinal);
    }
}
