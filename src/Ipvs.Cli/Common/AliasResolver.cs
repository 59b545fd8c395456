using System.CommandLine;

namespace Ipvs.Cli.Common;

/// <summary>
/// ipvsctl gives a subcommand the same alias as its parent (<c>service, s</c> with
/// <c>string, s</c>), which System.CommandLine cannot represent: a command's own aliases and its
/// subcommands' share one token table. The child's alias is moved aside (shadowed) when the tree is
/// built, and the command words of the arguments are rewritten to canonical names before parsing,
/// so <c>ipvs s s</c> still means <c>ipvs service string</c>. ipvsctl also takes Go's flag syntax,
/// long options with one dash (<c>-vip 198.51.100.1</c>); those are rewritten to two.
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
    /// until the first word that is not a subcommand, and one-dash long options to two dashes.
    /// </summary>
    public static string[] Canonicalize(Command root, IReadOnlyList<string> args)
    {
        var result = args.ToArray();
        var current = root;
        var inCommandWords = true;
        for (var i = 0; i < result.Length; i++)
        {
            var word = result[i];
            if (word == "--")
            {
                break;
            }

            if (word.StartsWith('-'))
            {
                if (word.Length > 2 && word[1] != '-' && char.IsAsciiLetter(word[1]))
                {
                    var name = word.Split('=', ':')[0];
                    if (FindOption(current, "-" + name) is not null)
                    {
                        word = result[i] = "-" + word;
                    }
                }

                // Skip the option's value too when it takes one (-o json before the subcommand).
                if (FindOption(current, word) is { } option && TakesValue(option) && !word.Contains('=', StringComparison.Ordinal))
                {
                    i++;
                }

                continue;
            }

            if (!inCommandWords)
            {
                continue;
            }

            var child = current.Subcommands.FirstOrDefault(c => CliCommand.Matches(c, word));
            if (child is null)
            {
                inCommandWords = false;
                continue;
            }

            result[i] = child.Name;
            current = child;
        }

        return result;
    }

    private static bool TakesValue(Option option) => option.ValueType != typeof(bool) && option.Arity.MaximumNumberOfValues > 0;

    /// <summary>An option of the command, or a recursive one of its ancestors, by name or alias.</summary>
    private static Option? FindOption(Command command, string word)
    {
        for (Command? level = command; level is not null; level = level.Parents.OfType<Command>().FirstOrDefault())
        {
            var option = level.Options.FirstOrDefault(o => (level == command || o.Recursive) && (o.Name == word || o.Aliases.Contains(word)));
            if (option is not null)
            {
                return option;
            }
        }

        return null;
    }
}
