using Ipvs.Cli.Care;

namespace Ipvs.Tests.Care;

/// <summary>The value syntaxes of Go's flag packages, case by case as Go's own tests have them.</summary>
public sealed class GoSyntaxTests
{
    [Theory]
    [InlineData("0", 0)]
    [InlineData("5s", 5_000_000_000)]
    [InlineData("30s", 30_000_000_000)]
    [InlineData("1478s", 1_478_000_000_000)]
    [InlineData("-5s", -5_000_000_000)]
    [InlineData("+5s", 5_000_000_000)]
    [InlineData("5.0s", 5_000_000_000)]
    [InlineData("5.6s", 5_600_000_000)]
    [InlineData("5.s", 5_000_000_000)]
    [InlineData(".5s", 500_000_000)]
    [InlineData("1.004s", 1_004_000_000)]
    [InlineData("100ms", 100_000_000)]
    [InlineData("10us", 10_000)]
    [InlineData("10µs", 10_000)]
    [InlineData("10μs", 10_000)]
    [InlineData("1500ns", 1_500)]
    [InlineData("1m30s", 90_000_000_000)]
    [InlineData("2h45m", 9_900_000_000_000)]
    [InlineData("1h1m1s1ms", 3_661_001_000_000)]
    [InlineData("0.3333333333333333333h", 1_200_000_000_000)]
    public void Duration_ParsesAsGo(string text, long nanoseconds)
    {
        Assert.True(GoSyntax.TryParseDuration(text, out var value, out var error), error);
        Assert.Equal(TimeSpan.FromTicks(nanoseconds / 100), value);
    }

    [Theory]
    [InlineData("", "time: invalid duration \"\"")]
    [InlineData("3", "time: missing unit in duration \"3\"")]
    [InlineData("-", "time: invalid duration \"-\"")]
    [InlineData("s", "time: invalid duration \"s\"")]
    [InlineData(".", "time: invalid duration \".\"")]
    [InlineData("1d", "time: unknown unit \"d\" in duration \"1d\"")]
    [InlineData("soon", "time: invalid duration \"soon\"")]
    [InlineData("99999999999999999999h", "time: invalid duration \"99999999999999999999h\"")]
    public void Duration_RejectsWhatGoRejects(string text, string message)
    {
        Assert.False(GoSyntax.TryParseDuration(text, out _, out var error));
        Assert.Equal(message, error);
    }

    [Theory]
    [InlineData("1", true)]
    [InlineData("t", true)]
    [InlineData("T", true)]
    [InlineData("TRUE", true)]
    [InlineData("true", true)]
    [InlineData("True", true)]
    [InlineData("0", false)]
    [InlineData("f", false)]
    [InlineData("F", false)]
    [InlineData("FALSE", false)]
    [InlineData("false", false)]
    [InlineData("False", false)]
    public void Bool_AcceptsStrconvForms(string text, bool expected)
    {
        Assert.True(GoSyntax.TryParseBool(text, out var value));
        Assert.Equal(expected, value);
    }

    [Theory]
    [InlineData("yes")]
    [InlineData("tRUE")]
    [InlineData("")]
    public void Bool_RejectsOthers(string text) => Assert.False(GoSyntax.TryParseBool(text, out _));

    [Theory]
    [InlineData("0", 0)]
    [InlineData("3", 3)]
    [InlineData("-7", -7)]
    [InlineData("0x1f", 31)]
    [InlineData("0X1F", 31)]
    [InlineData("0o17", 15)]
    [InlineData("017", 15)]
    [InlineData("0b101", 5)]
    [InlineData("1_000", 1000)]
    [InlineData("0x_ff", 255)]
    public void Int_ParsesWithBasePrefixes(string text, long expected)
    {
        Assert.True(GoSyntax.TryParseInt(text, out var value));
        Assert.Equal(expected, value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("x")]
    [InlineData("09")]
    [InlineData("_1")]
    [InlineData("1_")]
    [InlineData("0x")]
    [InlineData("99999999999999999999")]
    public void Int_RejectsInvalid(string text) => Assert.False(GoSyntax.TryParseInt(text, out _));

    [Theory]
    [InlineData("a,b,c", new[] { "a", "b", "c" })]
    [InlineData("a", new[] { "a" })]
    [InlineData("a,,b", new[] { "a", "", "b" })]
    [InlineData("\"a,b\",c", new[] { "a,b", "c" })]
    [InlineData("\"say \"\"hi\"\"\"", new[] { "say \"hi\"" })]
    [InlineData(" a , b", new[] { " a ", " b" })]
    public void Csv_ReadsOneRecord(string text, string[] expected)
    {
        Assert.True(GoSyntax.TryReadCsvRecord(text, out var fields, out var error), error);
        Assert.Equal(expected, fields);
    }

    [Theory]
    [InlineData("a\"b", "bare \" in non-quoted-field")]
    [InlineData("\"open", "extraneous or missing \" in quoted-field")]
    [InlineData("\"a\"b", "extraneous or missing \" in quoted-field")]
    public void Csv_RejectsBadQuotes(string text, string message)
    {
        Assert.False(GoSyntax.TryReadCsvRecord(text, out _, out var error));
        Assert.Contains(message, error, StringComparison.Ordinal);
    }
}
