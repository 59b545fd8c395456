using System.CommandLine;
using System.Text;
using System.Text.Json.Serialization.Metadata;
using Ipvs.Cli.Common;
using Ipvs.Cli.Output;
using Ipvs.Model;

namespace Ipvs.Cli.Docs;

/// <summary>
/// Generates docs/cli.md from the command tree and the output schema, so the reference cannot
/// drift: <c>ipvs __doc &gt; docs/cli.md</c> (scripts/cli-doc); a host test fails when the file differs.
/// </summary>
internal static class ReferenceDoc
{
    public const string CommandName = "__doc";

    public static CliCommand Build(CliContext context, Command root)
    {
        var command = new CliCommand(CommandName, "Print the command-line reference (docs/cli.md)") { Hidden = true };
        command.SetAction(_ =>
        {
            context.Console.Out.Write(Generate(root));
            return 0;
        });
        return command;
    }

    public static string Generate(Command root)
    {
        var text = new StringBuilder();
        text.Append(DocText.Introduction);
        WriteShortOptions(text, root);
        text.Append(DocText.IpvsctlDifferences);
        text.Append("## Command reference\n\n");
        foreach (var family in Walk(root).GroupBy(c => CliCommand.PathOf(c).Split(' ').Skip(1).FirstOrDefault() ?? string.Empty))
        {
            text.Append("- ").AppendJoin(" · ", family.Select(c => $"[`{CliCommand.PathOf(c)}`](#{CliCommand.PathOf(c).Replace(' ', '-')})")).Append('\n');
        }

        text.Append('\n');
        foreach (var command in Walk(root))
        {
            WriteCommand(text, command);
        }

        WriteSchema(text);
        return text.ToString().Replace("\n\n\n", "\n\n", StringComparison.Ordinal);
    }

    /// <summary>Every visible command, depth first, the root first.</summary>
    public static IEnumerable<Command> Walk(Command command)
    {
        yield return command;
        foreach (var child in command.Subcommands.Where(c => !c.Hidden))
        {
            foreach (var descendant in Walk(child))
            {
                yield return descendant;
            }
        }
    }

    /// <summary>The options of a command, its own and the recursive ones of its ancestors.</summary>
    public static IEnumerable<Option> OptionsOf(Command command)
    {
        var inherited = command.Parents.OfType<Command>().SelectMany(AncestorsAndSelf).SelectMany(c => c.Options).Where(o => o.Recursive);
        return command.Options.Concat(inherited).Where(o => !o.Hidden).DistinctBy(o => o.Name);
    }

    private static IEnumerable<Command> AncestorsAndSelf(Command command)
    {
        for (Command? c = command; c is not null; c = c.Parents.OfType<Command>().FirstOrDefault())
        {
            yield return c;
        }
    }

    private static void WriteShortOptions(StringBuilder text, Command root)
    {
        text.Append("## Short options\n\n");
        text.Append("A short option means one thing within a command, but the same letter can mean different things in\n");
        text.Append("different commands, as in ipvsctl. This table lists every one (generated from the tree):\n\n");
        text.Append("| Short | Long option | Commands |\n| --- | --- | --- |\n");
        var uses = new SortedDictionary<string, SortedDictionary<string, List<string>>>(StringComparer.Ordinal);
        foreach (var command in Walk(root))
        {
            foreach (var option in command.Options.Where(o => !o.Hidden))
            {
                foreach (var alias in option.Aliases.Where(a => a.Length == 2 && a[0] == '-'))
                {
                    if (!uses.TryGetValue(alias, out var byOption))
                    {
                        uses[alias] = byOption = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
                    }

                    if (!byOption.TryGetValue(option.Name, out var commands))
                    {
                        byOption[option.Name] = commands = [];
                    }

                    commands.Add(option.Recursive ? "every command" : "`" + CliCommand.PathOf(command) + "`");
                }
            }
        }

        foreach (var (alias, byOption) in uses)
        {
            foreach (var (option, commands) in byOption)
            {
                text.Append($"| `{alias}` | `{option}` | {string.Join(", ", commands.Distinct())} |\n");
            }
        }

        text.Append('\n');
    }

