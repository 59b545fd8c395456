using System.CommandLine;
using System.Net.Sockets;
using Ipvs.Cli.Common;
using Ipvs.Cli.Output;
using Ipvs.Model;

namespace Ipvs.Cli.Daemon;

/// <summary><c>ipvs daemon</c> (dm): the kernel's connection synchronization daemons.</summary>
internal static class DaemonCommands
{
    public static CliCommand Build(CliContext context)
    {
        var family = new CliCommand("daemon", "Connection synchronization daemons: show, add (start), delete (stop)", "dm");
        family.Subcommands.Add(Show(context));
        family.Subcommands.Add(Add(context));
        family.Subcommands.Add(Delete(context));
        return family.WithExamples("daemon show", "daemon add --state master --mcast-ifn eth0 --sync-id 7", "daemon del --state master");
    }

    private static CliCommand Show(CliContext context)
    {
        var command = new CliCommand("show", "Show the running sync daemons", "ls", "get");
        command.SetAction(parseResult =>
        {
            IReadOnlyList<SyncDaemon> daemons;
            using (var client = context.Environment.OpenClient())
            {
                daemons = client.GetSyncDaemons();
            }

            var views = daemons.OrderBy(d => d.State).Select(ViewMapper.Daemon).ToArray();
            OutputWriter.Write(
                context.Console.Out,
                parseResult.GetValue(context.Output),
                new DaemonListView(views),
                CliJsonContext.Default.DaemonListView,
                output =>
                {
                    var table = new TextTable().Column("STATE").Column("INTERFACE").Column("SYNC-ID", numeric: true).Column("MAXLEN", numeric: true)
                        .Column("GROUP").Column("PORT", numeric: true).Column("TTL", numeric: true);
                    foreach (var d in views)
                    {
                        table.Row(d.State, d.McastInterface, Tables.Number(d.SyncId), Optional(d.SyncMaxlen), d.McastGroup ?? "-", Optional(d.McastPort), Optional(d.McastTtl));
                    }

                    table.Write(output);
                });
            return 0;
        });
        return command.WithExamples("daemon show", "daemon show -o yaml");
    }

    private static CliCommand Add(CliContext context)
    {
        var command = new CliCommand("add", "Start a sync daemon", "a", "new", "n", "set");
        var state = StateOption();
        var syncId = CliOptions.Number("--sync-id", 0, 255, "Synchronization id, 0 to 255, pairing masters and backups (default 0)", "id", "--syncid");
        var ifname = new Option<string?>("--mcast-ifn", "--mcast-interface")
        {
            Description = "The interface the multicast traffic uses (required)",
            HelpName = "interface",
            Required = true,
        };
        var group = CliOptions.Address("--mcast-group", "Multicast group, IPv4 or IPv6 (kernel default 224.0.0.81)");
        var port = CliOptions.Number("--mcast-port", 1, 65535, "UDP port (kernel default 8848)", "port");
        var ttl = CliOptions.Number("--mcast-ttl", 1, 255, "Multicast TTL, 1 to 255 (kernel default 1)", "ttl");
        var maxLength = CliOptions.Number("--sync-maxlen", 1, 65535 - 20 - 8, "Largest sync message payload in bytes (kernel default from the interface's MTU)", "bytes");
        foreach (var option in new Option[] { state, syncId, ifname, group, port, ttl, maxLength })
        {
            command.Options.Add(option);
        }

        command.SetAction(parseResult =>
        {
            var name = parseResult.GetValue(ifname)!;
            if (name.Length is 0 or > 15 || name.Contains('/', StringComparison.Ordinal) || name.Any(char.IsWhiteSpace))
            {
                throw new UsageException($"--mcast-ifn: '{name}' is not an interface name: expected 1 to 15 characters without '/' or spaces");
            }

            var multicast = parseResult.GetValue(group);
            if (multicast is not null && !(multicast.AddressFamily == AddressFamily.InterNetworkV6 ? multicast.IsIPv6Multicast : (multicast.GetAddressBytes()[0] & 0xf0) == 0xe0))
            {
                throw new UsageException($"--mcast-group: {multicast} is not a multicast address");
            }

            var daemon = new SyncDaemon(ParseState(parseResult.GetValue(state)!), name, (uint)(parseResult.GetValue(syncId) ?? 0))
            {
                MulticastGroup = multicast,
                Port = (ushort)(parseResult.GetValue(port) ?? 0),
                Ttl = (byte)(parseResult.GetValue(ttl) ?? 0),
                MaxLength = (ushort)(parseResult.GetValue(maxLength) ?? 0),
            };
            using var client = context.Environment.OpenClient();
            context.Execute(client, [IpvsOperation.StartSyncDaemon(daemon)]);
            return 0;
        });
        return command.WithExamples(
            "daemon add --state master --mcast-ifn eth0 --sync-id 7",
            "daemon add --state backup --mcast-ifn eth1 --mcast-group 239.1.1.1 --mcast-port 8850 --mcast-ttl 2");
    }

    private static CliCommand Delete(CliContext context)
    {
        var command = new CliCommand("del", "Stop a sync daemon", "d", "delete");
        var state = StateOption();
        command.Options.Add(state);
        command.SetAction(parseResult =>
        {
            var role = ParseState(parseResult.GetValue(state)!);
            using var client = context.Environment.OpenClient();
            context.Execute(client, [IpvsOperation.StopSyncDaemon(role)]);
            return 0;
        });
        return command.WithExamples("daemon del --state backup");
    }

    private static Option<string?> StateOption()
    {
        var option = CliOptions.Choice("--state", "The daemon's role: master or backup (required)", [.. IpvsNames.SyncDaemonStates]);
        option.Required = true;
        return option;
    }

    private static SyncDaemonState ParseState(string state) => IpvsNames.ParseSyncDaemonState(state) ?? SyncDaemonState.Backup;

    private static string Optional(int? value) => value is { } v ? Tables.Number(v) : "-";
}
