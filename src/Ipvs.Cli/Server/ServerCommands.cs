using System.Net;
using Ipvs.Cli.Common;
using Ipvs.Cli.Output;
using Ipvs.Cli.Service;
using Ipvs.Model;

namespace Ipvs.Cli.Server;

/// <summary><c>ipvs server</c> (ser, svr, d, dst, dest, destination, rs, realserver): ipvsctl's real-server commands.</summary>
internal static class ServerCommands
{
    public static CliCommand Build(CliContext context)
    {
        var family = new CliCommand(
            "server",
            "Real servers of a virtual service: list, add, update, delete, flush",
            "ser", "svr", "d", "dst", "dest", "destination", "rs", "realserver");
        family.Subcommands.Add(List(context));
        family.Subcommands.Add(Add(context));
        family.Subcommands.Add(Update(context));
        family.Subcommands.Add(Delete(context));
        family.Subcommands.Add(Flush(context));
        return family.WithExamples(
            "server list tcp/198.51.100.1:80",
            "server add tcp/198.51.100.1:80 192.0.2.10:8080 --fwd masq -w 3",
            "server update tcp/198.51.100.1:80 192.0.2.10:8080 -w 0   (drain)");
    }

    private static CliCommand List(CliContext context)
    {
        var command = new CliCommand("list", "List the real servers of a service, or of every service", "l", "ls");
        var targets = Targets.ForService(command);
        var stats = ServiceCommands.StatsOption();
        command.Options.Add(stats);
        command.SetAction(parseResult =>
        {
            var key = targets.Service(parseResult);
            var withStats = parseResult.GetValue(stats);
            var views = new List<ServerView>();
            using (var client = context.Environment.OpenClient())
            {
                if (key is not null)
                {
                    CliContext.RequireService(client, key);
                    views.AddRange(IpvsOrder.Servers(client.GetRealServers(key)).Select(s => ViewMapper.Server(key, s, withStats)));
                }
                else
                {
                    foreach (var entry in IpvsOrder.Services(client.GetTable()))
                    {
                        views.AddRange(IpvsOrder.Servers(entry.RealServers).Select(s => ViewMapper.Server(entry.Service.Key, s, withStats)));
                    }
                }
            }

            OutputWriter.Write(
                context.Console.Out,
                parseResult.GetValue(context.Output),
                new ServerListView(views),
                CliJsonContext.Default.ServerListView,
                output => Tables.Servers(output, views, withService: key is null, withStats));
            return 0;
        });
        return command.WithExamples("server list", "server list tcp/198.51.100.1:80 --stats", "server list --vip 198.51.100.1 --vport 80 -o json");
    }

    private static CliCommand Add(CliContext context)
    {
        var command = new CliCommand("add", "Add a real server to a service", "a", "new", "n", "set");
        var targets = Targets.ForServer(command);
        var settings = ServerSettings.AddTo(command);
        command.SetAction(parseResult =>
        {
            var key = targets.RequiredService(parseResult);
            var (address, port) = targets.RequiredServer(parseResult);
            var server = settings.ForAdd(parseResult, key, address, port, context.Console.Error);
            using var client = context.Environment.OpenClient();
            context.Execute(client, [IpvsOperation.AddRealServer(key, server)]);
            return 0;
        });
        return command
            .WithNotes(
                "Defaults as ipvsadm: direct routing, weight 1, the service's port. Direct routing and tunnels keep the service's port, so another --rport is replaced by it (with a note). A server of the other address family needs --forward tun.")
            .WithExamples(
                "server add tcp/198.51.100.1:80 192.0.2.10:8080 --fwd masq -w 3",
                "server add tcp/198.51.100.1:80 192.0.2.11   (direct routing, port 80, weight 1)",
                "server add udp/[2001:db8::1]:53 [2001:db8::10]:53 --fwd masq -x 1000 -y 800",
                "server add tcp/198.51.100.1:80 192.0.2.12 --fwd tun --tun-type gue --tun-port 6080 --tun-csum",
                "server add --vip 198.51.100.1 --vport 80 --rip 192.0.2.10 --rport 8080 --forward masq --weight 3   (ipvsctl's form)");
    }

