using System.CommandLine;

namespace Ipvs.Cli.Common;

/// <summary>ipvsctl's <c>help, h</c>: <c>ipvs help service add</c> is <c>ipvs service add --help</c>.</summary>
internal static class HelpCommand
{
    public static CliCommand Build(CliContext context, Command root)
    {
        _ = context;
        var command = new CliCommand("help", "Show the help of a command: ipvs help service add", "h");
        var names = new Argument<string[]>("command") { Arity = ArgumentArity.ZeroOrMore, Description = "The command path, names or aliases" };
        command.Arguments.Add(names);
        command.SetAction(parseResult => ShowFor(root, parseResult.GetValue(names) ?? [], parseResult));
        return command.WithExamples("help", "help service add", "service help add");
    }

    /// <summary>Walks <paramref name="words"/> down from <paramref name="start"/> and prints that command's help.</summary>
    public static int ShowFor(Command start, string[] words, ParseResult parseResult)
    {
        var command = start;
        foreach (var word in words)
        {
            command = command.Subcommands.FirstOrDefault(c => !c.Hidden && CliCommand.Matches(c, word))
                ?? throw new UsageException($"'{word}' is not a command of {CliCommand.PathOf(command)}");
        }

        return CliRoot.ShowHelp(command, parseResult.InvocationConfiguration.Output);
    }
}
