using System.CommandLine;
using System.Globalization;
using System.Net;
using Ipvs.Model;

namespace Ipvs.Cli.Common;

/// <summary>
/// How a command names its service, and for server commands its real server: positionally in the
/// compact form (<c>tcp/198.51.100.1:80 192.0.2.10:8080</c>) or with ipvsctl's options
/// (<c>--vip --vport --protocol</c>, <c>--rip --rport</c>). Positional words are told apart by
/// form: a service has a slash, a real server does not.
/// </summary>
internal sealed class Targets
{
    private readonly bool _withServer;

    private Targets(bool withServer, bool vipRequiresPort)
    {
        _withServer = withServer;
        VipRequiresPort = vipRequiresPort;
        Positional = new Argument<string[]>(withServer ? "service> <server" : "service")
        {
            Description = withServer
                ? "The service (tcp/ADDRESS:PORT, udp/…, sctp/…, fwmark/MARK, fwmark6/MARK) and the real server (ADDRESS[:PORT], [IPV6]:PORT); or use the options"
                : "The service: tcp/ADDRESS:PORT, udp/ADDRESS:PORT, sctp/ADDRESS:PORT, fwmark/MARK or fwmark6/MARK (IPv6 in brackets: udp/[2001:db8::1]:53); or use --vip/--vport/--protocol",
            Arity = new ArgumentArity(0, withServer ? 2 : 1),
            CustomParser = result =>
            {
                foreach (var token in result.Tokens)
                {
                    if (token.Value.StartsWith('-'))
                    {
                        result.AddError($"unknown option '{token.Value}'");
                    }
                }

                return result.Tokens.Select(t => t.Value).ToArray();
            },
        };
        Vip = CliOptions.Address("--vip", "The virtual service's address (ipvsctl form; with --vport)");
        Vport = CliOptions.Port("--vport", "The virtual service's port, 0 to 65535 (ipvsctl form; with --vip)");
        Protocol = CliOptions.Choice("--protocol", "The virtual service's protocol with --vip (default tcp)", [.. IpvsNames.Protocols.Select(p => p.Name)], "--proto");
        if (withServer)
        {
            Rip = CliOptions.Address("--rip", "The real server's address (ipvsctl form)");
            Rport = CliOptions.Port("--rport", "The real server's port (default: the service's port)");
        }
    }

    public Argument<string[]> Positional { get; }

    public Option<IPAddress?> Vip { get; }

    public Option<long?> Vport { get; }

    public Option<string?> Protocol { get; }

    public Option<IPAddress?>? Rip { get; }

    public Option<long?>? Rport { get; }

    /// <summary>False for filters (connection show), where --vip alone matches every port.</summary>
    public bool VipRequiresPort { get; }

    /// <summary>Adds the service argument and options to a command.</summary>
    public static Targets ForService(Command command, bool vipRequiresPort = true) => Add(command, new Targets(false, vipRequiresPort));

    /// <summary>Adds the service and real-server arguments and options to a command.</summary>
    public static Targets ForServer(Command command) => Add(command, new Targets(true, vipRequiresPort: true));

    /// <summary>The service, or null when none was named.</summary>
    public VirtualServiceKey? Service(ParseResult parseResult)
    {
        var (serviceWord, _) = Words(parseResult);
        var vip = parseResult.GetValue(Vip);
        var vport = parseResult.GetValue(Vport);
        var protocol = parseResult.GetValue(Protocol);
        if (serviceWord is not null)
        {
            if (vip is not null || vport is not null || protocol is not null)
            {
                throw new UsageException($"the service is given twice: as '{serviceWord}' and with --vip/--vport/--protocol; use one form");
            }

            return VirtualServiceKey.TryParse(serviceWord, out var key, out var error)
                ? key
                : throw new UsageException(error);
        }

        if (vip is null)
        {
            if (vport is not null || protocol is not null)
            {
                throw new UsageException("--vport and --protocol need --vip (or name the service as tcp/ADDRESS:PORT)");
            }

            return null;
        }

        if (vport is null)
        {
            if (VipRequiresPort)
            {
                throw new UsageException($"--vip {vip} needs --vport (or name the service as tcp/{AddressPort.Format(vip, 80)})");
            }

            return null;
        }

        // The option's choices have already refused other words; no --protocol means tcp.
        var ipvsProtocol = protocol is not null && IpvsNames.ParseProtocol(protocol) is var p and not IpvsProtocol.None ? p : IpvsProtocol.Tcp;
        return VirtualServiceKey.Create(ipvsProtocol, vip, (ushort)vport.Value);
    }

