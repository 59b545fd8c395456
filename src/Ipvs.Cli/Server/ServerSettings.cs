using System.CommandLine;
using System.Net;
using Ipvs.Cli.Common;
using Ipvs.Model;

namespace Ipvs.Cli.Server;

/// <summary>The options that set a real server up (forwarding, weight, thresholds, tunnel) and ipvsadm's rules for them.</summary>
internal sealed class ServerSettings
{
    private ServerSettings()
    {
        Forward = CliOptions.Choice(
            "--forward",
            "Forwarding: dr (direct routing, the default), masq (NAT), tun (tunnel), local, bypass, fnat (FULLNAT kernels only); mask is read as masq",
            [.. IpvsNames.ForwardingMethods.Select(f => f.Cli)],
            [.. IpvsNames.ForwardingMethods.SelectMany(f => f.CliAliases)],
            "--fwd");
        Weight = CliOptions.Number("--weight", 0, int.MaxValue, "Scheduling weight, 0 to 2147483647 (default 1; 0 stops new connections)", "weight", "-w");
        Upper = CliOptions.Number("--upper-threshold", 0, int.MaxValue, "Upper connection threshold; 0 means none", "connections", "--u-threshold", "-x");
        Lower = CliOptions.Number("--lower-threshold", 0, int.MaxValue, "Lower connection threshold (at most the upper one)", "connections", "--l-threshold", "-y");
        TunnelType = CliOptions.Choice("--tun-type", "Tunnel encapsulation with --fwd tun: ipip (default), gue, gre", [.. IpvsNames.TunnelTypes]);
        TunnelPort = CliOptions.Number("--tun-port", 1, 65535, "GUE tunnel's UDP port (required with --tun-type gue)", "port");
        NoChecksum = new Option<bool>("--tun-nocsum") { Description = "Tunnel without checksum (GUE, GRE; the default)" };
        Checksum = new Option<bool>("--tun-csum") { Description = "Tunnel with checksum (GUE, GRE)" };
        RemoteChecksum = new Option<bool>("--tun-remcsum") { Description = "Tunnel with remote checksum offload (GUE)" };
    }

    public Option<string?> Forward { get; }

    public Option<long?> Weight { get; }

    public Option<long?> Upper { get; }

    public Option<long?> Lower { get; }

    public Option<string?> TunnelType { get; }

    public Option<long?> TunnelPort { get; }

    public Option<bool> NoChecksum { get; }

    public Option<bool> Checksum { get; }

    public Option<bool> RemoteChecksum { get; }

    private Option[] All => [Forward, Weight, Upper, Lower, TunnelType, TunnelPort, NoChecksum, Checksum, RemoteChecksum];

    private Option[] TunnelOptions => [TunnelType, TunnelPort, NoChecksum, Checksum, RemoteChecksum];

    /// <summary>The method <c>--forward</c> names; the option's choices have already refused other words.</summary>
    private static ForwardingMethod ParseForward(string word) =>
        IpvsNames.ParseCliForwarding(word)
        ?? throw new UsageException($"--forward: '{word}' is not a forwarding method: expected dr, masq, tun, local, bypass or fnat");

    public static ServerSettings AddTo(Command command)
    {
        var settings = new ServerSettings();
        foreach (var option in settings.All)
        {
            command.Options.Add(option);
        }

        return settings;
    }

    public bool AnyGiven(ParseResult parseResult) => All.Any(o => CliOptions.IsGiven(parseResult, o));

