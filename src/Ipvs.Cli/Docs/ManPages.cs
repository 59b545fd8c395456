using System.CommandLine;
using System.Text;
using Ipvs.Cli.Adm;
using Ipvs.Cli.Care;
using Ipvs.Cli.Common;

namespace Ipvs.Cli.Docs;

/// <summary>
/// Generates the manual pages in section 8 from the command tree and from the usage texts of the
/// two families with parsers of their own (adm, care): <c>ipvs __man DIR</c> writes them, the
/// Debian package ships them (scripts/package), and a host test fails when docs/man/ differs
/// from what the tree generates, as it does for docs/cli.md.
/// </summary>
internal static class ManPages
{
    public const string CommandName = "__man";

    /// <summary>Families of the tree with a page of their own (when the tree has them); the rest are in ipvs(8).</summary>
    private static readonly string[][] s_ownPages = [["apply", "diff", "export"], ["ha"], ["import"], ["doctor"]];

    public static CliCommand Build(CliContext context, Command root)
    {
        var directory = new Argument<string>("directory") { Description = "where to write the pages (ipvs.8, ipvs-adm.8, ...)" };
        var command = new CliCommand(CommandName, "Write the manual pages (docs/man/)") { Hidden = true };
        command.Arguments.Add(directory);
        command.SetAction(parseResult =>
        {
            var target = parseResult.GetValue(directory)!;
            Directory.CreateDirectory(target);
            foreach (var (name, text) in Generate(root))
            {
                File.WriteAllText(Path.Combine(target, name), text);
            }

            return 0;
        });
        return command;
    }

    /// <summary>Every page, by file name.</summary>
    public static IReadOnlyList<(string Name, string Text)> Generate(Command root)
    {
        var families = s_ownPages
            .Select(names => names.Select(n => root.Subcommands.FirstOrDefault(c => c.Name == n && !c.Hidden)).OfType<Command>().ToArray())
            .Where(commands => commands.Length > 0)
            .ToArray();
        var ownPage = families.SelectMany(f => f).ToHashSet();
        var pages = new List<(string, string)>
        {
            ("ipvs.8", Root(root, families, ownPage)),
            ("ipvs-adm.8", Adm()),
            ("ipvs-care.8", CarePage()),
        };
        foreach (var family in families)
        {
            pages.Add(($"ipvs-{family[0].Name}.8", Family(family)));
        }

        return pages;
    }

    /// <summary>The page names of the families the tree has, for SEE ALSO.</summary>
    private static IEnumerable<string> PageNames(Command[][] families) =>
        new[] { "ipvs-adm", "ipvs-care" }.Concat(families.Select(f => "ipvs-" + f[0].Name));

    private static string Root(Command root, Command[][] families, HashSet<Command> ownPage)
    {
        var page = new Page("ipvs", "IP Virtual Server control: the kernel's layer-4 load balancer");
        page.Section("SYNOPSIS");
        page.Synopsis("ipvs", "COMMAND [ARGUMENTS] [OPTIONS]");
        page.Synopsis("ipvs adm", "ARGUMENTS (ipvsadm's)");
        page.Synopsis("ipvs care", "FLAGS (lvscare's)");
        page.Section("DESCRIPTION");
        page.Paragraph(
            "ipvs manages the kernel's IP Virtual Server table (virtual services, real servers, timeouts, " +
            "sync daemons, connections) over generic netlink. It is one binary with several command " +
            "families: ipvsadm's (ipvs adm, and the binary run through a link named ipvsadm), lvscare's " +
            "health-checking daemon (ipvs care, and sealctl ipvs through a link named sealctl), the " +
            "declarative apply, diff and export, a highly available pair with keepalived (ipvs ha), the " +
            "import of a keepalived.conf (ipvs import), and the commands below.");
        page.Paragraph("Every command takes -o json or -o yaml where it prints state, and --help.");
        page.Section("COMMANDS");
        page.Tagged("adm", "ipvsadm 1.31's command line, byte for byte: see ipvs-adm(8).");
        page.Tagged("care", "The health-checking daemon: see ipvs-care(8).");
        foreach (var family in families)
        {
            page.Tagged(string.Join(", ", family.Select(c => c.Name)), $"{family[0].Description}: see ipvs-{family[0].Name}(8).");
        }

        foreach (var command in root.Subcommands.Where(c => !c.Hidden && !ownPage.Contains(c)))
        {
            WriteCommandTree(page, command);
        }

        page.Section("OPTIONS");
        WriteOptions(page, ReferenceDoc.OptionsOf(root));
        page.Section("EXIT STATUS");
        page.Paragraph("0 on success; 1 when the operation failed (the kernel refused it, a file could not be read); 2 for a usage error (an unknown command or option, a bad value). ipvs adm exits as ipvsadm does.");
        page.Section("FILES");
        page.Tagged("/etc/ipvs/care.yaml", "The services ipvs care keeps (the ipvs-care service of systemd reads it).");
        page.Section("SEE ALSO");
        page.Paragraph(string.Join(", ", PageNames(families).Select(n => n + "(8)").Append("ipvsadm(8)").Append("keepalived(8)")));
        return page.ToString();
    }

