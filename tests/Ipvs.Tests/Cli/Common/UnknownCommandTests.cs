namespace Ipvs.Tests.Cli.Common;

/// <summary>
/// A word that is no command is a usage error (status 2) naming the word, with or without --help:
/// --help must not turn a typo into the parent's help and a success.
/// </summary>
public sealed class UnknownCommandTests
{
    [Theory]
    [InlineData("nosuchcommand", "ipvs: Unrecognized command or argument 'nosuchcommand'.", "Run 'ipvs --help' for usage.")]
    [InlineData("service nosuch", "ipvs service: Unrecognized command or argument 'nosuch'.", "Run 'ipvs service --help' for usage.")]
    [InlineData("s nosuch", "ipvs service: Unrecognized command or argument 'nosuch'.", "Run 'ipvs service --help' for usage.")]
    [InlineData("-o json nosuch", "ipvs: Unrecognized command or argument 'nosuch'.", "Run 'ipvs --help' for usage.")]
    [InlineData("ha nosuch", "ipvs ha: Unrecognized command or argument 'nosuch'.", "Run 'ipvs ha --help' for usage.")]
    public void UnknownCommand_IsAUsageError_WithAndWithoutHelp(string words, string message, string hint)
    {
        var expected = message + "\n" + hint + "\n";
        foreach (var help in new[] { null, "--help", "-h" })
        {
            var args = words.Split(' ').Concat(help is null ? [] : [help]).ToArray();

            var run = CliHarness.Run(args);

            Assert.True(run.ExitCode == 2, string.Join(' ', args) + ": " + run.ExitCode);
            Assert.Equal(expected, run.Error.ReplaceLineEndings("\n"));
            Assert.Empty(run.Out);
            Assert.False(run.KernelTouched);
        }
    }

    [Fact]
    public void HelpBeforeTheUnknownWord_IsAnErrorToo()
    {
        var run = CliHarness.Run("service", "--help", "nosuch");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("Unrecognized command or argument 'nosuch'", run.Error, StringComparison.Ordinal);
        Assert.Empty(run.Out);
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("service --help")]
    [InlineData("service add --help")]
    [InlineData("service add tcp/198.51.100.1:80 --help")]
    [InlineData("apply --help")]
    public void HelpOfAKnownCommand_StillSucceeds(string words)
    {
        var run = CliHarness.Run(words.Split(' '));

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("Usage:", run.Out, StringComparison.Ordinal);
        Assert.Empty(run.Error);
    }
}
