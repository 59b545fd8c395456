using System.CommandLine;
using Ipvs.Cli.Common;
using System.Globalization;
using System.Text;
using Ipvs.State.Keepalived;

namespace Ipvs.Cli.Import;

/// <summary>
/// <c>ipvs import keepalived [FILE...]</c>: keepalived's LVS configuration as an <c>ipvs care -f</c>
/// file on standard output. Exit status: 0 everything carried over; 1 some items did not (each
/// listed on standard error as <c>file:line: keyword: reason</c>; the file is still written);
/// 2 bad input (syntax, unknown keyword, missing include, bad value: <c>file:line:column: message</c>),
/// nothing written.
/// </summary>
internal static class ImportCommand
{
    public const int ExitOk = 0;
    public const int ExitNotCarried = 1;
    public const int ExitBadInput = 2;

    public static CliCommand Build(CliContext context)
    {
        var import = new CliCommand("import", "Translate another tool's configuration into an 'ipvs care -f' file");
        import.Subcommands.Add(Keepalived(context));
        import.WithNotes("Writes the file to standard output and lists on standard error what does not carry over; nothing is changed on this host.");
        import.WithExamples("import keepalived > /etc/ipvs/care.yaml", "import keepalived --check /etc/keepalived/keepalived.conf");
        return import;
    }

    private static CliCommand Keepalived(CliContext context)
    {
        var file = new Argument<string[]>("FILE")
        {
            Description = "keepalived's configuration (its include files are followed); one per director of the pair to write the ha section (the services come from the first).",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var format = new Option<string>("--output", "-o")
        {
            Description = "yaml (default) or json.",
            HelpName = "FORMAT",
            DefaultValueFactory = _ => "yaml",
        };
        format.AcceptOnlyFromAmong("yaml", "json");
        var check = new Option<bool>("--check")
        {
            Description = "Write no file: only list what would not carry over (and what keepalived itself would correct).",
        };
        var command = new CliCommand("keepalived", "Write keepalived's virtual servers, real servers and checkers as an 'ipvs care -f' file")
        {
            file, format, check,
        };
        command.WithNotes(
            "Reads FILE (default /etc/keepalived/keepalived.conf) as keepalived 2.2.7 does (comments, quoting, include globs relative to the including file) and writes the equivalent 'ipvs care -f' file to standard output: the services and real servers of the declarative schema, and a health section per service with keepalived's checkers, timing and policies (docs/care.md, \"Coming from keepalived\"). keepalived's defaults are written out. With one file per director of the pair (FILE...: lb1.conf lb2.conf), the services come from the first and the vrrp_instance blocks with one virtual_router_id, with lvs_sync_daemon, become the ha section (docs/ha.md), checked before it is written.",
            "What does not carry over is listed on standard error as 'file:line: keyword: reason' (VRRP, e-mail, SNMP, options with no counterpart); what keepalived itself corrects (a missing protocol, the port of a DR server, a quorum above the servers' weight) is corrected the same way and listed as 'file:line: warning: keyword: …'.",
            "Exit status: 0 everything carried over; 1 some items did not (the file is still written); 2 bad input (a syntax error, an unknown keyword, a missing include, a bad value: file:line:column: message), and nothing is written.");
        command.WithExamples(
            "import keepalived > /etc/ipvs/care.yaml",
            "import keepalived --check /etc/keepalived/keepalived.conf",
            "import keepalived lb.conf -o json",
            "import keepalived lb1.conf lb2.conf > /etc/ipvs/care.yaml");
        command.SetAction(result => Run(result.GetValue(file) is { Length: > 0 } files ? files : [KeepalivedConfigReader.DefaultPath], result.GetValue(format) ?? "yaml", result.GetValue(check), context.Environment.Console));
        return command;
    }

    // A configuration file's text may hold control characters: none reaches the terminal as is.
    // Control characters (C0, DEL, C1) and bidirectional controls become \xNN or \uNNNN.
    internal static string Safe(string line)
    {
        if (!line.Any(IsUnsafe))
        {
            return line;
        }

        var text = new StringBuilder(line.Length + 16);
        foreach (var c in line)
        {
            if (!IsUnsafe(c))
            {
                text.Append(c);
            }
            else if (c < 0x100)
            {
                text.Append("\\x").Append(((int)c).ToString("x2", CultureInfo.InvariantCulture));
            }
            else
            {
                text.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
            }
        }

        return text.ToString();
    }

    private static bool IsUnsafe(char c) => c < 0x20 || c is >= '\u007f' and <= '\u009f' || c is >= '\u202a' and <= '\u202e' || c is >= '\u2066' and <= '\u2069' || c is '\u2028' or '\u2029';

    internal static int Run(string path, string format, bool check, CliConsole console) => Run([path], format, check, console);

    internal static int Run(IReadOnlyList<string> paths, string format, bool check, CliConsole console)
    {
        var error = console.Error;
        var path = string.Join(", ", paths);
        var configs = new List<KeepalivedConfig>();
        foreach (var one in paths)
        {
            var read = KeepalivedConfigReader.Read(one);
            if (!read.Succeeded)
            {
                foreach (var diagnostic in read.Errors)
                {
                    error.WriteLine(Safe(diagnostic.ToString()));
                }

                error.WriteLine($"ipvs import keepalived: {KeepalivedImporter.Plural(read.Errors.Count, "error")} in {one}; nothing written");
                return ExitBadInput;
            }

            configs.Add(read.Config!);
        }

        var result = KeepalivedImporter.Import(configs);
        if (result.Errors.Count > 0)
        {
            foreach (var message in result.Errors)
            {
                error.WriteLine(Safe(message));
            }

            error.WriteLine($"ipvs import keepalived: {KeepalivedImporter.Plural(result.Errors.Count, "error")} in {path}; nothing written");
            return ExitBadInput;
        }

        foreach (var item in result.NotCarried.Concat(result.Warnings.Select(w => w with { Keyword = "warning: " + w.Keyword })).OrderBy(i => i.Location.File, StringComparer.Ordinal).ThenBy(i => i.Location.Line))
        {
            error.WriteLine(Safe(item.ToString()));
        }

        var document = result.Document!;
        var services = ((ListNode)document["services"]!).Items.Count;
        if (!check)
        {
            var text = format == "json"
                ? document.ToIndentedJson()
                : $"# 'ipvs care -f' file written by 'ipvs import keepalived' from {path} (docs/care.md, \"Coming from keepalived\")\n" + document.ToYaml();
            console.Out.Write(text);
            console.Out.Flush();
        }

        var verb = check ? "would write" : "wrote";
        error.WriteLine(result.NotCarried.Count == 0
            ? $"ipvs import keepalived: {verb} {KeepalivedImporter.Plural(services, "service")}; everything carried over"
            : $"ipvs import keepalived: {verb} {KeepalivedImporter.Plural(services, "service")}; {KeepalivedImporter.Plural(result.NotCarried.Count, "item")} did not carry over (listed above)");
        return result.NotCarried.Count == 0 ? ExitOk : ExitNotCarried;
    }
}
