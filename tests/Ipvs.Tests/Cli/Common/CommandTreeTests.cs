using System.CommandLine;
using Ipvs.Cli;
using Ipvs.Cli.Common;
using Ipvs.Cli.Docs;

namespace Ipvs.Tests.Cli.Common;

/// <summary>ipvsctl 1.3.0's command tree (kwanhur/ipvsctl command.go): every command and alias reaches the same command here.</summary>
public sealed class CommandTreeTests
{
    private static readonly Command s_root = CliRoot.Build(new CliEnvironment(new CliConsole(TextWriter.Null, TextWriter.Null, TextReader.Null, false), new IpvsClientOptions()));

    // (ipvsctl family and aliases, its subcommands and their aliases)
    public static TheoryData<string, string> IpvsctlAliases()
    {
        var families = new (string[] Family, (string Name, string[] Aliases)[] Subcommands)[]
        {
            (["zero", "z"], []),
            (["flush", "f", "clear"], []),
            (["service", "s", "svc", "vs"],
            [
                ("list", ["l", "ls"]), ("string", ["s", "str"]), ("check", ["c", "chk", "exist", "find"]), ("get", ["g", "fetch", "one"]),
                ("add", ["a", "new", "n", "set"]), ("update", ["u", "up"]), ("del", ["d", "delete"]), ("zero", ["z"]), ("flush", ["f", "clear"]),
                ("help", ["h"]),
            ]),
            (["server", "ser", "svr", "d", "dst", "dest", "destination", "rs", "realserver"],
            [
                ("list", ["l", "ls"]), ("add", ["a", "new", "n", "set"]), ("update", ["u", "up"]), ("del", ["d", "delete"]),
                ("flush", ["f", "clear", "purge"]), ("help", ["h"]),
            ]),
            (["address", "a", "addr", "local-address", "la", "laddr"],
            [
                ("list", ["l", "ls"]), ("add", ["a", "new", "n", "set"]), ("del", ["d", "delete"]), ("flush", ["f", "clear", "purge"]), ("help", ["h"]),
            ]),
            (["timeout", "t", "to", "out"], [("show", ["ls", "get"]), ("set", ["s"]), ("help", ["h"])]),
            (["daemon", "dm"], [("show", ["ls", "get"]), ("add", ["a", "new", "n", "set"]), ("del", ["d"]), ("help", ["h"])]),
            (["connection", "c", "conn"], [("show", ["ls", "get"]), ("help", ["h"])]),
            (["help", "h"], []),
            (["version"], []),
        };
        var data = new TheoryData<string, string>();
        foreach (var (family, subcommands) in families)
        {
            foreach (var familyWord in family)
            {
                if (subcommands.Length == 0)
                {
                    data.Add(familyWord, "ipvs " + family[0]);
                    continue;
                }

                foreach (var (name, aliases) in subcommands)
                {
                    foreach (var word in aliases.Prepend(name))
                    {
                        data.Add(familyWord + " " + word, $"ipvs {family[0]} {name}");
                    }
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(IpvsctlAliases))]
    public void IpvsctlCommandWords_ReachTheSameCommand(string words, string expectedPath)
    {
        var parseResult = s_root.Parse(AliasResolver.Canonicalize(s_root, words.Split(' ')));

        Assert.Equal(expectedPath, CliCommand.PathOf(parseResult.CommandResult.Command));
    }

    [Theory]
    [InlineData("-o json s s tcp/198.51.100.1:80", "ipvs service string")]
    [InlineData("--output yaml d ls", "ipvs server list")]
    [InlineData("s a tcp/198.51.100.1:80 -s rr", "ipvs service add")]
    [InlineData("help s a", "ipvs help")]
    public void CommandWords_AfterOptionsAndBeforeArguments_AreResolved(string words, string expectedPath)
    {
        var parseResult = s_root.Parse(AliasResolver.Canonicalize(s_root, words.Split(' ')));

        Assert.Empty(parseResult.Errors);
        Assert.Equal(expectedPath, CliCommand.PathOf(parseResult.CommandResult.Command));
    }

    [Theory]
    [InlineData("service add -vip 198.51.100.1 -vport 80 -proto udp -sched rr", "--vip", "198.51.100.1")]
    [InlineData("server add -vip=198.51.100.1 -vport 80 -rip 192.0.2.10 -rport 80 -weight 3", "--weight", "3")]
    [InlineData("service list -stats", "--stats", "True")]
    public void GoStyleOneDashLongOptions_AreAccepted_AsIpvsctlDoes(string words, string option, string value)
    {
        var parseResult = s_root.Parse(AliasResolver.Canonicalize(s_root, words.Split(' ')));

        Assert.Empty(parseResult.Errors);
        var result = parseResult.CommandResult.Children.OfType<System.CommandLine.Parsing.OptionResult>().Single(o => o.Option.Name == option);
        Assert.Equal(value, Convert.ToString(result.GetValueOrDefault<object>(), System.Globalization.CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData("timeout set -t 5", "-t")]
    [InlineData("server add tcp/198.51.100.1:80 192.0.2.10 -w -1", "-1")]
    [InlineData("service add tcp/198.51.100.1:80 -s rr", "-s")]
    public void ShortOptionsAndNegativeValues_AreLeftAlone(string words, string kept)
    {
        Assert.Contains(kept, AliasResolver.Canonicalize(s_root, words.Split(' ')));
    }

    [Fact]
    public void Canonicalize_StopsAtTheFirstArgument()
    {
        // "a" after the leaf command is an argument, not address/add.
        Assert.Equal(["service", "add", "a"], AliasResolver.Canonicalize(s_root, ["s", "a", "a"]));
    }

    [Fact]
    public void EveryVisibleCommand_HasADescriptionAndExamples()
    {
        foreach (var command in ReferenceDoc.Walk(s_root))
        {
            Assert.False(string.IsNullOrWhiteSpace(command.Description), CliCommand.PathOf(command));
            var cli = Assert.IsType<CliCommand>(command);
            Assert.True(cli.Examples.Count > 0, CliCommand.PathOf(command) + " has no example");
        }
    }

    [Fact]
    public void HelpOfEveryCommand_ExitsZeroWithUsageAndExamples()
    {
        foreach (var command in ReferenceDoc.Walk(s_root))
        {
            var words = CliCommand.PathOf(command).Split(' ').Skip(1).Append("--help").ToArray();

            var run = CliHarness.Run(words);

            Assert.Equal(0, run.ExitCode);
            Assert.Contains("Usage:", run.Out, StringComparison.Ordinal);
            Assert.Contains("Examples:", run.Out, StringComparison.Ordinal);
            Assert.False(run.KernelTouched);
        }
    }

    [Fact]
    public void RootHelp_ListsTheCommandsOtherPartsOfIpvsOwn()
    {
        var run = CliHarness.Run("--help");

        Assert.Equal(0, run.ExitCode);
        foreach (var (name, _) in OtherCommands.All)
        {
            Assert.Matches($"(?m)^  {name} +", run.Out);
        }
    }

    [Theory]
    [InlineData("help service add")]
    [InlineData("h s a")]
    [InlineData("service help add")]
    [InlineData("s h a")]
    public void HelpCommand_ShowsTheHelpOfTheNamedCommand(string words)
    {
        var run = CliHarness.Run(words.Split(' '));

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("ipvs service add [<service>] [options]", run.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void FamilyWithoutSubcommand_ShowsItsHelp()
    {
        var run = CliHarness.Run("server");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("Commands:", run.Out, StringComparison.Ordinal);
        Assert.False(run.KernelTouched);
    }

    [Fact]
    public void ShadowedAlias_IsNamedInTheHelp()
    {
        var run = CliHarness.Run("service", "string", "--help");

        Assert.Contains("Also accepted as s", run.Out, StringComparison.Ordinal);
    }
}
