using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Ipvs.Cli.Common;
using Ipvs.Cli.Output;
using Ipvs.Ha;
using Ipvs.Model;
using Ipvs.State;

namespace Ipvs.Cli.Ha;

/// <summary><c>ipvs ha</c>: a pair of directors (keepalived's VRRP, ipvs for everything else; docs/ha.md).</summary>
internal static class HaCommands
{
    public static CliCommand Build(CliContext context)
    {
        var family = new CliCommand("ha", "Highly available directors: keepalived's configuration for a node, the role hook, the pair's status");
        family.Subcommands.Add(KeepalivedConfig(context));
        family.Subcommands.Add(Status(context));
        family.Subcommands.Add(Notify(context));
        return family.WithExamples(
            "ha keepalived-config -f /etc/ipvs/services.yaml > /etc/keepalived/keepalived.conf",
            "ha status -f /etc/ipvs/services.yaml",
            "ha status -f /etc/ipvs/services.yaml -o json");
    }

    private static Option<string> FileOption() => new("--file", "-f")
    {
        Description = "The declarative file with the ha section (docs/ha.md).",
        Required = true,
        HelpName = "FILE",
    };

    private static Option<string?> NodeOption() => new("--node")
    {
        Description = "Which node of the ha section this is (default: the node whose address is local here, else the host name).",
        HelpName = "NAME",
    };

    private static Option<string?> RunDirectoryOption() => new("--run-dir")
    {
        Description = "Where the role, track and status files are (default /run/ipvs).",
        HelpName = "DIR",
    };

    private static CliCommand KeepalivedConfig(CliContext context)
    {
        var command = new CliCommand("keepalived-config", "Print the keepalived.conf of a node: VRRP only, with the notify hook and the track file ipvs needs");
        var file = FileOption();
        var node = NodeOption();
        var runDirectory = RunDirectoryOption();
        command.Options.Add(file);
        command.Options.Add(node);
        command.Options.Add(runDirectory);
        command.SetAction(parseResult =>
        {
            var error = context.Console.Error;
            if (Read(parseResult.GetValue(file)!, error) is not { } read)
            {
                return 2;
            }

            var (config, ha) = read;
            var self = HaFollower.ResolveNode(ha, parseResult.GetValue(node), out var nodeError, "--node");
            if (self is null)
            {
                error.WriteLine("ipvs: " + nodeError);
                return 2;
            }

            var binary = Environment.ProcessPath ?? "/usr/sbin/ipvs";
            if (binary.Any(c => char.IsWhiteSpace(c) || c is '"' or '\'' or '\\'))
            {
                error.WriteLine($"ipvs: the binary's path '{binary}' has a space or quote, which keepalived's notify line cannot carry; install ipvs elsewhere (/usr/sbin/ipvs)");
                return 2;
            }

            var paths = new HaPaths(parseResult.GetValue(runDirectory) ?? HaPaths.DefaultRunDirectory, ha.Instance, self.Name);
            context.Console.Out.Write(KeepalivedConfigWriter.Write(ha, self, paths, binary, config.Source));
            return 0;
        });
        return command.WithExamples(
            "ha keepalived-config -f /etc/ipvs/services.yaml > /etc/keepalived/keepalived.conf",
            "ha keepalived-config -f services.yaml --node lb2");
    }

    private static CliCommand Notify(CliContext context)
    {
        var command = new CliCommand("notify", "keepalived's notify hook: records a VRRP transition in the role file (keepalived passes TYPE NAME STATE PRIORITY)");
        var node = new Option<string>("--node") { Description = "This node's name.", Required = true, HelpName = "NAME" };
        var instance = new Option<string?>("--instance") { Description = "The ha instance (default: the NAME keepalived passes).", HelpName = "NAME" };
        var runDirectory = RunDirectoryOption();
        var words = new Argument<string[]>("keepalived-arguments") { Arity = ArgumentArity.OneOrMore, Description = "TYPE NAME STATE PRIORITY, as keepalived passes them" };
        command.Options.Add(node);
        command.Options.Add(instance);
        command.Options.Add(runDirectory);
        command.Arguments.Add(words);
        command.SetAction(parseResult =>
        {
            var error = context.Console.Error;
            var args = parseResult.GetValue(words) ?? [];
            if (args.Length < 3 || !HaRole.TryParseState(args[2], out var state))
            {
                error.WriteLine($"ipvs ha notify: expected TYPE NAME STATE [PRIORITY] (MASTER, BACKUP, FAULT or STOP), not '{string.Join(' ', args)}'");
                return 2;
            }

            var priority = 0;
            if (args.Length > 3 && !int.TryParse(args[3], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out priority))
            {
                error.WriteLine($"ipvs ha notify: priority '{args[3]}' is not a number");
                return 2;
            }

            var name = parseResult.GetValue(instance) ?? args[1];
            var nodeName = parseResult.GetValue(node)!;
            if (!IsSafeName(name) || !IsSafeName(nodeName))
            {
                error.WriteLine($"ipvs ha notify: instance '{name}' and node '{nodeName}' must be letters, digits, '_', '-' or '.'");
                return 2;
            }

            var paths = new HaPaths(parseResult.GetValue(runDirectory) ?? HaPaths.DefaultRunDirectory, name, nodeName);
            paths.WriteRole(new HaRole(state, priority, DateTimeOffset.UtcNow));
            return 0;
        });
        return command.WithExamples("ha notify --node lb1 INSTANCE VI_IPVS MASTER 150");
    }

