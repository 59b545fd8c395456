using System.CommandLine;
using Ipvs.State;

namespace Ipvs.Cli.State;

/// <summary><c>ipvs export [-o yaml|json]</c>: the kernel's table in the declarative schema.</summary>
internal static class ExportCommand
{
    public static Command Create()
    {
        var format = new Option<string>("--output", "-o")
        {
            Description = "yaml (default) or json.",
            HelpName = "FORMAT",
            DefaultValueFactory = _ => "yaml",
        };
        format.AcceptOnlyFromAmong("yaml", "json");
        var netns = StateCommand.NetnsOption();
        var command = new Command("export", """
            Print the kernel's IPVS table in the schema 'ipvs apply' reads (docs/config.md), sorted as
            ipvsadm lists it. Applying the output changes nothing.

            Examples:
              ipvs export > services.yaml
              ipvs export -o json | jq '.services | length'
              ipvs export --netns blue > blue.yaml && ipvs apply -f blue.yaml --netns green
            """)
        {
            format, netns,
        };
        command.SetAction((result, cancellationToken) => RunAsync(result.GetValue(format) ?? "yaml", result.GetValue(netns), cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(string format, string? netns, CancellationToken cancellationToken)
    {
        var error = Console.Error;
        using var client = StateCommand.OpenClient(netns, error);
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
            using var stdout = Console.OpenStandardOutput();
            using var buffered = new BufferedStream(stdout, 1 << 16);
            IpvsConfigWriter.WriteJson(buffered, config);
        }
        else
        {
            using var output = StateCommand.StandardOutput();
            IpvsConfigWriter.WriteYaml(output, config);
        }

        return StateCommand.ExitOk;
    }
}
