using System.Net;
using Ipvs.Cli.Common;
using Ipvs.Cli.Output;
using Ipvs.Model;
using Ipvs.ProcFs;

namespace Ipvs.Cli.Connection;

/// <summary><c>ipvs connection</c> (c, conn): the kernel's connection table, read from /proc/net/ip_vs_conn.</summary>
internal static class ConnectionCommands
{
    public static CliCommand Build(CliContext context)
    {
        var family = new CliCommand("connection", "The connection table: show", "c", "conn");
        family.Subcommands.Add(Show(context));
        return family.WithExamples("connection show", "connection show tcp/198.51.100.1:80 -o json");
    }

    private static CliCommand Show(CliContext context)
    {
        var command = new CliCommand("show", "Show the connection entries, optionally of one service or address", "ls", "get");
        var targets = Targets.ForService(command, vipRequiresPort: false);
        var path = new System.CommandLine.Option<string>("--path", "-p")
        {
            Description = "The connection table file",
            HelpName = "file",
            DefaultValueFactory = _ => ConnectionTable.DefaultPath,
        };
        command.Options.Add(path);
        command.SetAction(parseResult =>
        {
            var key = targets.Service(parseResult);
            var vip = key?.Address ?? targets.VipOnly(parseResult);
            var vport = key is { IsFirewallMark: false } ? key.Port : targets.VportOnly(parseResult);
            if (key is { IsFirewallMark: true })
            {
                throw new UsageException("connection entries carry no firewall mark: filter by tcp/ADDRESS:PORT, udp/…, sctp/… or --vip/--vport");
            }

            var file = parseResult.GetValue(path)!;
            IReadOnlyList<IpvsConnection> entries;
            try
            {
                entries = ConnectionTable.ReadAsync(file).GetAwaiter().GetResult();
            }
            catch (FileNotFoundException)
            {
                throw new CliOperationException(file == ConnectionTable.DefaultPath
                    ? $"{file} does not exist: the kernel's IPVS is not loaded"
                    : $"{file} does not exist");
            }

            var protocol = key is null ? null : ViewMapper.ProtocolWord(key.Protocol).ToUpperInvariant();
            var views = entries
                .Where(c => (vip is null || c.VirtualAddress.Equals(vip)) && (vport is null || c.VirtualPort == vport)
                    && (protocol is null || string.Equals(c.Protocol, protocol, StringComparison.OrdinalIgnoreCase)))
                .Select(ViewMapper.Connection)
                .ToArray();
            OutputWriter.Write(
                context.Console.Out,
                parseResult.GetValue(context.Output),
                new ConnectionListView(views),
                CliJsonContext.Default.ConnectionListView,
                output => Table(output, views));
            return 0;
        });
        return command
            .WithNotes("--vip alone matches every port of that address; --vport 0 matches every port.")
            .WithExamples("connection show", "connection show --vip 198.51.100.1 --vport 80", "connection show -p /tmp/ip_vs_conn.saved -o yaml");
    }

    private static void Table(TextWriter output, IReadOnlyList<ConnectionView> connections)
    {
        var fullNat = connections.Any(c => c.LocalAddress is not null);
        var table = new TextTable().Column("PROTO").Column("STATE").Column("EXPIRES", numeric: true).Column("CLIENT").Column("VIRTUAL");
        if (fullNat)
        {
            table.Column("LOCAL");
        }

        table.Column("DESTINATION").Column("PE");
        foreach (var c in connections)
        {
            var cells = new List<string>
            {
                c.Protocol,
                c.State,
                $"{c.Expires / 60:00}:{c.Expires % 60:00}",
                Endpoint(c.ClientAddress, c.ClientPort),
                Endpoint(c.VirtualAddress, c.VirtualPort),
            };
            if (fullNat)
            {
                cells.Add(c.LocalAddress is null ? "-" : Endpoint(c.LocalAddress, c.LocalPort ?? 0));
            }

            cells.Add(Endpoint(c.DestinationAddress, c.DestinationPort));
            cells.Add(c.PersistenceEngine is null ? "-" : c.PersistenceEngine + (c.PersistenceEngineData is null ? string.Empty : " " + c.PersistenceEngineData));
            table.Row([.. cells]);
        }

        table.Write(output);
    }

    private static string Endpoint(string address, int port) => AddressPort.Format(IPAddress.Parse(address), (ushort)port);
}
