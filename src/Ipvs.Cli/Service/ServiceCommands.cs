using System.CommandLine;
using Ipvs.Cli.Common;
using Ipvs.Cli.Output;
using Ipvs.Model;

namespace Ipvs.Cli.Service;

/// <summary><c>ipvs service</c> (s, svc, vs): ipvsctl's service commands.</summary>
internal static class ServiceCommands
{
    public static CliCommand Build(CliContext context)
    {
        var family = new CliCommand("service", "Virtual services: list, show, check, add, update, delete, zero, flush", "s", "svc", "vs");
        family.Subcommands.Add(List(context));
        family.Subcommands.Add(String(context));
        family.Subcommands.Add(Check(context));
        family.Subcommands.Add(Get(context));
        family.Subcommands.Add(Add(context));
        family.Subcommands.Add(Update(context));
        family.Subcommands.Add(Delete(context));
        family.Subcommands.Add(Zero(context));
        family.Subcommands.Add(TableCommands.Flush(context, "Delete every virtual service and its real servers (same as ipvs flush)"));
        return family.WithExamples("service list", "service add tcp/198.51.100.1:80 -s rr", "service get udp/[2001:db8::1]:53 -o yaml");
    }

    /// <summary>ipvsctl's <c>--stats, -s, --stat</c> of list and get (there -s is not the scheduler).</summary>
    public static Option<bool> StatsOption() => new("--stats", "-s", "--stat") { Description = "Add counters and rates" };

    private static CliCommand List(CliContext context)
    {
        var command = new CliCommand("list", "List the virtual services with their real servers", "l", "ls");
        var stats = StatsOption();
        command.Options.Add(stats);
        command.SetAction(parseResult =>
        {
            var withStats = parseResult.GetValue(stats);
            IReadOnlyList<IpvsTableEntry> table;
            using (var client = context.Environment.OpenClient())
            {
                table = client.GetTable();
            }

            var views = IpvsOrder.Services(table)
                .Select(e => ViewMapper.Service(e.Service, IpvsOrder.Servers(e.RealServers), withStats))
                .ToArray();
            OutputWriter.Write(
                context.Console.Out,
                parseResult.GetValue(context.Output),
                new ServiceListView(views),
                CliJsonContext.Default.ServiceListView,
                output => Tables.Services(output, views, withStats));
            return 0;
        });
        return command.WithExamples("service list", "service list --stats", "service list -o json");
    }

    private static CliCommand String(CliContext context)
    {
        var command = new CliCommand("string", "Print the service's one-line compact form (tcp/198.51.100.1:80); reads nothing from the kernel", "s", "str");
        var targets = Targets.ForService(command);
        command.SetAction(parseResult =>
        {
            var key = targets.RequiredService(parseResult);
            OutputWriter.Write(
                context.Console.Out,
                parseResult.GetValue(context.Output),
                new ServiceStringView(key.ToString()),
                CliJsonContext.Default.ServiceStringView,
                output => output.WriteLine(key.ToString()));
            return 0;
        });
        return command.WithExamples("service string --vip 2001:db8::1 --vport 53 --protocol udp   (prints udp/[2001:db8::1]:53)");
    }

    private static CliCommand Check(CliContext context)
    {
        var command = new CliCommand("check", "Check whether a service exists: exit status 0 when it does, 1 when it does not", "c", "chk", "exist", "find");
        var targets = Targets.ForService(command);
        var quiet = new Option<bool>("--quiet", "-q") { Description = "Print nothing; only the exit status tells" };
        command.Options.Add(quiet);
        command.SetAction(parseResult =>
        {
            var key = targets.RequiredService(parseResult);
            bool exists;
            using (var client = context.Environment.OpenClient())
            {
                exists = client.GetService(key) is not null;
            }

            if (!parseResult.GetValue(quiet))
            {
                OutputWriter.Write(
                    context.Console.Out,
                    parseResult.GetValue(context.Output),
                    new ServiceCheckView(key.ToString(), exists),
                    CliJsonContext.Default.ServiceCheckView,
                    output => output.WriteLine(exists ? $"service {key} exists" : $"service {key} does not exist"));
            }

            return exists ? 0 : 1;
        });
        return command.WithExamples("service check tcp/198.51.100.1:80", "service check -q --vip 198.51.100.1 --vport 80 && echo present");
    }

