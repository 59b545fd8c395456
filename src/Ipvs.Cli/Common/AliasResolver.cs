using System.CommandLine;

namespace Ipvs.Cli.Common;

/// <summary>
/// ipvsctl gives a subcommand the same alias as its parent (<c>service, s</c> with
/// <c>string, s</c>), which System.CommandLine cannot represent: a command's own aliases and its
/// subcommands' share one token table. The child's alias is moved aside (shadowed) when the tree is
/// built, and the command words of the arguments are rewritten to canonical names before parsing,
/// so <c>ipvs s s</c> still means <c>ipvs service string</c>.
/// </summary>
internal static class AliasResolver
{
    /// <summary>Moves each subcommand alias that equals its parent's name or alias into <see cref="CliCommand.ShadowedAliases"/>.</summary>
    public static void ShadowConflicts(Command command)
    {
        foreach (var child in command.Subcommands)
        {
            var clashes = child.Aliases.Where(a => a == command.Name || command.Aliases.Contains(a)).ToArray();
            foreach (var alias in clashes)
            {
                child.Aliases.Remove(alias);
                ((CliCommand)child).ShadowedAliases.Add(alias);
            }

            ShadowConflicts(child);
        }
    }

    /// <summary>
    /// Rewrites the command words (not options or their values) to canonical names, level by level,
    /// until the first word that is not a subcommand.
    /// </summary>
    public static string[] Canonicalize(Command root, IReadOnlyList<string> args)
    {
        var result = args.ToArray();
        var current = root;
        for (var i = 0; i < result.Length && current.Subcommands.Count > 0; i++)
        {
            var word = result[i];
            if (word == "--")
            {
                break;
            }

            // An option before the subcommand (-o json): skip it, and its value when it takes one.
            if (word.StartsWith('-'))
            {
                if (TakesValue(current, word))
                {
                    i++;
                }

                continue;
            }

            var child = current.Subcommands.FirstOrDefault(c => CliCommand.Matches(c, word));
            if (child is null)
            {
                break;
            }

            result[i] = child.Name;
            current = child;
        }

        return result;
    }

    private static bool TakesValue(Command command, string word)
    {
        if (word.Contains('=', StringComparison.Ordinal) || word.Contains(':', StringComparison.Ordinal))
        {
            return false;
        }

        for (Command? level = command; level is not null; level = level.Parents.OfType<Command>().FirstOrDefault())
        {
            var option = level.Options.FirstOrDefault(o => (level == command || o.Recursive) && (o.Name == word || o.Aliases.Contains(word)));
            if (option is not null)
            {
                return option.ValueType != typeof(bool) && option.Arity.MaximumNumberOfValues > 0;
            }
        }

        return false;
    }
}
