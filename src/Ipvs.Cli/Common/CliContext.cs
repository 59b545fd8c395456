using System.CommandLine;
using Ipvs.Cli.Output;

namespace Ipvs.Cli.Common;

/// <summary>What every command family's builder gets: the environment and the global options.</summary>
internal sealed class CliContext
{
    public CliContext(CliEnvironment environment)
    {
        Environment = environment;
    }

    public CliEnvironment Environment { get; }

    public CliConsole Console => Environment.Console;

    /// <summary>The global <c>-o/--output</c> option.</summary>
    public Option<OutputFormat> Output { get; } = CliOptions.Output();

    /// <summary>Runs a batch of changes; each refusal is reported, and any refusal fails the command (exit 1).</summary>
    public void Execute(IpvsClient client, IReadOnlyList<IpvsOperation> operations)
    {
        if (operations.Count == 0)
        {
            return;
        }

        IpvsBatchResult result;
        try
        {
            result = client.Execute(operations);
        }
        catch (IpvsFeatureNotSupportedException e)
        {
            // Refused before sending: name the operation that needs the missing feature.
            throw new CliOperationException(CliErrors.Describe(e, operations.FirstOrDefault(o => o.Kind == e.Operation)));
        }

        if (result.AllSucceeded)
        {
            return;
        }

        if (result.Count == 1)
        {
            throw new CliOperationException(CliErrors.Describe(result[0]));
        }

        foreach (var failure in result.Failures)
        {
            Console.Error.WriteLine("ipvs: " + CliErrors.Describe(failure));
        }

        throw new CliOperationException($"{result.FailedCount} of {result.Count} changes failed (the others were applied)");
    }

    /// <summary>Reads a service; an operation error naming it when it does not exist.</summary>
    public static Model.VirtualService RequireService(IpvsClient client, Model.VirtualServiceKey key) =>
        client.GetService(key)
            ?? throw new CliOperationException($"service {key} does not exist");
}
