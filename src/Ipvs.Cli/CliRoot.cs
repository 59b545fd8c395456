using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using Ipvs.Cli.Address;
using Ipvs.Cli.Common;
using Ipvs.Cli.Completion;
using Ipvs.Cli.Connection;
using Ipvs.Cli.Daemon;
using Ipvs.Cli.Docs;
using Ipvs.Cli.Server;
using Ipvs.Cli.Service;
using Ipvs.Cli.Timeout;

namespace Ipvs.Cli;

/// <summary>
/// The modern command tree (<c>ipvs service add …</c>): ipvsctl 1.3.0's commands, aliases and
/// flags, plus the compact service form, JSON/YAML output and clear errors, and the declarative
/// apply/diff/export. Program.cs sends every first argument here except adm, care and demo, which
/// have parsers of their own (ipvsadm's and lvscare's syntax).
/// </summary>
internal static class CliRoot
{
    /// <summary>The hidden entry point of the shell completion scripts: <c>ipvs __complete POSITION LINE</c>.</summary>
    public const string CompleteCommand = "__complete";

    public static int Run(string[] args) => Run(args, CliEnvironment.System());

    public static int Run(IReadOnlyList<string> args, CliEnvironment environment)
    {
        var console = environment.Console;
        var root = Build(environment);
        if (args.Count > 0 && args[0] == CompleteCommand)
        {
            return ShellCompletion.Complete(root, args.Skip(1).ToArray(), console.Out);
        }

        // No response files: an argument starting with @ is not a file to read.
        var parseResult = root.Parse(AliasResolver.Canonicalize(root, args), new ParserConfiguration { ResponseFileTokenReplacer = null });

        // --help clears parse errors (so that a command's help shows without its required options),
        // but a word that is no command is still an error: 'ipvs nosuch --help' is 'ipvs nosuch'.
        var unknownWithHelp = parseResult.Action is CliHelpAction && parseResult.UnmatchedTokens.Count > 0;
        if (parseResult.Action is ParseErrorAction || unknownWithHelp)
        {
            var path = CliCommand.PathOf(parseResult.CommandResult.Command);

            // The help action has cleared the errors; these are the parser's words for the same tokens.
            var messages = unknownWithHelp
                ? parseResult.UnmatchedTokens.Select(token => $"Unrecognized command or argument '{token}'.")
                : parseResult.Errors.Select(error => error.Message);
            foreach (var message in messages)
            {
                console.Error.WriteLine($"{path}: {message}");
            }

            console.Error.WriteLine($"Run '{path} --help' for usage.");
            return 2;
        }

        try
        {
            return parseResult.Invoke(new InvocationConfiguration
            {
                Output = console.Out,
                Error = console.Error,
                EnableDefaultExceptionHandler = false,
                ProcessTerminationTimeout = parseResult.CommandResult.Command is CliCommand { StopsGracefully: true } ? TimeSpan.FromSeconds(2) : null,
            });
        }
        catch (UsageException e)
        {
            var path = CliCommand.PathOf(parseResult.CommandResult.Command);
            console.Error.WriteLine($"{path}: {e.Message}");
            console.Error.WriteLine($"Run '{path} --help' for usage.");
            return 2;
        }
        catch (CliOperationException e)
        {
            console.Error.WriteLine("ipvs: " + e.Message);
            return 1;
        }
        catch (IpvsException e)
        {
            console.Error.WriteLine("ipvs: " + CliErrors.Describe(e));
            return 1;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            console.Error.WriteLine("ipvs: " + e.Message);
            return 1;
        }
    }

    /// <summary>Builds the whole tree; the reference in docs/cli.md is generated from it.</summary>
    public static Command Build(CliEnvironment environment)
    {
        var context = new CliContext(environment);
        var root = new CliCommand("ipvs", "IP Virtual Server control: services, real servers, timeouts, sync daemons and connections of the kernel's layer-4 load balancer");
        var help = new HelpOption { Action = new CliHelpAction() };
        help.Aliases.Remove("/h");
        help.Aliases.Remove("/?");
        help.Aliases.Remove("-?");
        root.Options.Add(help);
        root.Options.Add(context.Output);
        var version = new Option<bool>("--version", "-v") { Description = "Show the version of ipvs and of the kernel's IPVS" };
        root.Options.Add(version);

        root.Subcommands.Add(TableCommands.Zero(context));
        root.Subcommands.Add(TableCommands.Flush(context));
        root.Subcommands.Add(ServiceCommands.Build(context));
        root.Subcommands.Add(ServerCommands.Build(context));
        root.Subcommands.Add(AddressCommands.Build(context));
        root.Subcommands.Add(TimeoutCommands.Build(context));
        root.Subcommands.Add(DaemonCommands.Build(context));
        root.Subcommands.Add(ConnectionCommands.Build(context));
        root.Subcommands.Add(Ha.HaCommands.Build(context));
        root.Subcommands.Add(Import.ImportCommand.Build(context));
        root.Subcommands.Add(Doctor.DoctorCommand.Build(context));
        foreach (var command in State.StateCommand.Build(context))
        {
            root.Subcommands.Add(command);
        }

        root.Subcommands.Add(VersionCommand.Build(context));
        root.Subcommands.Add(ShellCompletion.Build(context));
        root.Subcommands.Add(HelpCommand.Build(context, root));
        root.Subcommands.Add(ReferenceDoc.Build(context, root));
        root.Subcommands.Add(ManPages.Build(context, root));
        root.SetAction(parseResult =>
        {
            if (parseResult.GetValue(version))
            {
                return VersionCommand.Print(context, parseResult);
            }

            return ShowHelp(root, parseResult.InvocationConfiguration.Output);
        });
        root.WithExamples(
            "service add tcp/198.51.100.1:80 -s rr",
            "server add tcp/198.51.100.1:80 192.0.2.10:8080 --fwd masq -w 3",
            "service list -o json",
            "service add --vip 198.51.100.1 --vport 80 --protocol udp   (ipvsctl's form)");
        AddFamilyHelp(root);
        AliasResolver.ShadowConflicts(root);
        return root;
    }

    /// <summary>Prints the help of a command, as <c>COMMAND --help</c> would.</summary>
    public static int ShowHelp(Command command, TextWriter output)
    {
        var words = new List<string>();
        Command top = command;
        while (top.Parents.OfType<Command>().FirstOrDefault() is { } parent)
        {
            words.Insert(0, top.Name);
            top = parent;
        }

        words.Add("--help");
        return top.Parse(words).Invoke(new InvocationConfiguration { Output = output });
    }

    /// <summary>
    /// Every family gets ipvsctl's <c>help, h</c> subcommand and shows its help when given alone.
    /// </summary>
    private static void AddFamilyHelp(Command root)
    {
        foreach (var family in root.Subcommands.Where(c => c.Subcommands.Count > 0 && !c.Hidden).ToArray())
        {
            var familyHelp = new CliCommand("help", "Show the commands of " + family.Name + ", or the help of one", "h");
            var names = new Argument<string[]>("command") { Arity = ArgumentArity.ZeroOrMore, Description = "The subcommand" };
            familyHelp.Arguments.Add(names);
            var target = family;
            familyHelp.SetAction(parseResult => HelpCommand.ShowFor(target, parseResult.GetValue(names) ?? [], parseResult));
            familyHelp.WithExamples($"{family.Name} help", $"{family.Name} help {family.Subcommands[0].Name}");
            family.Subcommands.Add(familyHelp);
            family.SetAction(parseResult => ShowHelp(target, parseResult.InvocationConfiguration.Output));
        }
    }
}
