using Ipvs.Cli.Common;
using Ipvs.Cli.Output;
using Ipvs.Cli.Service;
using Ipvs.Model;

namespace Ipvs.Cli.Timeout;

/// <summary><c>ipvs timeout</c> (t, to, out): the TCP, TCP FIN and UDP connection timeouts.</summary>
internal static class TimeoutCommands
{
    public static CliCommand Build(CliContext context)
    {
        var family = new CliCommand("timeout", "Connection timeouts of TCP, TCP after FIN, and UDP: show, set", "t", "to", "out");
        family.Subcommands.Add(Show(context));
        family.Subcommands.Add(Set(context));
        return family.WithExamples("timeout show", "timeout set --tcp 900 --tcpfin 120 --udp 300");
    }

    private static CliCommand Show(CliContext context)
    {
        var command = new CliCommand("show", "Show the timeouts, in seconds", "ls", "get");
        command.SetAction(parseResult =>
        {
            IpvsTimeouts timeouts;
            using (var client = context.Environment.OpenClient())
            {
                timeouts = client.GetTimeouts();
            }

            var view = ViewMapper.Timeouts(timeouts);
            OutputWriter.Write(
                context.Console.Out,
                parseResult.GetValue(context.Output),
                view,
                CliJsonContext.Default.TimeoutsView,
                output =>
                {
                    var table = new TextTable().Column("TCP", numeric: true).Column("TCPFIN", numeric: true).Column("UDP", numeric: true);
                    table.Row(Tables.Number(view.Tcp), Tables.Number(view.TcpFin), Tables.Number(view.Udp));
                    table.Write(output);
                });
            return 0;
        });
        return command.WithExamples("timeout show", "timeout show -o json");
    }

    private static CliCommand Set(CliContext context)
    {
        var command = new CliCommand("set", "Set timeouts in seconds; 0 (or leaving one out) keeps the current value", "s");
        const string Range = "0 to 2678400 (31 days)";
        var tcp = CliOptions.Number("--tcp", 0, ServiceSettings.MaxTimeout, "TCP timeout in seconds, " + Range, "seconds", "-t");
        var tcpFin = CliOptions.Number("--tcpfin", 0, ServiceSettings.MaxTimeout, "TCP timeout after a FIN, in seconds, " + Range, "seconds", "-f", "--fin");
        var udp = CliOptions.Number("--udp", 0, ServiceSettings.MaxTimeout, "UDP timeout in seconds, " + Range, "seconds", "-u");
        command.Options.Add(tcp);
        command.Options.Add(tcpFin);
        command.Options.Add(udp);
        command.SetAction(parseResult =>
        {
            var values = new[] { parseResult.GetValue(tcp), parseResult.GetValue(tcpFin), parseResult.GetValue(udp) };
            if (values.All(v => v is null))
            {
                throw new UsageException("nothing to set: give --tcp, --tcpfin or --udp");
            }

            var timeouts = new IpvsTimeouts(
                TimeSpan.FromSeconds(values[0] ?? 0),
                TimeSpan.FromSeconds(values[1] ?? 0),
                TimeSpan.FromSeconds(values[2] ?? 0));
            using var client = context.Environment.OpenClient();
            context.Execute(client, [IpvsOperation.SetTimeouts(timeouts)]);
            return 0;
        });
        return command.WithNotes("Here -f is --tcpfin (elsewhere -f is --yes), as in ipvsctl.")
            .WithExamples("timeout set --tcp 900 --tcpfin 120 --udp 300", "timeout set -u 60   (only UDP)");
    }
}
