using System.CommandLine;
using Ipvs.Cli.Common;
using Ipvs.State;

namespace Ipvs.Cli.State;

/// <summary><c>ipvs export [-o yaml|json]</c>: the kernel's table in the declarative schema.</summary>
internal static class ExportCommand
{
    public static CliCommand Create(CliContext context)
    {
        var format = new Option<string>("--output", "-o")
        {
            Description = "yaml (default) or json.",
            HelpName = "FORMAT",
            DefaultValueFactory = _ => "yaml",
        };
        format.AcceptOnlyFromAmong("yaml", "json");
        var netns = StateCommand.NetnsOption();
        var command = new CliCommand("export", "Print the kernel's IPVS table in the schema 'ipvs apply' reads")
        {
            format, netns,
        };
        command.WithNotes("Print the kernel's IPVS table in the schema 'ipvs apply' reads (docs/config.md), sorted as ipvsadm lists it. Applying the output changes nothing.");
        command.WithExamples(
            "export > services.yaml",
            "export -o json | jq '.services | length'",
            "export --netns blue > blue.yaml && ipvs apply -f blue.yaml --netns green");
        command.SetAction((result, cancellationToken) => RunAsync(result.GetValue(format) ?? "yaml", result.GetValue(netns), context.Environment, cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(string format, string? netns, CliEnvironment environment, CancellationToken cancellationToken)
    {
        var console = environment.Console;
        var error = console.Error;
        using var client = StateCommand.OpenClient(environment, netns, error);
        if (client is null)
        {
            return StateCommand.ExitError;
        }

        IReadOnlyList<IpvsTableEntry> table;
        try
        {
            table = client.GetTable(cancellationToken);
        }
        catch (IpvsException e)
        {
            error.WriteLine("ipvs: " + e.Message);
            return StateCommand.ExitError;
        }

        var config = IpvsConfigWriter.Sorted(IpvsConfig.FromTable(table));
        if (format == "json")
        {
            using var output = StateCommand.StandardOutput(console);
            using var stream = new TextWriterStream(output);
            IpvsConfigWriter.WriteJson(stream, config);
        }
        else
        {
            using var output = StateCommand.StandardOutput(console);
            IpvsConfigWriter.WriteYaml(output, config);
        }

        return StateCommand.ExitOk;
    }
}
