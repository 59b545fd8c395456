namespace Ipvs.Tests.Cli.Common;

/// <summary>Destructive commands ask at a terminal and refuse in scripts without --yes; both before IPVS is touched.</summary>
public sealed class ConfirmationTests
{
    public static TheoryData<string> Destructive() =>
    [
        "flush",
        "f",
        "clear",
        "zero",
        "service flush",
        "server flush tcp/198.51.100.1:80",
    ];

    [Theory]
    [MemberData(nameof(Destructive))]
    public void WithoutATerminal_AndWithoutYes_Refuses(string words)
    {
        var run = CliHarness.Run(words.Split(' '));

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("refusing without --yes: stdin is not a terminal", run.Error, StringComparison.Ordinal);
        Assert.False(run.KernelTouched);
    }

    [Theory]
    [MemberData(nameof(Destructive))]
    public void AtATerminal_AnsweringNo_ChangesNothing(string words)
    {
        var run = CliHarness.RunAtTerminal("n\n", words.Split(' '));

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("[y/N]", run.Error, StringComparison.Ordinal);
        Assert.Contains("ipvs: not confirmed: nothing was changed", run.Error, StringComparison.Ordinal);
        Assert.False(run.KernelTouched);
    }

    [Theory]
    [InlineData("")]
    [InlineData("\n")]
    [InlineData("maybe\n")]
    public void AtATerminal_AnythingButYes_IsNo(string answer)
    {
        var run = CliHarness.RunAtTerminal(answer, "flush");

        Assert.Equal(1, run.ExitCode);
        Assert.False(run.KernelTouched);
    }

    [Theory]
    [InlineData("y\n")]
    [InlineData("yes\n")]
    [InlineData(" Y \n")]
    public void AtATerminal_AnsweringYes_GoesAhead(string answer)
    {
        var run = CliHarness.RunAtTerminal(answer, "flush");

        Assert.Contains("Delete every virtual service and its real servers? [y/N]", run.Error, StringComparison.Ordinal);
        Assert.True(run.KernelTouched);
    }

    [Theory]
    [InlineData("flush --yes")]
    [InlineData("flush --force")]
    [InlineData("flush -y")]
    [InlineData("flush -f")]
    [InlineData("zero -y")]
    [InlineData("service flush --yes")]
    [InlineData("server flush tcp/198.51.100.1:80 -f")]
    public void WithYes_GoesAheadWithoutAsking(string words)
    {
        var run = CliHarness.Run(words.Split(' '));

        Assert.True(run.KernelTouched);
        Assert.DoesNotContain("[y/N]", run.Error, StringComparison.Ordinal);
    }
}
