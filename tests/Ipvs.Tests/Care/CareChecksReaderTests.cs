using System.Net;
using Ipvs.Cli.Care;
using Ipvs.Health;
using Ipvs.Health.Checks;

namespace Ipvs.Tests.Care;

/// <summary>The checks schema of a care file's health section (docs/care.md, "Checks and policies").</summary>
public sealed class CareChecksReaderTests : IDisposable
{
    private readonly string _file = Path.Combine(Path.GetTempPath(), $"ipvs-care-checks-{Guid.NewGuid():N}.yaml");

    public void Dispose() => File.Delete(_file);

    [Fact]
    public void EveryKey_OfEveryType_AndThePolicy()
    {
        File.WriteAllText(_file, """
            services:
              - service: tcp/198.18.0.10:80
                servers: [198.18.1.2:80, {server: 198.18.1.3:80, weight: 3}]
                health:
                  interval: 6s
                  alpha: true
                  inhibit-on-failure: true
                  fail-closed: true
                  drain-timeout: 0s
                  quorum: 2
                  hysteresis: 1
                  on-quorum-up: {run: [/usr/local/bin/notify, up], user: "nobody:nogroup", timeout: 3s}
                  on-quorum-down: [/usr/local/bin/notify, down]
                  sorry-server: {server: 198.18.1.9:80, forward: route, weight: 4}
                  sorry-server-inhibit: true
                  ha-suspend: true
                  checks:
                    - type: http
                      urls:
                        - {path: /health, status: [200, "300-399"], digest: 9B3A0C85A887A256D6939DA88AABD8CD}
                        - {path: /ready, virtualhost: www.example.org}
                      virtualhost: example.org
                      timeout: 3s
                      retry: 2
                      delay-before-retry: 1s
                      warmup: 0s
                      connect-ip: 198.18.1.20
                      connect-port: 8080
                      bind-to: 198.18.0.2
                      bind-port: 40000
                    - {type: https, urls: [{path: /}], insecure-skip-verify: false}
                  servers:
                    198.18.1.3:80:
                      checks:
                        - {type: tcp, interval: 2s}
                        - {type: misc, run: [/usr/local/bin/check, "198.18.1.3"], timeout: 5s, dynamic: true, user: nobody}
                        - {type: udp, payload: "0a 1b", require-reply: "ff"}
                        - {type: udp, require-reply: true}
                        - {type: dns, query-type: aaaa, name: example.org}
                        - {type: smtp, helo-name: director.example.org}
                        - {type: ping}
                        - {type: file, path: /run/weight, weight: -2, reverse: true}
                      on-up: [/usr/local/bin/notify, rs-up]
                      on-down: {run: [/usr/local/bin/notify, rs-down], timeout: 20s}
            """);
        Assert.True(CareFile.TryLoad(_file, "rr", new HealthCheckOptions(), out var services, out var error), error);
        var checkedHealth = services[0].Checked;
        Assert.NotNull(checkedHealth);
        var policy = checkedHealth.Policy;
        Assert.True(policy.Alpha);
        Assert.True(policy.InhibitOnFailure);
        Assert.Equal(2, policy.Quorum);
        Assert.Equal(1, policy.Hysteresis);
        Assert.Equal(new ScriptCommand { Arguments = ["/usr/local/bin/notify", "up"], User = "nobody:nogroup", Timeout = TimeSpan.FromSeconds(3) }, policy.OnQuorumUp);
        Assert.Equal(new ScriptCommand { Arguments = ["/usr/local/bin/notify", "down"] }, policy.OnQuorumDown);
        Assert.Equal("198.18.1.9:80", policy.SorryServer!.Endpoint);
        Assert.Equal(Ipvs.Model.ForwardingMethod.DirectRoute, policy.SorryServer.ForwardingMethod);
        Assert.Equal(4, policy.SorryServer.Weight);
        Assert.True(policy.SorryServerInhibit);
        Assert.True(policy.HaSuspend);
        Assert.Equal(TimeSpan.FromSeconds(6), policy.RepairInterval);

        // The first server has the service's checks.
        var first = checkedHealth.Servers[0];
        Assert.Equal("198.18.1.2:80", first.Server.Endpoint);
        var http = Assert.IsType<HttpCheck>(first.Checks[0]);
        Assert.False(http.Tls);
        Assert.Equal("example.org", http.VirtualHost);
        Assert.Equal([new StatusCodeRange(200, 200), new StatusCodeRange(300, 399)], http.Urls[0].StatusCodes);
        Assert.Equal("9b3a0c85a887a256d6939da88aabd8cd", http.Urls[0].Digest);
        Assert.Equal("www.example.org", http.Urls[1].VirtualHost);
        Assert.Equal(TimeSpan.FromSeconds(3), http.Timeout);
        Assert.Equal(TimeSpan.FromSeconds(6), http.Interval);
        Assert.Equal(2, http.Retry);
        Assert.Equal(TimeSpan.FromSeconds(1), http.DelayBeforeRetry);
        Assert.Equal(TimeSpan.Zero, http.Warmup);
        Assert.Equal(IPAddress.Parse("198.18.1.20"), http.ConnectAddress);
        Assert.Equal((ushort)8080, http.ConnectPort);
        Assert.Equal(IPAddress.Parse("198.18.0.2"), http.BindAddress);
        Assert.Equal((ushort)40000, http.BindPort);
        var https = Assert.IsType<HttpCheck>(first.Checks[1]);
        Assert.True(https.Tls);
        Assert.False(https.InsecureSkipVerify);
        Assert.Equal(1, https.Retry);
        Assert.Equal(CheckDefinition.DefaultTimeout, https.Timeout); // keepalived's connect_timeout, not lvscare's 10 s

        // The second has its own, and its scripts.
        var second = checkedHealth.Servers[1];
        Assert.Equal(3, second.Server.Weight);
        Assert.Equal(TimeSpan.FromSeconds(2), Assert.IsType<TcpCheck>(second.Checks[0]).Interval);
        var misc = Assert.IsType<MiscCheck>(second.Checks[1]);
        Assert.Equal(["/usr/local/bin/check", "198.18.1.3"], misc.Command);
        Assert.True(misc.Dynamic);
        Assert.Equal("nobody", misc.User);
        Assert.Equal(TimeSpan.FromSeconds(5), misc.Timeout);
        Assert.Equal(0, misc.Retry); // keepalived's MISC_CHECK default
        var udp = Assert.IsType<UdpCheck>(second.Checks[2]);
        Assert.Equal(new byte[] { 0x0a, 0x1b }, udp.Payload.ToArray());
        Assert.True(udp.RequireReply);
        Assert.Equal(new byte[] { 0xff }, udp.ExpectedReply.ToArray());
        var anyReply = Assert.IsType<UdpCheck>(second.Checks[3]);
        Assert.True(anyReply.RequireReply);
        Assert.True(anyReply.ExpectedReply.IsEmpty);
        var dns = Assert.IsType<DnsCheck>(second.Checks[4]);
        Assert.Equal("AAAA", dns.QueryType);
        Assert.Equal("example.org", dns.Name);
        Assert.Equal(3, dns.Retry); // keepalived's DNS_CHECK default
        Assert.Equal("director.example.org", Assert.IsType<SmtpCheck>(second.Checks[5]).HeloName);
        Assert.IsType<PingCheck>(second.Checks[6]);
        var file = Assert.IsType<FileCheck>(second.Checks[7]);
        Assert.Equal("/run/weight", file.Path);
        Assert.Equal(-2, file.Weight);
        Assert.True(file.Reverse);
        Assert.Equal(0, file.Retry); // FILE_CHECK: no retries, read at start
        Assert.Equal(TimeSpan.Zero, file.Warmup);
        Assert.Equal(["/usr/local/bin/notify", "rs-up"], second.OnUp!.Arguments);
        Assert.Equal(TimeSpan.FromSeconds(20), second.OnDown!.Timeout);
    }