    /// <summary>The service; a usage error when none was named.</summary>
    public VirtualServiceKey RequiredService(ParseResult parseResult) =>
        Service(parseResult) ?? throw new UsageException(
            "no service given: name it as tcp/ADDRESS:PORT, udp/ADDRESS:PORT, sctp/ADDRESS:PORT or fwmark/MARK, or with --vip and --vport");

    /// <summary>The real server's address and port (null when the port was not given); a usage error when no server was named.</summary>
    public (IPAddress Address, ushort? Port) RequiredServer(ParseResult parseResult)
    {
        var (_, serverWord) = Words(parseResult);
        var rip = parseResult.GetValue(Rip!);
        var rport = parseResult.GetValue(Rport!);
        if (serverWord is not null)
        {
            if (rip is not null || rport is not null)
            {
                throw new UsageException($"the real server is given twice: as '{serverWord}' and with --rip/--rport; use one form");
            }

            if (AddressPort.TryParse(serverWord, out var address, out var port, out _))
            {
                return (address, port);
            }

            return CliParse.TryAddress(serverWord, out address, out var error)
                ? (address, null)
                : throw new UsageException($"real server {error}: expected ADDRESS, ADDRESS:PORT or [IPV6]:PORT");
        }

        if (rip is null)
        {
            throw new UsageException(rport is null
                ? "no real server given: name it as ADDRESS[:PORT] ([IPV6]:PORT) or with --rip and --rport"
                : "--rport needs --rip (or name the real server as ADDRESS:PORT)");
        }

        return (rip, rport is null ? null : (ushort)rport.Value);
    }

    /// <summary>The vip filter of connection show, when given without a port.</summary>
    public IPAddress? VipOnly(ParseResult parseResult) => parseResult.GetValue(Vip);

    /// <summary>The vport filter of connection show.</summary>
    public ushort? VportOnly(ParseResult parseResult) => parseResult.GetValue(Vport) is { } port ? (ushort)port : null;

    private static Targets Add(Command command, Targets targets)
    {
        command.Arguments.Add(targets.Positional);
        command.Options.Add(targets.Vip);
        command.Options.Add(targets.Vport);
        command.Options.Add(targets.Protocol);
        if (targets.Rip is not null && targets.Rport is not null)
        {
            command.Options.Add(targets.Rip);
            command.Options.Add(targets.Rport);
        }

        return targets;
    }

    private (string? Service, string? Server) Words(ParseResult parseResult)
    {
        string? service = null, server = null;
        foreach (var word in parseResult.GetValue(Positional) ?? [])
        {
            if (word.Contains('/', StringComparison.Ordinal))
            {
                service = service is null ? word : throw new UsageException($"two services given: '{service}' and '{word}'");
            }
            else if (_withServer)
            {
                server = server is null ? word : throw new UsageException($"two real servers given: '{server}' and '{word}'");
            }
            else
            {
                throw new UsageException($"'{word}' is not a service: expected tcp/ADDRESS:PORT, udp/ADDRESS:PORT, sctp/ADDRESS:PORT or fwmark/MARK");
            }
        }

        return (service, server);
    }

    /// <summary>A port for messages.</summary>
    public static string PortText(ushort port) => port.ToString(CultureInfo.InvariantCulture);
}