    private static string Adm()
    {
        var page = new Page("ipvs-adm", "the ipvsadm 1.31 command line of ipvs");
        page.Section("SYNOPSIS");
        page.Synopsis("ipvs adm", "ARGUMENTS");
        page.Synopsis("ipvsadm", "ARGUMENTS (through a link named ipvsadm)");
        page.Section("DESCRIPTION");
        page.Paragraph(
            "ipvs adm takes ipvsadm 1.31's arguments and prints what ipvsadm prints, byte for byte, with " +
            "its errors and exit status: scripts written for ipvsadm run unchanged. -R (--restore) sends " +
            "the rules to the kernel in batches. Run through a link named ipvsadm, the binary behaves as ipvs adm.");
        page.Paragraph(
            "The Debian package does not take over the name ipvsadm, which Debian's ipvsadm package owns: " +
            "its link is /usr/lib/ipvs/bin/ipvsadm; put /usr/lib/ipvs/bin first in PATH to use it under that name.");
        page.Section("USAGE");
        page.Verbatim(AdmUsage.Usage("ipvs adm"));
        page.Section("SEE ALSO");
        page.Paragraph("ipvs(8), ipvsadm(8)");
        return page.ToString();
    }

    private static string CarePage()
    {
        var page = new Page("ipvs-care", "keep virtual services in front of their healthy real servers");
        page.Section("SYNOPSIS");
        page.Synopsis("ipvs care", "--vs ADDRESS:PORT --rs ADDRESS:PORT [--rs ...] [FLAGS]");
        page.Synopsis("ipvs care", "-f FILE [FLAGS]");
        page.Synopsis("sealctl ipvs", "FLAGS (through a link named sealctl)");
        page.Section("DESCRIPTION");
        page.Paragraph(
            "ipvs care is lvscare's health-checking daemon, with its flags and defaults, and keepalived's " +
            "checkers and policies in a file (-f): HTTP, HTTPS, TCP, MISC, UDP, DNS, SMTP, PING and FILE " +
            "checks, alpha, inhibit-on-failure, quorum with hysteresis, sorry servers and scripts. It puts " +
            "back what others delete, shares one probe per real server and check among services, and " +
            "leaves the table in place when it stops, so that a restart does not touch the traffic.");
        page.Section("USAGE");
        page.Verbatim(CareCommand.Usage("ipvs care"));
        page.Section("FILES");
        page.Tagged("/etc/ipvs/care.yaml", "The file the ipvs-care service reads (ipvs care -f); systemctl reload ipvs-care re-reads it.");
        page.Tagged("/usr/lib/systemd/system/ipvs-care.service", "The systemd unit.");
        page.Section("SEE ALSO");
        page.Paragraph("ipvs(8), ipvs-import(8), keepalived(8)");
        return page.ToString();
    }

    private static string Family(Command[] family)
    {
        var first = family[0];
        var page = new Page("ipvs-" + first.Name, Lower(first.Description));
        page.Section("SYNOPSIS");
        foreach (var command in family)
        {
            page.Synopsis("ipvs " + command.Name, Usage(command));
        }

        page.Section("DESCRIPTION");
        foreach (var command in family)
        {
            WriteCommandTree(page, command);
        }

        page.Section("SEE ALSO");
        page.Paragraph("ipvs(8)");
        return page.ToString();
    }

