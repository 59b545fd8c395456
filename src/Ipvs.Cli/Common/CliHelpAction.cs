using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;

namespace Ipvs.Cli.Common;

/// <summary>
/// System.CommandLine's help, followed by the command's notes and examples, and at the root by the
/// commands other parts of ipvs own and the exit statuses.
/// </summary>
internal sealed class CliHelpAction : SynchronousCommandLineAction
{
    private readonly HelpAction _inner = new() { MaxWidth = 110 };

    public override bool ClearsParseErrors => true;

    public override int Invoke(ParseResult parseResult)
    {
        // An option of the command hides a recursive one of the same name (export's -o yaml|json,
        // the global -o table|json|yaml); System.CommandLine's help would list both.
        var command = parseResult.CommandResult.Command;
        var shadowed = new List<Option>();
        for (var parent = command.Parents.OfType<Command>().FirstOrDefault(); parent is not null; parent = parent.Parents.OfType<Command>().FirstOrDefault())
        {
            shadowed.AddRange(parent.Options.Where(o => o.Recursive && !o.Hidden && command.Options.Any(own => own.Name == o.Name)));
        }

        shadowed.ForEach(o => o.Hidden = true);
        try
        {
            _inner.Invoke(parseResult);
        }
        finally
        {
            shadowed.ForEach(o => o.Hidden = false);
        }

        WriteExtras(parseResult.CommandResult.Command, parseResult.InvocationConfiguration.Output);
        return 0;
    }

    /// <summary>Writes the sections System.CommandLine does not know about.</summary>
    public static void WriteExtras(Command command, TextWriter output)
    {
        if (command is CliCommand cli)
        {
            if (cli.ShadowedAliases.Count > 0)
            {
                output.WriteLine(Wrap($"Also accepted as {string.Join(", ", cli.ShadowedAliases)} (ipvsctl's alias, the same as its parent's).", "  "));
                output.WriteLine();
            }

            foreach (var note in cli.Notes)
            {
                // A note of several lines is laid out already (sample output): indented, not wrapped.
                output.WriteLine(note.Contains('\n', StringComparison.Ordinal) ? "  " + note.Replace("\n", "\n  ", StringComparison.Ordinal) : Wrap(note, "  "));
                output.WriteLine();
            }

            if (cli.Examples.Count > 0)
            {
                output.WriteLine("Examples:");
                foreach (var example in cli.Examples)
                {
                    output.WriteLine("  ipvs " + example);
                }

                output.WriteLine();
            }
        }

        if (!command.Parents.Any())
        {
            output.WriteLine("Other commands:");
            var width = OtherCommands.All.Max(c => c.Name.Length) + 2;
            foreach (var (name, description) in OtherCommands.All)
            {
                output.WriteLine("  " + name.PadRight(width) + description);
            }

            output.WriteLine();
            output.WriteLine("Exit status: 0 success; 1 the operation failed (the message names the object and the cause);");
            output.WriteLine("2 the command line is wrong. `service check` exits 1 when the service does not exist;");
            output.WriteLine("apply, diff and export have their own (see their help).");
            output.WriteLine();
        }
    }

    /// <summary>Wraps a paragraph at 100 columns with an indent.</summary>
    public static string Wrap(string text, string indent)
    {
        var lines = new List<string>();
        var line = indent;
        foreach (var word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.Length > indent.Length && line.Length + 1 + word.Length > 100)
            {
                lines.Add(line);
                line = indent;
            }

            line += (line.Length > indent.Length ? " " : string.Empty) + word;
        }

        lines.Add(line);
        return string.Join('\n', lines);
    }
}
