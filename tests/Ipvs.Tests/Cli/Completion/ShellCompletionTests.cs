using Ipvs.Cli.Completion;
using Ipvs.Testing;

namespace Ipvs.Tests.Cli.Completion;

public sealed class ShellCompletionTests
{
    private static string[] Complete(string line)
    {
        var run = CliHarness.Run("__complete", line.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), line);
        Assert.Equal(0, run.ExitCode);
        return run.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    [Fact]
    public void Complete_RootWords_OfferTheFamilies() =>
        Assert.Superset(new HashSet<string> { "service", "server", "address", "timeout", "daemon", "connection", "zero", "flush" }, Complete("").ToHashSet());

    [Fact]
    public void Complete_AfterAnAlias_OffersTheSubcommands() =>
        Assert.Superset(new HashSet<string> { "list", "add", "update", "del" }, Complete("s ").ToHashSet());

    [Fact]
    public void Complete_OptionValues_OfferSchedulersAndForwardingMethods()
    {
        Assert.Superset(new HashSet<string> { "rr", "wlc", "mh" }, Complete("service add tcp/198.51.100.1:80 -s ").ToHashSet());
        Assert.Superset(new HashSet<string> { "dr", "masq", "tun" }, Complete("server add tcp/198.51.100.1:80 192.0.2.10 --fwd ").ToHashSet());
        Assert.Equal(["json", "table", "yaml"], Complete("service list -o ").Order(StringComparer.Ordinal).ToArray());
    }

    [Fact]
    public void Complete_NeverOffersHiddenCommands() =>
        Assert.DoesNotContain(Complete(""), c => c.StartsWith("__", StringComparison.Ordinal));

    [Theory]
    [InlineData("bash", "complete -o default -F _ipvs_complete ipvs")]
    [InlineData("zsh", "compdef _ipvs ipvs")]
    public void CompletionCommand_PrintsTheScript(string shell, string expected)
    {
        var run = CliHarness.Run("completion", shell);

        Assert.Equal(0, run.ExitCode);
        Assert.Contains(expected, run.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void BashScript_IsValidBash()
    {
        var result = SyntaxCheck("bash", ShellCompletion.Bash);
        Assert.True(result.ExitCode == 0, result.ToString());
    }

    [Fact]
    public void ZshScript_IsValidZsh()
    {
        if (!File.Exists("/usr/bin/zsh") && !File.Exists("/bin/zsh"))
        {
            Assert.Skip("zsh is not installed (lab/install-deps installs it)");
        }

        var result = SyntaxCheck("zsh", ShellCompletion.Zsh);
        Assert.True(result.ExitCode == 0, result.ToString());
    }

    /// <summary>Loads the bash script and runs its completion function the way bash's completion does, against the real binary (JIT build).</summary>
    [Fact]
    public void BashScript_CompletesThroughTheBinary()
    {
        var directory = Directory.CreateTempSubdirectory("ipvs-completion-");
        try
        {
            var wrapper = Path.Combine(directory.FullName, "ipvs");
            var dll = Path.Combine(AppContext.BaseDirectory, "Ipvs.Cli.dll");
            File.WriteAllText(wrapper, $"#!/bin/sh\nexec dotnet '{dll}' \"$@\"\n");
            HostCommand.Check("chmod", "+x", wrapper);
            var script = Path.Combine(directory.FullName, "ipvs.bash");
            File.WriteAllText(script, ShellCompletion.Bash);
            var test = $$"""
                source '{{script}}'
                COMP_WORDS=('{{wrapper}}' service l)
                COMP_CWORD=2
                COMP_LINE="{{wrapper}} service l"
                COMP_POINT=${#COMP_LINE}
                _ipvs_complete
                printf '%s\n' "${COMPREPLY[@]}"
                """;

            var result = HostCommand.Run("bash", "-c", test);

            Assert.True(result.ExitCode == 0, result.ToString());
            Assert.Equal(["l", "list", "ls"], result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal).ToArray());
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    private static CommandResult SyntaxCheck(string shell, string script)
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, script);
            return HostCommand.Run(shell, "-n", path);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