    private static void WriteCommandTree(Page page, Command command)
    {
        foreach (var each in ReferenceDoc.Walk(command))
        {
            var path = CliCommand.PathOf(each);
            page.SubSection(path);
            page.Paragraph(each.Description ?? string.Empty);
            var aliases = CliCommand.AllAliases(each).ToArray();
            if (aliases.Length > 0)
            {
                page.Paragraph("Aliases: " + string.Join(", ", aliases) + ".");
            }

            page.Verbatim(path + " " + Usage(each));
            foreach (var argument in each.Arguments.Where(a => !a.Hidden))
            {
                page.Tagged("<" + (argument.HelpName ?? argument.Name) + ">", argument.Description ?? string.Empty);
            }

            WriteOptions(page, each.Options.Where(o => !o.Hidden && !o.Recursive));
            if (each is CliCommand cli && cli.Examples.Count > 0)
            {
                page.Paragraph("Examples:");
                page.Verbatim(string.Join('\n', cli.Examples.Select(e => "ipvs " + e)));
            }
        }
    }

    private static void WriteOptions(Page page, IEnumerable<Option> options)
    {
        foreach (var option in options)
        {
            var names = string.Join(", ", new[] { option.Name }.Concat(option.Aliases.OrderBy(a => a.Length).ThenBy(a => a, StringComparer.Ordinal)));
            var value = option.ValueType == typeof(bool) || option.Arity.MaximumNumberOfValues == 0 ? string.Empty : " " + (option.HelpName ?? "VALUE");
            page.Tagged(names + value, (option.Description ?? string.Empty) + (option.Required ? " (required)" : string.Empty));
        }
    }

    private static string Usage(Command command)
    {
        var usage = new StringBuilder();
        if (command.Subcommands.Any(c => !c.Hidden))
        {
            usage.Append("<command> ");
        }

        foreach (var argument in command.Arguments.Where(a => !a.Hidden))
        {
            var name = "<" + (argument.HelpName ?? argument.Name) + ">";
            usage.Append(argument.Arity.MinimumNumberOfValues == 0 ? "[" + name + "]" : name);
            usage.Append(argument.Arity.MaximumNumberOfValues > 2 ? "... " : " ");
        }

        return usage.Append("[options]").ToString();
    }

    private static string Lower(string? text) =>
        string.IsNullOrEmpty(text) ? string.Empty : char.ToLowerInvariant(text[0]) + text[1..];

    /// <summary>A page in the man(7) macros, with roff's special characters escaped.</summary>
    private sealed class Page
    {
        private readonly StringBuilder _text = new();

        public Page(string name, string summary)
        {
            _text.Append($".TH {Escape(name.ToUpperInvariant())} 8 \"\" \"ipvs {BuildInfo.Version}\" \"System Manager's Manual\"\n");
            Section("NAME");
            _text.Append(Escape(name)).Append(" \\- ").Append(Escape(summary)).Append('\n');
        }

        public void Section(string title) => _text.Append(".SH ").Append(title).Append('\n');

        public void SubSection(string title) => _text.Append(".SS \"").Append(Escape(title)).Append("\"\n");

        public void Paragraph(string text) => _text.Append(".PP\n").Append(Lines(text));

        public void Synopsis(string command, string rest) =>
            _text.Append(".PP\n.B ").Append(Escape(command)).Append('\n').Append(Lines(rest));

        public void Tagged(string tag, string text) =>
            _text.Append(".TP\n.B ").Append(Escape(tag)).Append('\n').Append(Lines(text));

        /// <summary>Text shown as it is (usage texts): no filling, no adjusting.</summary>
        public void Verbatim(string text)
        {
            _text.Append(".PP\n.nf\n");
            foreach (var line in text.TrimEnd('\n').Split('\n'))
            {
                _text.Append(Line(line)).Append('\n');
            }

            _text.Append(".fi\n");
        }

        public override string ToString() => _text.ToString();

        /// <summary>Filled text: each input line escaped; blank lines dropped (they would break the paragraph).</summary>
        private static string Lines(string text) =>
            string.Concat(text.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).Select(l => Line(l) + "\n"));

        /// <summary>One input line: escaped, and protected when it starts with a control character.</summary>
        private static string Line(string text)
        {
            var escaped = Escape(text);
            return escaped.Length > 0 && (escaped[0] == '.' || escaped[0] == '\'') ? "\\&" + escaped : escaped.Length == 0 ? ".sp" : escaped;
        }

        private static string Escape(string text) =>
            text.Replace("\\", "\\e", StringComparison.Ordinal).Replace("-", "\\-", StringComparison.Ordinal).Replace("\r", string.Empty, StringComparison.Ordinal);
    }
}