    private static bool IsSafeName(string name) =>
        name.Length is > 0 and <= 64 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.');

    private static CliCommand Status(CliContext context)
    {
        var command = new CliCommand("status", "The pair's status: each node's role and since when, its priority and why, its sync daemons", "st");
        var file = FileOption();
        var node = NodeOption();
        var runDirectory = RunDirectoryOption();
        command.Options.Add(file);
        command.Options.Add(node);
        command.Options.Add(runDirectory);
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var error = context.Console.Error;
            if (Read(parseResult.GetValue(file)!, error) is not { } read)
            {
                return 2;
            }

            var ha = read.Ha;
            var self = HaFollower.ResolveNode(ha, parseResult.GetValue(node), out var nodeError, "--node");
            if (self is null)
            {
                error.WriteLine("ipvs: " + nodeError);
                return 2;
            }

            var paths = new HaPaths(parseResult.GetValue(runDirectory) ?? HaPaths.DefaultRunDirectory, ha.Instance, self.Name);
            var rows = new List<(HaNode Node, HaStatus? Status, string? Problem)> { (self, await LocalStatusAsync(ha, self, paths, context).ConfigureAwait(false), null) };
            foreach (var peer in ha.PeersOf(self))
            {
                var (status, problem) = ha.StatusPort == 0
                    ? (null, "status-port is 0: not served")
                    : await FetchAsync(peer, ha.StatusPort, cancellationToken).ConfigureAwait(false);
                rows.Add((peer, status, problem));
            }

            Print(context, parseResult.GetValue(context.Output), ha, rows);
            return 0;
        });
        return command.WithExamples("ha status -f /etc/ipvs/services.yaml", "ha status -f services.yaml -o json");
    }

    /// <summary>This node's status: the daemon's status file while it runs, else what the kernel and the role file say.</summary>
    private static async Task<HaStatus> LocalStatusAsync(HaConfig ha, HaNode self, HaPaths paths, CliContext context)
    {
        try
        {
            if (File.Exists(paths.StatusFile) && HaStatus.FromJson(await File.ReadAllTextAsync(paths.StatusFile).ConfigureAwait(false)) is { } written
                && written.ProcessId > 0 && Directory.Exists("/proc/" + written.ProcessId.ToString(CultureInfo.InvariantCulture)))
            {
                return written;
            }
        }
        catch (IOException)
        {
        }

        IReadOnlyList<SyncDaemon> daemons = [];
        string? problem = null;
        try
        {
            using var client = context.Environment.OpenClient();
            daemons = client.GetSyncDaemons();
        }
        catch (IpvsException e)
        {
            problem = e.Message;
        }

        return HaStatus.For(ha, self, paths.ReadRole(), paths.ReadTrack() ?? 0, DateTimeOffset.UtcNow) with
        {
            HeldAddresses = HaFollower.HeldAddresses(ha),
            SyncDaemons = daemons,
            SyncProblem = problem ?? "no ipvs daemon runs for this node (ipvs care -f or ipvs apply --watch)",
        };
    }

    /// <summary><c>GET /ha</c> from a peer's daemon (one second at most).</summary>
    private static async Task<(HaStatus? Status, string? Problem)> FetchAsync(HaNode peer, ushort port, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(1));
        try
        {
            using var socket = new Socket(peer.Address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(new IPEndPoint(peer.Address, port), timeout.Token).ConfigureAwait(false);
            var host = AddressPort.Format(peer.Address, port);
            await socket.SendAsync(Encoding.ASCII.GetBytes($"GET /ha HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"), SocketFlags.None, timeout.Token).ConfigureAwait(false);
            var buffer = new byte[64 << 10];
            var length = 0;
            while (length < buffer.Length)
            {
                var read = await socket.ReceiveAsync(buffer.AsMemory(length), SocketFlags.None, timeout.Token).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                length += read;
            }

            var text = Encoding.UTF8.GetString(buffer, 0, length);
            var body = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (!text.StartsWith("HTTP/1.1 200", StringComparison.Ordinal) || body < 0)
            {
                return (null, $"http://{host}/ha did not answer 200");
            }

            return HaStatus.FromJson(text[(body + 4)..]) is { } status ? (status, null) : (null, $"http://{host}/ha answered something else than a status");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (null, $"no answer from {AddressPort.Format(peer.Address, port)} within 1s");
        }
        catch (SocketException e)
        {
            return (null, $"{AddressPort.Format(peer.Address, port)}: {e.Message}");
        }
    }

    private static void Print(CliContext context, OutputFormat format, HaConfig ha, List<(HaNode Node, HaStatus? Status, string? Problem)> rows)
    {
        var output = context.Console.Out;
        if (format is OutputFormat.Json or OutputFormat.Yaml)
        {
            using var buffer = new MemoryStream();
            using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
            {
                json.WriteStartObject();
                json.WriteString("instance", ha.Instance);
                json.WriteStartArray("nodes");
                foreach (var (node, status, problem) in rows)
                {
                    if (status is not null)
                    {
                        status.WriteTo(json);
                    }
                    else
                    {
                        json.WriteStartObject();
                        json.WriteString("node", node.Name);
                        json.WriteString("address", node.Address.ToString());
                        json.WriteString("problem", problem);
                        json.WriteEndObject();
                    }
                }

                json.WriteEndArray();
                json.WriteEndObject();
            }

            var text = Encoding.UTF8.GetString(buffer.ToArray());
            if (format == OutputFormat.Json)
            {
                output.WriteLine(text);
            }
            else
            {
                using var document = JsonDocument.Parse(text);
                output.Write(YamlWriter.Write(document.RootElement));
            }

            return;
        }

        var now = DateTimeOffset.UtcNow;
        var table = new TextTable().Column("NODE").Column("ADDRESS").Column("ROLE").Column("SINCE").Column("PRIORITY", numeric: true).Column("SYNC").Column("ADDRESSES HELD");
        foreach (var (node, status, problem) in rows)
        {
            if (status is null)
            {
                table.Row(node.Name, node.Address.ToString(), "?", "-", Tables.Number(node.Priority), "?", problem ?? "-");
                continue;
            }

            var since = status.RoleSince is { } s ? ConfigValues.FormatDuration(now - s) + " ago" : "-";
            var priority = status.EffectivePriority == status.BasePriority
                ? status.EffectivePriority.ToString(CultureInfo.InvariantCulture)
                : $"{status.EffectivePriority} (of {status.BasePriority})";
            var sync = status.SyncDaemons.Count == 0
                ? "none"
                : string.Join("+", status.SyncDaemons.OrderBy(d => d.State).Select(d => IpvsNames.Name(d.State)));
            table.Row(node.Name, node.Address.ToString(), HaRole.Name(status.Role), since, priority, sync,
                status.HeldAddresses.Count == 0 ? "-" : string.Join(",", status.HeldAddresses));
        }

        table.Write(output);
        foreach (var (node, status, problem) in rows)
        {
            if (status is null)
            {
                continue;
            }

            foreach (var down in status.DownServices)
            {
                output.WriteLine($"{node.Name}: priority lowered by {ha.Health.Penalty}: {down}");
            }

            if (status.SyncProblem is { } syncProblem)
            {
                output.WriteLine($"{node.Name}: {syncProblem}");
            }
        }
    }

    /// <summary>Reads the file with its ha section; prints the diagnostics; null when refused or without an ha section.</summary>
    internal static (IpvsConfig Config, HaConfig Ha)? Read(string file, TextWriter error)
    {
        var result = HaSectionReader.ReadFile(file);
        State.StateCommand.PrintDiagnostics(result, file, error);
        if (result.Config is not { } config)
        {
            return null;
        }

        if (HaSectionReader.Of(config) is not { } ha)
        {
            error.WriteLine($"ipvs: {file} has no ha section (docs/ha.md)");
            return null;
        }

        return (config, ha);
    }
}
