using Ipvs.Cli.Adm;

namespace Ipvs.Tests.Adm;

/// <summary>
/// Command lines ipvsadm refuses, with its exact words and exit statuses (probed from Debian's
/// ipvsadm 1.31), and the order effects of what it accepts.
/// </summary>
public sealed class AdmParserTests
{
    [Theory]
    [InlineData("-A", 2, "You need to supply the 'service-address' option for the 'add-service' command\n")]
    [InlineData("-A -t 198.18.0.1", 2, "Zero port specified for non-persistent service\n")]
    [InlineData("-L --start-daemon master", 2, "invalid option `master'\n")]
    [InlineData("-L -C", 2, "invalid option `-C'\n")]
    [InlineData("-A -6 -f 13", 2, "-6 used before -f\n\n")]
    [InlineData("--bogus", 255, "Try `ipvsadm -h' or 'ipvsadm --help' for more information.\n")]
    [InlineData("-t 1.2.3.4:80", 255, "Try `ipvsadm -h' or 'ipvsadm --help' for more information.\n")]
    [InlineData("--set 1 2", 2, "--set option requires 3 timeout values\n")]
    [InlineData("--set 1 2 3 4", 2, "unexpected argument 4\n")]
    [InlineData("-Ln --stats --daemon", 2, "options conflicts in the list command\n")]
    [InlineData("-Ln -c --timeout", 2, "The option 'timeout' conflicts with the 'connection' option in the 'list' command\n")]
    [InlineData("-a -t 198.18.0.1:80 -r 198.18.1.4 -i --tun-type gre --tun-remcsum", 2, "Illegal 'tun-remcsum' option with the 'gre' tunnel type\n")]
    [InlineData("-a -t 198.18.0.1:80 -r 198.18.1.4 -i --tun-type gue", 2, "You need to supply the 'tun-port' option for the 'gue' tunnel type\n")]
    [InlineData("-a -t 198.18.0.1:80 -r 198.18.1.6 -g --tun-type gre", 2, "Tunnel options conflict with forward method\n")]
    [InlineData("-a -t 1.2.3.4:80 -r [2001:db8::5]:80 -m", 2, "Different address family is allowed only for tunneling servers\n")]
    [InlineData("-A -t 198.18.0.1:83 -o", 2, "One-Packet Scheduling is only for UDP virtual services\n")]
    [InlineData("-A -t 198.18.0.4:81 -b sh-port", 2, "incompatible scheduler flag `sh-port'\n")]
    [InlineData("-A -t 198.18.0.4:84 -s mh -b mh-fallback,bogus", 2, "invalid scheduler flag `bogus'\n")]
    [InlineData("-a -t 198.18.0.1:80 -r 198.18.2.1 -w 2147483648", 2, "illegal weight specified\n")]
    [InlineData("-a -t 198.18.0.1:80 -r 198.18.2.2 -x 2147483647 -y 2147483648", 2, "illegal l_threshold specified\n")]
    [InlineData("-A -t [2001:db8::10]:80 -p -M 200", 2, "illegal ipv6 netmask specified\n")]
    [InlineData("-A -t 198.18.0.1:82 -pfoo", 2, "invalid timeout value `foo' specified\n")]
    [InlineData("-A -f 0", 2, "invalid fwmark value `0' specified\n")]
    [InlineData("--start-daemon foo", 2, "illegal start-daemon parameter specified\n")]
    [InlineData("--stop-daemon foo", 2, "illegal start_daemon specified\n")]
    [InlineData("--start-daemon master --mcast-group 1.2.3.4", 2, "invalid IPv4 mcast-group `1.2.3.4'\n")]
    [InlineData("--start-daemon master --mcast-group ff02::zz", 2, "invalid IPv6 mcast-group `ff02::zz'\n")]
    [InlineData("-A -A", 2, "invalid option `-A'\n")]
    [InlineData("-A -t 1.2.3.4:80 -s rr -s wlc", 2, "multiple 'scheduler' options specified\n")]
    [InlineData("-R -n", 2, "Illegal 'numeric' option with the 'restore' command\n")]
    [InlineData("-A -t [1.2.3.4]:80", 2, "Zero port specified for non-persistent service\n")]
    [InlineData("-A -t 1.2.3.4:99999", 2, "illegal virtual server address[:port] specified\n")]
    public void Parse_Refused_StopsWithIpvsadmsMessage(string line, int status, string message)
    {
        var stop = Assert.Throws<AdmStopException>(() => Parse(line, out _));
        Assert.Equal(status, stop.ExitCode);
        Assert.Equal(message, stop.StandardError);
    }

