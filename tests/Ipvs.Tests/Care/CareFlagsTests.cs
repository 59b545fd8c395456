using System.Net;
using Ipvs.Cli.Care;
using Ipvs.Health;
using Ipvs.Model;

namespace Ipvs.Tests.Care;

public sealed class CareFlagsTests
{
    private static CareOptions Parse(params string[] args) => Parse(args, _ => null);

    private static CareOptions Parse(string[] args, Func<string, string?> hosts, Func<string, string?>? environment = null)
    {
        Assert.True(CareFlags.TryParse(args, "CARE", environment ?? (_ => null), out var options, out _, out var error, hosts), error);
        return options;
    }

    private static string Fail(params string[] args)
    {
        Assert.False(CareFlags.TryParse(args, "CARE", _ => null, out _, out var help, out var error, _ => null));
        Assert.False(help);
        return error;
    }

    [Fact]
    public void SeedExample_DefaultsAreLvscares()
    {
        var options = Parse("--vs", "169.254.0.1:6443", "--rs", "192.168.0.2:6443", "--run-once");
        Assert.True(options.RunOnce);
        Assert.False(options.Clean);
        var service = Assert.Single(options.Services);
        Assert.Equal(VirtualServiceKey.Parse("tcp/169.254.0.1:6443"), service.Service.Key);
        Assert.Equal("rr", service.Service.Scheduler);
        var server = Assert.Single(service.RealServers);
        Assert.Equal(new RealServer(IPAddress.Parse("192.168.0.2"), 6443), server);
        Assert.Equal(ForwardingMethod.Masquerade, server.ForwardingMethod);
        Assert.Equal(1, server.Weight);
        Assert.Equal(new HealthCheckOptions(), service.Health);
        Assert.Equal(CareMode.Route, options.Mode);
        Assert.Equal("lvscare", options.Interface);
        Assert.Null(options.Gateway);
        Assert.Equal(0, options.MasqueradeBit);
        Assert.Equal(1u, options.MasqueradeMark);
        Assert.Equal(LogLevel.Info, options.LogLevel);
        Assert.False(options.JsonLogs);
        Assert.Null(options.MetricsAddress);
        Assert.False(options.CleanOnExit);
    }

    [Fact]
    public void HealthFlags_MapToTheChecks()
    {
        var options = Parse(
            "--vs", "198.18.200.1:443", "--rs", "198.18.1.2:443", "--health-schem", "http", "--health-path", "ready", "--health-req-method", "HEAD",
            "--health-req-body", "ping", "--health-req-headers", "Accept=a,b", "--health-req-headers", "X-K=v", "--health-status", "401,403",
            "--health-insecure-skip-verify=false", "--health-timeout", "3s", "--interval", "7", "--health-rise", "2", "--health-fall", "3",
            "--drain-timeout", "1m", "--fail-closed");
        var health = options.Services[0].Health;
        Assert.Equal(HealthCheckType.Http, health.Type);
        Assert.Equal("/ready", health.Path);
        Assert.Equal("HEAD", health.Method);
        Assert.Equal("ping", health.Body);
        Assert.Equal([new("Accept", "a"), new("Accept", "b"), new("X-K", "v")], health.Headers);
        Assert.Equal([401, 403], health.AcceptedStatusCodes);
        Assert.False(health.InsecureSkipVerify);
        Assert.Equal(TimeSpan.FromSeconds(3), health.Timeout);
        Assert.Equal(TimeSpan.FromSeconds(7), health.Interval);
        Assert.Equal(2, health.Rise);
        Assert.Equal(3, health.Fall);
        Assert.Equal(TimeSpan.FromMinutes(1), health.DrainTimeout);
        Assert.True(health.FailClosed);
        Assert.Equal(HealthCheckType.Tcp, Parse("--vs", "1.1.1.1:1", "--rs", "1.1.1.2:1", "--health-type", "tcp").Services[0].Health.Type);
        Assert.Equal(HealthCheckType.None, Parse("--vs", "1.1.1.1:1", "--rs", "1.1.1.2:1", "--health-type", "NONE").Services[0].Health.Type);
    }

    [Fact]
    public void IntervalZero_MeansTheDefault()
    {
        Assert.Equal(TimeSpan.FromSeconds(5), Parse("--vs", "1.1.1.1:1", "--rs", "1.1.1.2:1", "--interval", "0").Services[0].Health.Interval);
    }

    [Fact]
    public void RealServers_RepeatedCommaSeparatedIpv6()
    {
        var options = Parse("--vs", "[2001:db8::1]:443", "--rs", "[2001:db8::2]:443,[2001:db8::3]:443", "--rs", "[2001:db8::4]:8443");
        Assert.Equal(["[2001:db8::2]:443", "[2001:db8::3]:443", "[2001:db8::4]:8443"], options.Services[0].RealServers.Select(s => s.Endpoint));
    }

