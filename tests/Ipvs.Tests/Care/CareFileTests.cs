using Ipvs.Cli.Care;
using Ipvs.Health;

namespace Ipvs.Tests.Care;

public sealed class CareFileTests : IDisposable
{
    private readonly string _file = Path.Combine(Path.GetTempPath(), $"ipvs-care-{Guid.NewGuid():N}.yaml");

    public void Dispose() => File.Delete(_file);

    [Fact]
    public void HealthSection_EveryKey_OthersFromTheCommandLine()
    {
        File.WriteAllText(_file, """
            services:
              - service: tcp/198.18.200.1:443
                servers: [198.18.1.2:443, {server: 198.18.2.2:443, weight: 3}]
                health:
                  type: http
                  path: ready
                  method: POST
                  headers: {X-One: a, X-Many: [b, c]}
                  body: ping
                  status: [401, 403]
                  insecure-skip-verify: false
                  timeout: 2s
                  interval: 4s
                  rise: 2
                  fall: 3
                  drain-timeout: 1m
                  fail-closed: true
              - service: udp/198.18.200.1:53
                servers: [198.18.3.2:53]
            """);
        var defaults = new HealthCheckOptions { Interval = TimeSpan.FromSeconds(7), Type = HealthCheckType.Tcp };
        Assert.True(CareFile.TryLoad(_file, "rr", defaults, out var services, out var error), error);
        Assert.Equal(2, services.Count);
        var health = services[0].Health;
        Assert.Equal(HealthCheckType.Http, health.Type);
        Assert.Equal("/ready", health.Path);
        Assert.Equal("POST", health.Method);
        Assert.Equal([new("X-One", "a"), new("X-Many", "b"), new("X-Many", "c")], health.Headers);
        Assert.Equal("ping", health.Body);
        Assert.Equal([401, 403], health.AcceptedStatusCodes);
        Assert.False(health.InsecureSkipVerify);
        Assert.Equal(TimeSpan.FromSeconds(2), health.Timeout);
        Assert.Equal(TimeSpan.FromSeconds(4), health.Interval);
        Assert.Equal(2, health.Rise);
        Assert.Equal(3, health.Fall);
        Assert.Equal(TimeSpan.FromMinutes(1), health.DrainTimeout);
        Assert.True(health.FailClosed);
        Assert.Equal(3, services[0].RealServers[1].Weight);
        Assert.Equal(defaults, services[1].Health);
        Assert.Equal("wlc", services[1].Service.Scheduler);
    }

    [Fact]
    public void Errors_CarryFileLineAndColumn_AllAtOnce()
    {
        File.WriteAllText(_file, """
            services:
              - service: tcp/198.18.200.1:443
                servers: [198.18.1.2:443]
                health:
                  type: icmp
                  rise: 0
                  colour: blue
              - service: tcp/198.18.200.2:443
                health: [not, a, mapping]
            """);
        Assert.False(CareFile.TryLoad(_file, "rr", new HealthCheckOptions(), out _, out var error));
        Assert.Contains(_file + ":5:", error, StringComparison.Ordinal);
        Assert.Contains("unknown health type 'icmp'", error, StringComparison.Ordinal);
        Assert.Contains(_file + ":6:", error, StringComparison.Ordinal);
        Assert.Contains("colour", error, StringComparison.Ordinal);
        Assert.Contains(_file + ":9:", error, StringComparison.Ordinal);
        Assert.Contains("health must be a mapping", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Validation_OfTheResultingChecks()
    {
        File.WriteAllText(_file, "services:\n  - service: tcp/198.18.200.1:443\n    health: {path: 'a b'}\n");
        Assert.False(CareFile.TryLoad(_file, "rr", new HealthCheckOptions(), out _, out var error));
        Assert.Contains("must start with '/' and contain no spaces", error, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingFile_SaysSo()
    {
        Assert.False(CareFile.TryLoad(_file + ".missing", "rr", new HealthCheckOptions(), out _, out var error));
        Assert.Contains("cannot read the file", error, StringComparison.Ordinal);
    }
}
