using Ipvs.Cli.Care;

namespace Ipvs.Tests.Care;

/// <summary>The command-line forms spf13/pflag accepts, as lvscare and sealctl see them.</summary>
public sealed class FlagSetTests
{
    private static FlagSet Parse(params string[] args)
    {
        var flags = CareFlags.Create();
        Assert.True(flags.TryParse(args, out var error), error);
        return flags;
    }

    private static string Fail(params string[] args)
    {
        var flags = CareFlags.Create();
        Assert.False(flags.TryParse(args, out var error));
        return error;
    }

    [Fact]
    public void ValueForms_SeparateEqualsAndShorthand()
    {
        Assert.Equal("x", Parse("--vs", "x")["vs"].Text);
        Assert.Equal("x", Parse("--vs=x")["vs"].Text);
        Assert.Equal("a=b", Parse("--vs=a=b")["vs"].Text);
        Assert.Equal(string.Empty, Parse("--vs=")["vs"].Text);
        Assert.Equal("eth9", Parse("-i", "eth9")["iface"].Text);
        Assert.Equal("eth9", Parse("-ieth9")["iface"].Text);
        Assert.Equal("eth9", Parse("-i=eth9")["iface"].Text);
        Assert.Equal("-C", Parse("--vs", "-C")["vs"].Text);
    }

    [Fact]
    public void Booleans_TakeNoSeparateValue()
    {
        var flags = Parse("--run-once", "false");
        Assert.True(flags["run-once"].Bool);
        Assert.Equal(["false"], flags.Arguments);
        Assert.False(Parse("--run-once=false")["run-once"].Bool);
        Assert.True(Parse("--run-once=1")["run-once"].Bool);
        Assert.True(Parse("-C")["clean"].Bool);
        Assert.False(Parse("--health-insecure-skip-verify=false")["health-insecure-skip-verify"].Bool);
        Assert.True(Parse()["health-insecure-skip-verify"].Bool);
        var grouped = Parse("-Ci", "x");
        Assert.True(grouped["clean"].Bool);
        Assert.Equal("x", grouped["iface"].Text);
    }

    [Fact]
    public void StringSlice_RepeatedAndCommaSeparated_Accumulate()
    {
        var flags = Parse("--rs", "a:1,b:2", "--rs=c:3", "--rs", "d:4");
        Assert.Equal(["a:1", "b:2", "c:3", "d:4"], flags["rs"].Strings);
        Assert.True(flags.IsChanged("rs"));
        Assert.Empty(Parse()["rs"].Strings);
    }

    [Fact]
    public void IntSlice_RepeatedAndCommaSeparated()
    {
        Assert.Equal([401L, 403L, 500L], Parse("--health-status", "401,403", "--health-status=500")["health-status"].Ints);
        Assert.Contains("strconv.Atoi: parsing \"x\"", Fail("--health-status", "401,x"), StringComparison.Ordinal);
    }

    [Fact]
    public void StringToString_OneEqualsKeepsCommasInTheValue_SeveralAreCsv_RepeatsMerge()
    {
        Assert.Equal([new KeyValuePair<string, string>("Accept", "a,b")], Parse("--health-req-headers", "Accept=a,b")["health-req-headers"].Pairs);
        Assert.Equal(
            [new KeyValuePair<string, string>("k", "v"), new KeyValuePair<string, string>("k2", "v2")],
            Parse("--health-req-headers", "k=v,k2=v2")["health-req-headers"].Pairs);
        Assert.Equal(
            [new KeyValuePair<string, string>("k", "3"), new KeyValuePair<string, string>("j", "2")],
            Parse("--health-req-headers", "k=1", "--health-req-headers", "j=2", "--health-req-headers", "k=3")["health-req-headers"].Pairs);
        Assert.Contains("novalue must be formatted as key=value", Fail("--health-req-headers", "novalue"), StringComparison.Ordinal);
    }