    [Fact]
    public void SameFileTwice_GivesEqualDefinitions_SoReloadKeepsTheService()
    {
        File.WriteAllText(_file, """
            services:
              - service: tcp/198.18.0.10:80
                servers: [198.18.1.2:80]
                health:
                  checks: [{type: http, urls: [{path: /, status: ["200-299"]}]}, {type: udp, payload: "00ff"}]
                  on-quorum-down: [/bin/true]
            """);
        Assert.True(CareFile.TryLoad(_file, "rr", new HealthCheckOptions(), out var a, out var error), error);
        Assert.True(CareFile.TryLoad(_file, "rr", new HealthCheckOptions(), out var b, out error), error);
        Assert.True(a[0].IsSameAs(b[0]));

        // Control: a changed check makes it a different service.
        File.WriteAllText(_file, File.ReadAllText(_file).Replace("00ff", "00fe", StringComparison.Ordinal));
        Assert.True(CareFile.TryLoad(_file, "rr", new HealthCheckOptions(), out var c, out error), error);
        Assert.False(a[0].IsSameAs(c[0]));
    }

    [Fact]
    public void Errors_EachAtItsLineAndColumn_AllAtOnce()
    {
        File.WriteAllText(_file, """
            services:
              - service: tcp/198.18.0.10:80
                servers: [198.18.1.2:80]
                health:
                  type: http
                  rise: 2
                  quorum: many
                  on-quorum-up: "/usr/local/bin/notify up"
                  sorry-server: 198.18.1.2:80
                  checks:
                    - {type: htp}
                    - {type: http, urls: [{path: /, status: ["299-200", 99], digest: xyz}]}
                    - {type: misc, run: [notify]}
                    - {type: udp, payload: "abc"}
                    - {type: tcp, colour: blue, connect-ip: 198.18.1}
                    - {type: dns, query-type: PTR}
                  servers:
                    198.18.1.99:80: {checks: [{type: tcp}]}
            """);
        Assert.False(CareFile.TryLoad(_file, "rr", new HealthCheckOptions(), out _, out var error));
        string[] expected =
        [
            ":5:7: error: 'type' does not go with checks",
            ":6:7: error: 'rise' does not go with checks",
            ":7:15: error: quorum 'many' is not a number",
            ":8:21: error: on-quorum-up must be an argument array",
            ":9:21: error: the sorry server 198.18.1.2:80 is also one of the service's servers",
            ":11:18: error: unknown check type 'htp' (did you mean 'http'?)",
            ":12:50: error: the status range '299-200' ends before it starts",
            ":12:61: error: '99' is not a status code",
            ":12:74: error: digest 'xyz' must be an MD5 digest",
            ":13:30: error: the program 'notify' must be an absolute path",
            ":14:32: error: payload 'abc' must be bytes in hexadecimal",
            ":15:23: error: unknown key 'colour' in a tcp check",
            ":15:49: error: connect-ip '198.18.1' is not an IP address",
            ":16:35: error: unknown query-type 'PTR'",
            ":18:9: error: 198.18.1.99:80 is not one of this service's servers",
        ];
        foreach (var text in expected)
        {
            Assert.True(error.Contains(_file + text, StringComparison.Ordinal), "missing " + text + " in\n" + error);
        }
    }

