using Ipvs.Cli.Common;

namespace Ipvs.Cli.Service;

/// <summary>The whole-table commands <c>ipvs zero</c> and <c>ipvs flush</c> (also <c>ipvs service flush</c>).</summary>
internal static class TableCommands
{
    public static CliCommand Zero(CliContext context)
    {
        var command = new CliCommand("zero", "Zero the counters of every service and real server", "z");
        var yes = CliOptions.Yes();
        command.Options.Add(yes);
        command.SetAction(parseResult =>
        {
            Confirmation.Require(context.Console, parseResult.GetValue(yes), "Zero the counters of every virtual service and real server?");
            using var client = context.Environment.OpenClient();
            context.Execute(client, [IpvsOperation.ZeroCounters()]);
            return 0;
        });
        return command.WithExamples("zero --yes", "service zero tcp/198.51.100.1:80   (one service)");
    }

    public static CliCommand Flush(CliContext context, string description = "Delete every virtual service and its real servers")
    {
        var command = new CliCommand("flush", description, "f", "clear");
        var yes = CliOptions.Yes();
        command.Options.Add(yes);
        command.SetAction(parseResult =>
        {
            Confirmation.Require(context.Console, parseResult.GetValue(yes), "Delete every virtual service and its real servers?");
            using var client = context.Environment.OpenClient();
            context.Execute(client, [IpvsOperation.Flush()]);
            return 0;
        });
        return command.WithNotes("At a terminal it asks first; with stdin not a terminal it refuses unless --yes is given.").WithExamples("flush --yes");
    }
}