    [Fact]
    public void DurationOrSeconds_AcceptsBoth()
    {
        Assert.Equal(TimeSpan.FromSeconds(7), Parse("--interval", "7")["interval"].Duration);
        Assert.Equal(TimeSpan.FromSeconds(90), Parse("--interval", "1m30s")["interval"].Duration);
        Assert.Equal(TimeSpan.FromMilliseconds(500), Parse("--interval=500ms")["interval"].Duration);
        Assert.Equal("invalid argument \"soon\" for \"--interval\" flag: time: invalid duration \"soon\"", Fail("--interval", "soon"));
        Assert.Equal("invalid argument \"5\" for \"--health-timeout\" flag: time: missing unit in duration \"5\"", Fail("--health-timeout", "5"));
    }

    [Fact]
    public void Errors_AreWordedAsPflags()
    {
        Assert.Equal("unknown flag: --nope", Fail("--nope"));
        Assert.Equal("unknown flag: --nope", Fail("--nope=1"));
        Assert.Equal("unknown shorthand flag: 'x' in -x", Fail("-x"));
        Assert.Equal("unknown shorthand flag: 'x' in -xC", Fail("-xC"));
        Assert.Equal("flag needs an argument: --vs", Fail("--vs"));
        Assert.Equal("flag needs an argument: 'i' in -i", Fail("-i"));
        Assert.Equal("bad flag syntax: ---vs", Fail("---vs"));
        Assert.Equal("invalid argument \"x\" for \"--run-once\" flag: strconv.ParseBool: parsing \"x\": invalid syntax", Fail("--run-once=x"));
        Assert.Equal("invalid argument \"1.2.3\" for \"--ip\" flag: failed to parse IP: \"1.2.3\"", Fail("--ip", "1.2.3"));
        Assert.Equal("invalid argument \"ten\" for \"--masqueradebit\" flag: strconv.ParseInt: parsing \"ten\": invalid syntax", Fail("--masqueradebit", "ten"));
    }

    [Fact]
    public void DoubleDash_EndsTheFlags_PositionalsAnywhere()
    {
        var flags = Parse("one", "--vs", "x", "two", "--", "--rs", "-C");
        Assert.Equal(["one", "two", "--rs", "-C"], flags.Arguments);
        Assert.False(flags["clean"].Bool);
    }

    [Fact]
    public void Help_IsNoticed()
    {
        Assert.True(Parse("--help").HelpRequested);
        Assert.True(Parse("-h").HelpRequested);
    }

    [Fact]
    public void Environment_FillsOnlyFlagsNotGiven()
    {
        var flags = CareFlags.Create();
        Assert.True(flags.TryParse(["--vs", "1.1.1.1:1"], out _));
        var variables = new Dictionary<string, string> { ["IPVS_VS"] = "2.2.2.2:2", ["IPVS_RS"] = "a:1,b:2", ["IPVS_RUN_ONCE"] = "true", ["IPVS_HEALTH_PATH"] = "" };
        Assert.True(flags.TryApplyEnvironment("IPVS", n => variables.GetValueOrDefault(n), out var error), error);
        Assert.Equal("1.1.1.1:1", flags["vs"].Text);
        Assert.Equal(["a:1", "b:2"], flags["rs"].Strings);
        Assert.True(flags["run-once"].Bool);
        Assert.Equal("/healthz", flags["health-path"].Text);
        var bad = CareFlags.Create();
        Assert.False(bad.TryApplyEnvironment("IPVS", n => n == "IPVS_INTERVAL" ? "soon" : null, out error));
        Assert.StartsWith("environment variable IPVS_INTERVAL: invalid argument \"soon\"", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Usage_ListsEveryFlagWithDefaults()
    {
        var usage = CareFlags.Create().Usage();
        Assert.Contains("  -C, --clean ", usage, StringComparison.Ordinal);
        Assert.Contains("  -i, --iface string ", usage, StringComparison.Ordinal);
        Assert.Contains("(default \"lvscare\")", usage, StringComparison.Ordinal);
        Assert.Contains("--health-timeout duration", usage, StringComparison.Ordinal);
        Assert.Contains("(default 10s)", usage, StringComparison.Ordinal);
        Assert.Contains("--health-req-headers stringToString", usage, StringComparison.Ordinal);
    }
}
