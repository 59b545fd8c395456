using Ipvs.Health;

namespace Ipvs.Tests.Health;

public sealed class HealthCheckOptionsTests
{
    [Fact]
    public void Defaults_AreLvscares()
    {
        var options = new HealthCheckOptions();
        Assert.Equal(HealthCheckType.Https, options.Type);
        Assert.Equal("/healthz", options.Path);
        Assert.Equal("GET", options.Method);
        Assert.True(options.InsecureSkipVerify);
        Assert.Equal(TimeSpan.FromSeconds(10), options.Timeout);
        Assert.Equal(TimeSpan.FromSeconds(5), options.Interval);
        Assert.Equal(1, options.Rise);
        Assert.Equal(1, options.Fall);
        Assert.Equal(TimeSpan.FromSeconds(5), options.EffectiveDrainTimeout);
        Assert.False(options.FailClosed);
    }

    [Theory]
    [InlineData(10, 5, 4.5)]
    [InlineData(2, 5, 2)]
    [InlineData(1, 1, 0.9)]
    [InlineData(0, 1, 0.9)]
    public void EffectiveTimeout_IsShorterThanTheInterval(double timeout, double interval, double expected)
    {
        var options = new HealthCheckOptions { Timeout = TimeSpan.FromSeconds(timeout), Interval = TimeSpan.FromSeconds(interval) };
        Assert.Equal(TimeSpan.FromSeconds(expected), options.EffectiveTimeout);
    }

    [Fact]
    public void Validate_NamesEachProblem()
    {
        var problems = new HealthCheckOptions
        {
            Interval = TimeSpan.Zero,
            Rise = 0,
            Fall = -1,
            Path = "no-slash",
            Method = "GE T",
            Headers = [new("Bad Name", "x"), new("X-Ok", "line\nbreak")],
            AcceptedStatusCodes = [42],
        }.Validate();
        Assert.Contains("the interval must be positive, not 0s", problems);
        Assert.Contains("the rise threshold must be at least 1, not 0", problems);
        Assert.Contains("the fall threshold must be at least 1, not -1", problems);
        Assert.Contains("the health path 'no-slash' must start with '/' and contain no spaces", problems);
        Assert.Contains("'GE T' is not an HTTP method", problems);
        Assert.Contains("'Bad Name' is not an HTTP header name", problems);
        Assert.Contains("the value of header X-Ok contains a line break", problems);
        Assert.Contains("42 is not an HTTP status code", problems);
        Assert.Empty(new HealthCheckOptions().Validate());
    }

    [Theory]
    [InlineData(0, "0s")]
    [InlineData(5000, "5s")]
    [InlineData(90000, "1m30s")]
    [InlineData(3600000, "1h0m0s")]
    [InlineData(500, "500ms")]
    [InlineData(1500, "1.5s")]
    [InlineData(-2000, "-2s")]
    public void Format_WritesDurationsAsGo(int milliseconds, string expected) =>
        Assert.Equal(expected, HealthCheckOptions.Format(TimeSpan.FromMilliseconds(milliseconds)));

    [Fact]
    public void Equality_ComparesListsByContent()
    {
        var a = new HealthCheckOptions { Headers = [new("A", "1")], AcceptedStatusCodes = [401] };
        var b = new HealthCheckOptions { Headers = [new("A", "1")], AcceptedStatusCodes = [401] };
        Assert.Equal(a, b);
        Assert.NotEqual(a, b with { AcceptedStatusCodes = [403] });
        Assert.NotEqual(a, b with { Fall = 2 });
    }

    [Theory]
    [InlineData("https", HealthCheckType.Https)]
    [InlineData("HTTP", HealthCheckType.Http)]
    [InlineData("tcp", HealthCheckType.Tcp)]
    [InlineData("none", HealthCheckType.None)]
    public void ProberNames_RoundTrip(string name, HealthCheckType type)
    {
        Assert.True(HealthProbers.TryParse(name, out var parsed));
        Assert.Equal(type, parsed);
        Assert.Equal(name.ToLowerInvariant(), HealthProbers.NameOf(type));
        Assert.False(HealthProbers.TryParse("icmp", out _));
    }
}
