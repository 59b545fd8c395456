using System.CommandLine;

namespace Ipvs.Cli.Common;

/// <summary>A command of the tree with what its help and the reference add: examples and notes.</summary>
internal sealed class CliCommand : Command
{
    public CliCommand(string name, string description, params string[] aliases)
        : base(name, description)
    {
        foreach (var alias in aliases)
        {
            Aliases.Add(alias);
        }
    }

    /// <summary>Command lines shown under "Examples" (without the leading "ipvs ").</summary>
    public List<string> Examples { get; } = [];

    /// <summary>Paragraphs shown after the options: defaults, rules, differences from ipvsctl.</summary>
    public List<string> Notes { get; } = [];

    /// <summary>
    /// Aliases System.CommandLine cannot hold because the parent command has the same one (ipvsctl's
    /// <c>service s</c> = <c>service string</c>, <c>server d</c> = <c>server del</c>,
    /// <c>address a</c> = <c>address add</c>); <see cref="AliasResolver"/> rewrites them before parsing.
    /// </summary>
    public List<string> ShadowedAliases { get; } = [];

    /// <summary>
    /// True for a command that ends cleanly on Ctrl-C or SIGTERM (<c>apply --watch</c>): its
    /// cancellation token is cancelled and it gets 2 s to finish. Other commands are ended at once.
    /// </summary>
    public bool StopsGracefully { get; set; }

    /// <summary>Adds examples; returns the command for chaining.</summary>
    public CliCommand WithExamples(params string[] examples)
    {
        Examples.AddRange(examples);
        return this;
    }

    /// <summary>Adds notes; returns the command for chaining.</summary>
    public CliCommand WithNotes(params string[] notes)
    {
        Notes.AddRange(notes);
        return this;
    }

    /// <summary>True when <paramref name="word"/> is the command's name or one of its aliases, shadowed ones included.</summary>
    public static bool Matches(Command command, string word) =>
        command.Name == word || command.Aliases.Contains(word) || (command is CliCommand cli && cli.ShadowedAliases.Contains(word));

    /// <summary>Every alias, shadowed ones included, in order.</summary>
    public static IEnumerable<string> AllAliases(Command command) =>
        command.Aliases.Concat(command is CliCommand cli ? cli.ShadowedAliases : []).Order(StringComparer.Ordinal);

    /// <summary>The full command path, for messages and help: <c>ipvs service add</c>.</summary>
    public static string PathOf(Command command)
    {
        var names = new List<string>();
        for (Symbol? symbol = command; symbol is not null; symbol = symbol.Parents.FirstOrDefault())
        {
            names.Add(symbol.Name);
        }

        names.Reverse();
        return string.Join(' ', names);
    }
}
