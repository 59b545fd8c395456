using System.CommandLine;
using System.Net;
using Ipvs.Cli.Common;
using Ipvs.Cli.Output;
using Ipvs.Model;

namespace Ipvs.Cli.Address;

/// <summary>
/// <c>ipvs address</c> (a, addr, local-address, la, laddr): the local addresses of FULLNAT
/// services. Only kernels with the FULLNAT extension have them; the commands check the kernel's
/// list of IPVS operations and say so in one line on a mainline kernel.
/// </summary>
internal static class AddressCommands
{
    public static CliCommand Build(CliContext context)
    {
        var family = new CliCommand(
            "address",
            "Local addresses of a FULLNAT service (kernels with the FULLNAT extension only): list, add, delete, flush",
            "a", "addr", "local-address", "la", "laddr");
        family.Subcommands.Add(List(context));
        family.Subcommands.Add(Change(context, add: true));
        family.Subcommands.Add(Change(context, add: false));
        family.Subcommands.Add(Flush(context));
        return family.WithNotes(
            "Mainline kernels have no local addresses: there these commands print one line saying so and exit 1. The extension is detected from the operations the kernel lists for the IPVS generic netlink family (commands 18 to 20), not guessed.")
            .WithExamples("address list tcp/198.51.100.1:80", "address add tcp/198.51.100.1:80 --lip 192.0.2.100,192.0.2.101");
    }

    private static CliCommand List(CliContext context)
    {
        var command = new CliCommand("list", "List the local addresses of a service", "l", "ls");
        var targets = Targets.ForService(command);
        command.SetAction(parseResult =>
        {
            var key = targets.RequiredService(parseResult);
            IReadOnlyList<LocalAddress> addresses;
            using (var client = context.Environment.OpenClient())
            {
                RequireFullNat(client);
                CliContext.RequireService(client, key);
                addresses = client.GetLocalAddresses(key);
            }

            var view = new LocalAddressListView(key.ToString(), addresses.Select(ViewMapper.LocalAddress).ToArray());
            OutputWriter.Write(
                context.Console.Out,
                parseResult.GetValue(context.Output),
                view,
                CliJsonContext.Default.LocalAddressListView,
                output =>
                {
                    var table = new TextTable().Column("ADDRESS").Column("CONFLICTS", numeric: true).Column("CONNECTIONS", numeric: true);
                    foreach (var address in view.LocalAddresses)
                    {
                        table.Row(address.Address, Tables.Number(address.PortConflicts), Tables.Number(address.Connections));
                    }

                    table.Write(output);
                });
            return 0;
        });
        return command.WithExamples("address list tcp/198.51.100.1:80");
    }

    private static CliCommand Change(CliContext context, bool add)
    {
        var command = add
            ? new CliCommand("add", "Add local addresses to a service", "a", "new", "n", "set")
            : new CliCommand("del", "Remove local addresses from a service", "d", "delete");
        var targets = Targets.ForService(command);
        var addresses = AddressesOption();
        command.Options.Add(addresses);
        command.SetAction(parseResult =>
        {
            var key = targets.RequiredService(parseResult);
            var list = parseResult.GetValue(addresses) ?? [];
            CheckFamily(key, list);
            using var client = context.Environment.OpenClient();
            RequireFullNat(client);
            context.Execute(
                client,
                list.Select(a => add ? (IpvsOperation)IpvsOperation.AddLocalAddress(key, a) : IpvsOperation.DeleteLocalAddress(key, a)).ToArray());
            return 0;
        });
        return command.WithExamples((add ? "address add" : "address del") + " tcp/198.51.100.1:80 --lip 192.0.2.100,192.0.2.101");
    }

    private static CliCommand Flush(CliContext context)
    {
        var command = new CliCommand("flush", "Remove every local address of a service", "f", "clear", "purge");
        var targets = Targets.ForService(command);
        var yes = CliOptions.Yes();
        command.Options.Add(yes);
        command.SetAction(parseResult =>
        {
            var key = targets.RequiredService(parseResult);
            using var client = context.Environment.OpenClient();
            RequireFullNat(client);
            Confirmation.Require(context.Console, parseResult.GetValue(yes), $"Remove every local address of service {key}?");
            var addresses = client.GetLocalAddresses(key);
            context.Execute(client, addresses.Select(a => (IpvsOperation)IpvsOperation.DeleteLocalAddress(key, a.Address)).ToArray());
            return 0;
        });
        return command.WithExamples("address flush tcp/198.51.100.1:80 --yes");
    }

    private static Option<IReadOnlyList<IPAddress>> AddressesOption()
    {
        var option = CliOptions.AddressList("--lip", "Local addresses, comma-separated or repeated");
        option.Required = true;
        return option;
    }

    private static void CheckFamily(VirtualServiceKey key, IReadOnlyList<IPAddress> addresses)
    {
        foreach (var address in addresses.Where(a => a.AddressFamily != key.Family))
        {
            throw new UsageException($"local address {address} is {CliParse.FamilyName(address.AddressFamily)} but service {key} is {CliParse.FamilyName(key.Family)}");
        }
    }

    private static void RequireFullNat(IpvsClient client)
    {
        if (!client.SupportsLocalAddresses)
        {
            throw new CliOperationException(
                "local addresses need a kernel with the FULLNAT extension; this kernel's IPVS has none (its generic netlink family lists no local-address commands)");
        }
    }
}