    [Theory]
    [InlineData("-A -t", "-t: missing argument\n")]
    [InlineData("-A -t 198.18.0.1:80 -nQ", "-nQ: unknown option\n")]
    [InlineData("-A -t 198.18.0.1:80 --numeric=1", "--numeric=1: option does not take an argument\n")]
    [InlineData("-A -t 198.18.0.1:80 -n=1", "-n=1: option does not take an argument\n")]
    public void Parse_PoptErrorAfterTheCommand_IsReportedWithoutStopping(string line, string message)
    {
        Assert.Null(Parse(line, out var softError));
        Assert.Equal(message, softError);
    }

    [Fact]
    public void Parse_SchedulerFlagsWithoutAnyFlag_CrashesLikeIpvsadm() =>
        Assert.Equal(11, Assert.Throws<AdmStopException>(() => Parse("-A -t 198.18.0.4:83 -s sh -b ,", out _)).Signal);

    [Theory]
    [InlineData("-A -t [2001:db8::9]:80 -M 64 -p", 64u)]
    [InlineData("-A -M 64 -t [2001:db8::11]:80 -p", 128u)]
    [InlineData("-A -t 198.18.0.2:80 -p -M 64", 0x40u)]
    [InlineData("-A -t 198.18.0.2:80 -p -M 255.255.255.0", 0xFFFFFF00u)]
    [InlineData("-A -f 5 -M 255.255.0.0 -6 -p", 128u)]
    public void Parse_Netmask_FollowsIpvsadmsOrderOfEffects(string line, uint netmask) =>
        Assert.Equal(netmask, Parse(line, out _)!.Service.Netmask);

    [Theory]
    [InlineData("-a -t 1.2.3.4:80 -r 5.6.7.8:8080", 80)]
    [InlineData("-a -t 1.2.3.4:80 -r 5.6.7.8:8080 -m", 8080)]
    [InlineData("-a -t 1.2.3.4:80 -r 5.6.7.8 -m", 80)]
    [InlineData("-a -r 5.6.7.8 -m -t 1.2.3.4:80", 0)]
    [InlineData("-a -f 5 -r 5.6.7.8", 0)]
    public void Parse_RealServerPort_IsIpvsadms(string line, int port) =>
        Assert.Equal(port, Parse(line, out _)!.Destination.Port);

    [Fact]
    public void Parse_PersistentWithoutValue_TakesTheDefaultAndLeavesTheNextOption()
    {
        var request = Parse("-A -t 1.2.3.4:80 -p -s rr", out _)!;
        Assert.Equal(360u, request.Timeout);
        Assert.Equal("rr", request.Scheduler);
    }

    [Fact]
    public void Parse_LongNames_AreCutAsIpvsadmCopiesThem()
    {
        var request = Parse("-A -t 1.2.3.4:80 -s rrrrrrrrrrrrrrrrrrrr --pe aaaaaaaaaaaaaaaaaaaaa", out _)!;
        Assert.Equal(15, request.Scheduler.Length);
        Assert.Equal(16, request.PersistenceEngine.Length);
    }

    [Fact]
    public void Parse_Unbracketed6_IsAllAddress()
    {
        var request = Parse("-A -t 2001:db8::1:80 -p", out _)!;
        Assert.Equal(0, request.Service.Port);
        Assert.Equal("2001:db8::1:80", CText.InetNtop6(request.Service.Address));
    }

    private static AdmRequest? Parse(string line, out string? softError) =>
        new AdmParser(posixlyCorrect: false).Parse(["ipvsadm", .. line.Split(' ')], out softError);
}