    [Fact]
    public void EverySchedulerOfTheKernel_IsAccepted()
    {
        foreach (var scheduler in new[] { "rr", "wrr", "lc", "wlc", "lblc", "lblcr", "dh", "sh", "sed", "nq", "fo", "ovf", "mh", "twos" })
        {
            Assert.Equal(scheduler, Parse("--vs", "1.1.1.1:1", "--rs", "1.1.1.2:1", "--scheduler", scheduler).Services[0].Service.Scheduler);
        }
    }

    [Fact]
    public void ModesLoggingAndOutput()
    {
        var options = Parse("--vs", "1.1.1.1:1", "--rs", "1.1.1.2:1", "--mode", "link", "-i", "kube-lb0", "--masqueradebit", "14", "--logger", "DEBG",
            "--log-format", "json", "--show-path", "--metrics-address", ":9100", "--clean-on-exit");
        Assert.Equal(CareMode.Link, options.Mode);
        Assert.Equal("kube-lb0", options.Interface);
        Assert.Equal(0x4000u, options.MasqueradeMark);
        Assert.Equal(LogLevel.Debug, options.LogLevel);
        Assert.True(options.JsonLogs);
        Assert.True(options.ShowPath);
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 9100), options.MetricsAddress);
        Assert.True(options.CleanOnExit);
        Assert.Equal(LogLevel.Debug, Parse("--vs", "1.1.1.1:1", "--rs", "1.1.1.2:1", "--debug").LogLevel);
        Assert.Equal(CareMode.None, Parse("--vs", "1.1.1.1:1", "--rs", "1.1.1.2:1", "--mode", "").Mode);
    }

    [Theory]
    [InlineData("9100", "127.0.0.1:9100")]
    [InlineData(":9100", "127.0.0.1:9100")]
    [InlineData("localhost:9100", "127.0.0.1:9100")]
    [InlineData("0.0.0.0:9100", "0.0.0.0:9100")]
    [InlineData("198.18.0.1:80", "198.18.0.1:80")]
    [InlineData("[::1]:9100", "[::1]:9100")]
    public void MetricsAddress_LoopbackWithoutAHost(string text, string expected)
    {
        Assert.True(CareFlags.TryParseListenAddress(text, out var endpoint, out var error), error);
        Assert.Equal(expected, endpoint.ToString());
    }

    [Fact]
    public void Gateway_FromIpElseFromHostsFile()
    {
        string? Hosts(string name) => name == "lvscare.node.ip" ? "198.18.50.9" : null;
        Assert.Equal(IPAddress.Parse("198.18.50.2"), Parse(["--vs", "1.1.1.1:1", "--rs", "1.1.1.2:1", "--ip", "198.18.50.2"], Hosts).Gateway);
        Assert.Equal(IPAddress.Parse("198.18.50.9"), Parse(["--vs", "1.1.1.1:1", "--rs", "1.1.1.2:1"], Hosts).Gateway);
        Assert.Null(Parse(["--vs", "1.1.1.1:1", "--rs", "1.1.1.2:1", "--mode", "link"], Hosts).Gateway);
    }

    [Fact]
    public void CleanAlone_NeedsNoVirtualServer()
    {
        var options = Parse("--clean");
        Assert.True(options.Clean);
        Assert.Null(options.VirtualServer);
        Assert.Empty(options.Services);
        var withVs = Parse("--vs", "169.254.0.1:6443", "-C");
        Assert.Equal(VirtualServiceKey.Parse("tcp/169.254.0.1:6443"), withVs.VirtualServer);
    }

    [Theory]
    [InlineData(new[] { "--rs", "1.1.1.2:1" }, "required flag(s) \"vs\" not set")]
    [InlineData(new[] { "--vs", "1.1.1.1:1" }, "required flag(s) \"rs\" not set")]
    [InlineData(new[] { "--vs", "1.1.1.1", "--rs", "1.1.1.2:1" }, "--vs '1.1.1.1': missing port")]
    [InlineData(new[] { "--vs", "1.1.1.1:0", "--rs", "1.1.1.2:1" }, "--vs '1.1.1.1:0': the port must be from 1 to 65535")]
    [InlineData(new[] { "--vs", "1.1.1.1:99999", "--rs", "1.1.1.2:1" }, "'99999' is not a port")]
    [InlineData(new[] { "--vs", "2001:db8::1:80", "--rs", "1.1.1.2:1" }, "too many colons")]
    [InlineData(new[] { "--vs", "1.1.1.1:1", "--rs", "[2001:db8::2]:1" }, "not of the address family of --vs")]
    [InlineData(new[] { "--vs", "1.1.1.1:1", "--rs", "1.1.1.2:1,1.1.1.2:1" }, "--rs '1.1.1.2:1' is given twice")]
    [InlineData(new[] { "--vs", "1.1.1.1:1", "--rs", "1.1.1.2:1", "--mode", "nat" }, "unsupported --mode 'nat': expected route or link")]
    [InlineData(new[] { "--vs", "1.1.1.1:1", "--rs", "1.1.1.2:1", "--logger", "LOUD" }, "unsupported --logger 'LOUD'")]
    [InlineData(new[] { "--vs", "1.1.1.1:1", "--rs", "1.1.1.2:1", "--log-format", "xml" }, "unsupported --log-format 'xml'")]
    [InlineData(new[] { "--vs", "1.1.1.1:1", "--rs", "1.1.1.2:1", "--scheduler", "random" }, "unsupported --scheduler 'random'")]
    [InlineData(new[] { "--vs", "1.1.1.1:1", "--rs", "1.1.1.2:1", "--health-schem", "ftp" }, "unsupported --health-schem 'ftp': expected http or https")]
    [InlineData(new[] { "--vs", "1.1.1.1:1", "--rs", "1.1.1.2:1", "--health-type", "icmp" }, "unsupported --health-type 'icmp'")]
    [InlineData(new[] { "--vs", "1.1.1.1:1", "--rs", "1.1.1.2:1", "--interval", "-5" }, "--interval -5 must be positive")]
    [InlineData(new[] { "--vs", "1.1.1.1:1", "--rs", "1.1.1.2:1", "--health-timeout", "0s" }, "--health-timeout 0s must be positive")]
    [InlineData(new[] { "--vs", "1.1.1.1:1", "--rs", "1.1.1.2:1", "--health-fall", "0" }, "--health-fall 0 is out of range")]
    [InlineData(new[] { "--vs", "1.1.1.1:1", "--rs", "1.1.1.2:1", "--masqueradebit", "32" }, "--masqueradebit 32 is out of range")]
    [InlineData(new[] { "--vs", "1.1.1.1:1", "--rs", "1.1.1.2:1", "-i", "a/b" }, "--iface 'a/b' is not an interface name")]
    [InlineData(new[] { "--vs", "1.1.1.1:1", "--rs", "1.1.1.2:1", "--metrics-address", "nowhere:x" }, "--metrics-address 'nowhere:x': 'x' is not a port")]
    [InlineData(new[] { "--vs", "1.1.1.1:1", "--rs", "1.1.1.2:1", "--ip", "2001:db8::9" }, "is not of the address family of the virtual server")]
    [InlineData(new[] { "--vs", "1.1.1.1:1", "--rs", "1.1.1.2:1", "stray" }, "unexpected argument 'stray'")]
    [InlineData(new[] { "--vs", "1.1.1.1:1", "--rs", "1.1.1.2:1", "--print-static-pod", "--run-once" }, "cannot be combined with --clean or --run-once")]
    [InlineData(new[] { "-f", "x.yaml", "--rs", "1.1.1.2:1" }, "cannot be combined with --vs or --rs")]
    public void BadFlags_NameWhatIsWrong(string[] args, string message) =>
        Assert.Contains(message, Fail(args), StringComparison.Ordinal);

    [Fact]
    public void Environment_CarePrefix()
    {
        var options = Parse(["--rs", "1.1.1.2:1"], _ => null, name => name == "CARE_VS" ? "1.1.1.1:1" : null);
        Assert.Equal(VirtualServiceKey.Parse("tcp/1.1.1.1:1"), options.VirtualServer);
    }

    [Fact]
    public void Help_IsReportedAsHelp()
    {
        Assert.False(CareFlags.TryParse(["--help"], null, _ => null, out _, out var help, out _));
        Assert.True(help);
    }

    [Fact]
    public void StaticPodArguments_VsAndRsFirst_ThenTheOthersAsGiven_WithoutOneShotFlags()
    {
        var options = Parse("--interval", "3", "--rs", "10.0.0.2:6443", "--vs", "10.103.97.2:6443", "--rs", "10.0.0.3:6443", "--health-status", "401",
            "--print-static-pod", "--image", "registry.example/ipvs:1", "--health-insecure-skip-verify=false");
        Assert.Equal(
            ["care", "--vs", "10.103.97.2:6443", "--rs", "10.0.0.2:6443", "--rs", "10.0.0.3:6443", "--interval", "3", "--health-status", "401", "--health-insecure-skip-verify=false"],
            options.StaticPodArguments);
        Assert.Equal("registry.example/ipvs:1", options.Image);
        Assert.True(options.PrintStaticPod);
    }

    [Fact]
    public void FlagValues_ListEveryFlagForTheDebugLog()
    {
        var values = Parse("--vs", "1.1.1.1:1", "--rs", "1.1.1.2:1,1.1.1.3:1").FlagValues.ToDictionary();
        Assert.Equal("1.1.1.1:1", values["vs"]);
        Assert.Equal("[1.1.1.2:1,1.1.1.3:1]", values["rs"]);
        Assert.Equal("10s", values["health-timeout"]);
        Assert.Equal("true", values["health-insecure-skip-verify"]);
        Assert.Equal("<nil>", values["ip"]);
    }
}
