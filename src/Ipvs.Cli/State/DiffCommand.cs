using System.CommandLine;
using Ipvs.Cli.Common;
using Ipvs.State;

namespace Ipvs.Cli.State;

/// <summary><c>ipvs diff -f FILE</c>: the plan apply would execute, one line per change.</summary>
internal static class DiffCommand
{
    public static CliCommand Create(CliContext context)
    {
        var file = StateCommand.FileOption("The desired state, YAML or JSON (docs/config.md); - reads standard input.");
        var prune = StateCommand.PruneOption();
        var drainTimeout = StateCommand.DrainTimeoutOption();
        var stateFile = StateCommand.StateFileOption();
        var netns = StateCommand.NetnsOption();
        var command = new CliCommand("diff", "Show what 'ipvs apply' would change, one line per change, and change nothing")
        {
            file, prune, drainTimeout, stateFile, netns,
        };
        command.WithNotes(
            """
            Print what 'ipvs apply' would change, one line per change, and change nothing:
              + service tcp/198.51.100.1:80 scheduler=wlc
              + server tcp/198.51.100.1:80 192.0.2.10:8080 forward=masq weight=1
              ~ server tcp/198.51.100.1:80 192.0.2.11:8080 weight 1 -> 3
              - server tcp/198.51.100.1:80 192.0.2.12:8080 (no connections)
            """,
            "A real server still draining is a '-' line that says how long it may take.",
            "Exit status: 0 the kernel matches the file, 1 it differs, 2 error.");
        command.WithExamples(
            "diff -f services.yaml",
            "diff -f services.yaml --prune || echo \"out of date\"");
        command.SetAction((result, cancellationToken) => RunAsync(
            result.GetValue(file)!, result.GetValue(prune), result.GetValue(drainTimeout) ?? IpvsPlanOptions.DefaultDrainTimeout, result.GetValue(stateFile), result.GetValue(netns), context.Environment, cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(string file, bool prune, TimeSpan drainTimeout, string? stateFile, string? netns, CliEnvironment environment, CancellationToken cancellationToken)
    {
        var error = environment.Console.Error;
        var timer = new StateCommand.StepTimer();
        var config = StateCommand.ReadConfig(file, error);
        timer.Mark("read file");
        if (config is null)
        {
            return StateCommand.ExitError;
        }

        using var client = StateCommand.OpenClient(environment, netns, error);
        if (client is null)
        {
            return StateCommand.ExitError;
        }

        var reconciler = new IpvsReconciler(client, new IpvsReconcilerOptions
        {
            Prune = prune,
            DrainTimeout = drainTimeout,
            DrainStateFile = stateFile ?? StateCommand.DefaultStateFile(netns),
            NetworkNamespace = StateCommand.NamespacePath(netns),
        });
        IpvsReconcileResult result;
        try
        {
            result = await reconciler.PlanAsync(config, cancellationToken).ConfigureAwait(false);
        }
        catch (IpvsException e)
        {
            error.WriteLine("ipvs: " + e.Message);
            return StateCommand.ExitError;
        }

        timer.Add(result.Timings);
        foreach (var warning in result.Warnings)
        {
            error.WriteLine("warning: " + warning);
        }

        var plan = result.Plan;
        using var output = StateCommand.StandardOutput(environment.Console);
        foreach (var change in plan.Changes)
        {
            output.WriteLine(change.ToString());
        }

        // Servers already at weight 0 that must still go: a difference with no operation yet.
        var now = DateTimeOffset.UtcNow;
        var changing = plan.Changes.Where(c => c.Server is not null).Select(c => new RealServerId(c.Service, c.Server!.Address, c.Server.Port)).ToHashSet();
        foreach (var draining in plan.Draining.Where(d => !changing.Contains(d.Id)))
        {
            output.WriteLine("- " + StateCommand.DescribeDraining(draining, now));
        }

        output.Flush();
        timer.Mark("report");
        timer.Print(error);
        return plan.IsInSync ? StateCommand.ExitOk : StateCommand.ExitDifferent;
    }
}