    private static void WriteCommand(StringBuilder text, Command command)
    {
        var path = CliCommand.PathOf(command);
        text.Append($"### `{path}`\n\n");
        text.Append(command.Description).Append("\n\n");
        var aliases = CliCommand.AllAliases(command).ToArray();
        if (aliases.Length > 0)
        {
            text.Append("Aliases: ").Append(string.Join(", ", aliases.Select(a => $"`{a}`"))).Append("\n\n");
        }

        var usage = new StringBuilder(path);
        if (command.Subcommands.Any(c => !c.Hidden))
        {
            usage.Append(" <command>");
        }

        foreach (var argument in command.Arguments.Where(a => !a.Hidden))
        {
            var name = "<" + (argument.HelpName ?? argument.Name) + ">";
            usage.Append(' ').Append(argument.Arity.MinimumNumberOfValues == 0 ? "[" + name + "]" : name);
            if (argument.Arity.MaximumNumberOfValues > 2)
            {
                usage.Append("...");
            }
        }

        usage.Append(" [options]");
        text.Append("```\n").Append(usage).Append("\n```\n\n");

        var children = command.Subcommands.Where(c => !c.Hidden).ToArray();
        if (children.Length > 0)
        {
            text.Append("| Command | Aliases | Description |\n| --- | --- | --- |\n");
            foreach (var child in children)
            {
                text.Append($"| `{child.Name}` | {string.Join(", ", CliCommand.AllAliases(child).Select(a => $"`{a}`"))} | {Escape(child.Description)} |\n");
            }

            text.Append('\n');
        }

        foreach (var argument in command.Arguments.Where(a => !a.Hidden))
        {
            text.Append($"Argument `<{argument.HelpName ?? argument.Name}>`: {Escape(argument.Description)}\n\n");
        }

        var options = OptionsOf(command).ToArray();
        if (options.Length > 0)
        {
            text.Append("| Option | Value | Description |\n| --- | --- | --- |\n");
            foreach (var option in options)
            {
                var names = string.Join(", ", new[] { option.Name }.Concat(option.Aliases.OrderBy(a => a.Length).ThenBy(a => a, StringComparer.Ordinal)).Select(n => $"`{n}`"));
                var value = option.ValueType == typeof(bool) || option.Arity.MaximumNumberOfValues == 0 ? string.Empty : $"`{Escape(option.HelpName ?? "value")}`";
                var description = Escape(option.Description) + (option.Required ? " (required)" : string.Empty);
                text.Append($"| {names} | {value} | {description} |\n");
            }

            text.Append('\n');
        }

        if (command is CliCommand cli)
        {
            foreach (var note in cli.Notes)
            {
                // A note of several lines is laid out already: its first line is a sentence, the rest a block.
                var lines = note.Split('\n');
                text.Append(lines.Length > 1 ? lines[0] + "\n\n```\n" + string.Join('\n', lines.Skip(1).Select(l => l.Trim())) + "\n```" : note).Append("\n\n");
            }

            if (cli.Examples.Count > 0)
            {
                text.Append("```sh\n");
                foreach (var example in cli.Examples)
                {
                    text.Append("ipvs ").Append(example).Append('\n');
                }

                text.Append("```\n\n");
            }
        }
    }

    private static void WriteSchema(StringBuilder text)
    {
        text.Append(DocText.SchemaIntroduction);
        text.Append("| Command | Top-level value |\n| --- | --- |\n");
        foreach (var (command, type) in SchemaDocs.Commands)
        {
            text.Append($"| `ipvs {command}` | `{ObjectName(type)}` |\n");
        }

        text.Append('\n');
        foreach (var type in SchemaDocs.Types)
        {
            var info = CliJsonContext.Default.GetTypeInfo(type) ?? throw new InvalidOperationException($"{type.Name} is not in CliJsonContext.");
            text.Append($"### Object `{ObjectName(type)}`\n\n");
            text.Append(SchemaDocs.TypeDescription(type)).Append("\n\n");
            text.Append("| Field | Type | Description |\n| --- | --- | --- |\n");
            foreach (var property in info.Properties)
            {
                text.Append($"| `{property.Name}` | {JsonType(property)} | {Escape(SchemaDocs.FieldDescription(type, property.Name))} |\n");
            }

            // The stats object is written by its converter, from the counters' table.
            if (type == typeof(StatsView))
            {
                foreach (var counter in IpvsStatistics.Counters)
                {
                    text.Append($"| `{counter.Name}` | integer | {Escape(SchemaDocs.FieldDescription(type, counter.Name))} |\n");
                }
            }

            text.Append('\n');
        }

        text.Append("### Example\n\n`ipvs service list -o json` for one service with one real server:\n\n```json\n");
        text.Append(OutputWriter.Json(SchemaSamples.ServiceList, CliJsonContext.Default.ServiceListView)).Append("\n```\n\n");
        text.Append("The same as YAML (`-o yaml`):\n\n```yaml\n");
        text.Append(OutputWriter.Yaml(SchemaSamples.ServiceList, CliJsonContext.Default.ServiceListView)).Append("```\n");
    }

    /// <summary>The documented JSON type of a field: string, integer, boolean, object or array, with "or null".</summary>
    public static string JsonType(JsonPropertyInfo property)
    {
        var type = property.PropertyType;
        var underlying = Nullable.GetUnderlyingType(type);
        var nullable = underlying is not null || property.IsGetNullable;
        type = underlying ?? type;
        string name;
        if (type == typeof(string))
        {
            name = "string";
        }
        else if (type == typeof(bool))
        {
            name = "boolean";
        }
        else if (type == typeof(int) || type == typeof(uint) || type == typeof(long) || type == typeof(ulong))
        {
            name = "integer";
        }
        else if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IReadOnlyList<>))
        {
            var element = type.GetGenericArguments()[0];
            name = "array of " + (element == typeof(string) ? "string" : $"`{ObjectName(element)}`");
            nullable = false;
        }
        else
        {
            name = $"`{ObjectName(type)}`";
        }

        return nullable ? name + " or null" : name;
    }

    /// <summary>The schema name of a view: ServiceView is "service".</summary>
    public static string ObjectName(Type type)
    {
        var name = type.Name.EndsWith("View", StringComparison.Ordinal) ? type.Name[..^4] : type.Name;
        var snake = new StringBuilder();
        for (var i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0)
            {
                snake.Append('_');
            }

            snake.Append(char.ToLowerInvariant(name[i]));
        }

        return snake.ToString();
    }

    private static string Escape(string? text) => (text ?? string.Empty).Replace("|", "\\|", StringComparison.Ordinal);
}