    [Fact]
    public void PolicyWithoutChecks_IsRefused_ButAnLvscareSectionStillReads()
    {
        File.WriteAllText(_file, """
            services:
              - service: tcp/198.18.0.10:80
                servers: [198.18.1.2:80]
                health: {type: tcp, alpha: true}
            """);
        Assert.False(CareFile.TryLoad(_file, "rr", new HealthCheckOptions(), out _, out var error));
        Assert.True(error.Contains(_file + ":4:25: error: 'alpha' needs checks", StringComparison.Ordinal), error);

        // Control: the same section without the policy key is the lvscare-style check, unchanged.
        File.WriteAllText(_file, File.ReadAllText(_file).Replace(", alpha: true", string.Empty, StringComparison.Ordinal));
        Assert.True(CareFile.TryLoad(_file, "rr", new HealthCheckOptions(), out var services, out error), error);
        Assert.Null(services[0].Checked);
        Assert.Equal(HealthCheckType.Tcp, services[0].Health.Type);
    }

    [Fact]
    public void DrainAndPanic_OnlyAsKeepalivedHasThem()
    {
        File.WriteAllText(_file, """
            services:
              - service: tcp/198.18.0.10:80
                servers: [198.18.1.2:80]
                health: {checks: [{type: tcp}], drain-timeout: 5s, fail-closed: false}
            """);
        Assert.False(CareFile.TryLoad(_file, "rr", new HealthCheckOptions(), out _, out var error));
        Assert.Contains("drain-timeout can only be 0s", error, StringComparison.Ordinal);
        Assert.Contains("fail-closed can only be true", error, StringComparison.Ordinal);
    }
}