    private static CliCommand Get(CliContext context)
    {
        var command = new CliCommand("get", "Show one service with its real servers", "g", "fetch", "one");
        var targets = Targets.ForService(command);
        var stats = StatsOption();
        command.Options.Add(stats);
        command.SetAction(parseResult =>
        {
            var key = targets.RequiredService(parseResult);
            var withStats = parseResult.GetValue(stats);
            VirtualService service;
            IReadOnlyList<RealServer> servers;
            using (var client = context.Environment.OpenClient())
            {
                service = CliContext.RequireService(client, key);
                servers = client.GetRealServers(key);
            }

            var view = ViewMapper.Service(service, IpvsOrder.Servers(servers), withStats);
            OutputWriter.Write(
                context.Console.Out,
                parseResult.GetValue(context.Output),
                view,
                CliJsonContext.Default.ServiceView,
                output =>
                {
                    Tables.Services(output, [view], withStats);
                    if (view.Servers.Count > 0)
                    {
                        output.WriteLine();
                        Tables.Servers(output, view.Servers, withService: false, withStats);
                    }
                });
            return 0;
        });
        return command.WithExamples("service get tcp/198.51.100.1:80", "service get --vip 198.51.100.1 --vport 80 --stats -o json");
    }

    private static CliCommand Add(CliContext context)
    {
        var command = new CliCommand("add", "Add a virtual service", "a", "new", "n", "set");
        var targets = Targets.ForService(command);
        var settings = ServiceSettings.AddTo(command);
        command.SetAction(parseResult =>
        {
            var key = targets.RequiredService(parseResult);
            var service = settings.Apply(parseResult, new VirtualService(key));
            using var client = context.Environment.OpenClient();
            context.Execute(client, [IpvsOperation.AddService(service)]);
            return 0;
        });
        return command
            .WithNotes(
                "A service is persistent when --timeout, --persistent (an engine) or a netmask other than the default is given; the default timeout is 360 seconds. Port 0 (every port) needs persistence; --ops is for UDP and firewall-mark services only.")
            .WithExamples(
                "service add tcp/198.51.100.1:80 -s rr",
                "service add udp/[2001:db8::1]:53 --ops",
                "service add tcp/198.51.100.1:443 -s sh -b sh-port --timeout 600 --netmask 24",
                "service add fwmark/42 -s wlc",
                "service add --vip 198.51.100.1 --vport 80 --proto tcp --sched rr   (ipvsctl's form)");
    }

    private static CliCommand Update(CliContext context)
    {
        var command = new CliCommand("update", "Change a service's scheduler, flags or persistence; what is not given stays", "u", "up");
        var targets = Targets.ForService(command);
        var settings = ServiceSettings.AddTo(command);
        command.SetAction(parseResult =>
        {
            var key = targets.RequiredService(parseResult);
            if (!settings.AnyGiven(parseResult))
            {
                throw new UsageException("nothing to update: give --scheduler, --sched-flags, --persistent, --timeout, --netmask or --ops");
            }

            using var client = context.Environment.OpenClient();
            var current = CliContext.RequireService(client, key);
            context.Execute(client, [IpvsOperation.UpdateService(settings.Apply(parseResult, current))]);
            return 0;
        });
        return command.WithExamples(
            "service update tcp/198.51.100.1:80 -s wrr",
            "service update tcp/198.51.100.1:80 --timeout 0   (no longer persistent)",
            "service update udp/198.51.100.1:53 --ops false");
    }

    private static CliCommand Delete(CliContext context)
    {
        var command = new CliCommand("del", "Delete a service; asks first when it still has real servers", "d", "delete");
        var targets = Targets.ForService(command);
        var yes = CliOptions.Yes();
        command.Options.Add(yes);
        command.SetAction(parseResult =>
        {
            var key = targets.RequiredService(parseResult);
            using var client = context.Environment.OpenClient();
            var servers = client.GetRealServers(key);
            if (servers.Count > 0)
            {
                Confirmation.Require(
                    context.Console,
                    parseResult.GetValue(yes),
                    $"Service {key} has {servers.Count} real server{(servers.Count == 1 ? string.Empty : "s")}: delete it with them?");
            }

            context.Execute(client, [IpvsOperation.DeleteService(key)]);
            return 0;
        });
        return command.WithExamples("service del tcp/198.51.100.1:80", "service del tcp/198.51.100.1:80 --yes   (even with real servers, without asking)");
    }

    private static CliCommand Zero(CliContext context)
    {
        var command = new CliCommand("zero", "Zero the counters of one service and its real servers", "z");
        var targets = Targets.ForService(command);
        command.SetAction(parseResult =>
        {
            var key = targets.RequiredService(parseResult);
            using var client = context.Environment.OpenClient();
            context.Execute(client, [IpvsOperation.ZeroCounters(key)]);
            return 0;
        });
        return command.WithExamples("service zero tcp/198.51.100.1:80");
    }
}