    private static CliCommand Update(CliContext context)
    {
        var command = new CliCommand("update", "Change a real server's forwarding, weight, thresholds or tunnel; what is not given stays", "u", "up");
        var targets = Targets.ForServer(command);
        var settings = ServerSettings.AddTo(command);
        command.SetAction(parseResult =>
        {
            var key = targets.RequiredService(parseResult);
            var (address, port) = targets.RequiredServer(parseResult);
            if (!settings.AnyGiven(parseResult))
            {
                throw new UsageException("nothing to update: give --forward, --weight, --upper-threshold, --lower-threshold or tunnel options");
            }

            using var client = context.Environment.OpenClient();
            var current = Find(client, key, address, port);
            context.Execute(client, [IpvsOperation.UpdateRealServer(key, settings.Apply(parseResult, key, current))]);
            return 0;
        });
        return command.WithExamples(
            "server update tcp/198.51.100.1:80 192.0.2.10:8080 -w 0   (drain)",
            "server update tcp/198.51.100.1:80 192.0.2.10 --weight 5   (the port may be left out when the address is unique)");
    }

    private static CliCommand Delete(CliContext context)
    {
        var command = new CliCommand("del", "Remove a real server from a service", "d", "delete");
        var targets = Targets.ForServer(command);
        command.SetAction(parseResult =>
        {
            var key = targets.RequiredService(parseResult);
            var (address, port) = targets.RequiredServer(parseResult);
            using var client = context.Environment.OpenClient();
            var server = Find(client, key, address, port);
            context.Execute(client, [IpvsOperation.DeleteRealServer(key, server.Address, server.Port)]);
            return 0;
        });
        return command.WithExamples("server del tcp/198.51.100.1:80 192.0.2.10:8080", "server del --vip 198.51.100.1 --vport 80 --rip 192.0.2.10 --rport 8080");
    }

    private static CliCommand Flush(CliContext context)
    {
        var command = new CliCommand("flush", "Remove every real server of a service", "f", "clear", "purge");
        var targets = Targets.ForService(command);
        var yes = CliOptions.Yes();
        command.Options.Add(yes);
        command.SetAction(parseResult =>
        {
            var key = targets.RequiredService(parseResult);
            Confirmation.Require(context.Console, parseResult.GetValue(yes), $"Remove every real server of service {key}?");
            using var client = context.Environment.OpenClient();
            CliContext.RequireService(client, key);
            var servers = client.GetRealServers(key);
            context.Execute(client, servers.Select(s => (IpvsOperation)IpvsOperation.DeleteRealServer(key, s.Address, s.Port)).ToArray());
            return 0;
        });
        return command.WithNotes("At a terminal it asks first; with stdin not a terminal it refuses unless --yes is given.")
            .WithExamples("server flush tcp/198.51.100.1:80 --yes");
    }

    /// <summary>The real server at an address and port; without a port, the only one at that address.</summary>
    private static RealServer Find(IpvsClient client, VirtualServiceKey key, IPAddress address, ushort? port)
    {
        CliContext.RequireService(client, key);
        var servers = client.GetRealServers(key);
        var matches = servers.Where(s => s.Address.Equals(address) && (port is null || s.Port == port)).ToArray();
        return matches.Length switch
        {
            1 => matches[0],
            0 => throw new CliOperationException(
                $"real server {(port is { } p ? AddressPort.Format(address, p) : address.ToString())} does not exist in service {key}"),
            _ => throw new UsageException(
                $"service {key} has several real servers at {address} ({string.Join(", ", matches.Select(s => s.Endpoint))}): give the port"),
        };
    }
}