    /// <summary>The server with the given settings applied on top of <paramref name="current"/>, checked against the service.</summary>
    public RealServer Apply(ParseResult parseResult, VirtualServiceKey service, RealServer current)
    {
        var forward = parseResult.GetValue(Forward) is { } word ? ParseForward(word) : current.ForwardingMethod;
        var tunnelGiven = TunnelOptions.Any(o => CliOptions.IsGiven(parseResult, o));
        if (tunnelGiven && forward != ForwardingMethod.Tunnel)
        {
            throw new UsageException("tunnel options (--tun-type, --tun-port, --tun-*csum) need --forward tun");
        }

        var server = current with
        {
            ForwardingMethod = forward,
            Weight = parseResult.GetValue(Weight) is { } weight ? (int)weight : current.Weight,
            UpperThreshold = parseResult.GetValue(Upper) is { } upper ? (uint)upper : current.UpperThreshold,
            LowerThreshold = parseResult.GetValue(Lower) is { } lower ? (uint)lower : current.LowerThreshold,
            Statistics = null,
        };
        if (server.LowerThreshold > server.UpperThreshold)
        {
            throw new UsageException(
                $"the lower threshold {server.LowerThreshold} is above the upper threshold {server.UpperThreshold}: the kernel requires lower <= upper (give --upper-threshold too)");
        }

        if (forward != ForwardingMethod.Tunnel)
        {
            server = server with { TunnelType = Model.TunnelType.Ipip, TunnelPort = 0, TunnelFlags = TunnelFlags.NoChecksum };
        }
        else if (tunnelGiven)
        {
            server = ApplyTunnel(parseResult, server);
        }

        if (server.Family != service.Family && forward != ForwardingMethod.Tunnel)
        {
            throw new UsageException(
                $"real server {server.Endpoint} is {CliParse.FamilyName(server.Family)} but service {service} is {CliParse.FamilyName(service.Family)}: only tunnel forwarding (--forward tun) crosses families");
        }

        return server;
    }

    private RealServer ApplyTunnel(ParseResult parseResult, RealServer server)
    {
        var type = parseResult.GetValue(TunnelType) is { } typeName && IpvsNames.ParseTunnelType(typeName) is { } parsed ? parsed : server.TunnelType;
        var port = parseResult.GetValue(TunnelPort) is { } p ? (ushort)p : type == Model.TunnelType.Gue ? server.TunnelPort : (ushort)0;
        var checksums = new[] { (NoChecksum, TunnelFlags.NoChecksum), (Checksum, TunnelFlags.Checksum), (RemoteChecksum, TunnelFlags.RemoteChecksum) }
            .Where(c => parseResult.GetValue(c.Item1))
            .ToArray();
        if (checksums.Length > 1)
        {
            throw new UsageException("give at most one of --tun-nocsum, --tun-csum and --tun-remcsum");
        }

        var flags = checksums.Length == 1 ? checksums[0].Item2 : type == Model.TunnelType.Ipip ? TunnelFlags.NoChecksum : server.TunnelFlags;
        switch (type)
        {
            case Model.TunnelType.Ipip when port != 0 || checksums.Length > 0:
                throw new UsageException("an ipip tunnel takes no --tun-port and no checksum option");
            case Model.TunnelType.Gue when port == 0:
                throw new UsageException("a gue tunnel needs --tun-port");
            case Model.TunnelType.Gre when port != 0:
                throw new UsageException("a gre tunnel takes no --tun-port");
            case Model.TunnelType.Gre when flags == TunnelFlags.RemoteChecksum:
                throw new UsageException("--tun-remcsum is for gue tunnels only");
        }

        return server with { TunnelType = type, TunnelPort = port, TunnelFlags = flags };
    }

    /// <summary>A server to add: ipvsadm's defaults (direct routing, weight 1) and its port rules.</summary>
    public RealServer ForAdd(ParseResult parseResult, VirtualServiceKey service, IPAddress address, ushort? port, TextWriter notes)
    {
        var forward = parseResult.GetValue(Forward) is { } word ? ParseForward(word) : ForwardingMethod.DirectRoute;
        var serverPort = port ?? service.Port;
        // Direct routing and tunnels do not rewrite the port: the real server gets the service's (as ipvsadm does).
        if (!service.IsFirewallMark && forward is ForwardingMethod.DirectRoute or ForwardingMethod.Tunnel && serverPort != service.Port)
        {
            notes.WriteLine($"ipvs: note: {IpvsNames.CliName(forward)} forwarding keeps the service's port: real server {AddressPort.Format(address, serverPort)} is added as {AddressPort.Format(address, service.Port)}");
            serverPort = service.Port;
        }

        return Apply(parseResult, service, new RealServer(address, serverPort) { ForwardingMethod = forward });
    }
}
