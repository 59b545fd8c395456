using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Ipvs.Model;

namespace Ipvs.Cli.Care;

/// <summary>
/// The masquerade rules of link mode, in nftables: packets to a virtual server get the mark bit
/// (prerouting and output, so the node's own traffic too), and marked packets are masqueraded
/// on the way out — lvscare's VIRTUAL-SERVICES / VIRTUAL-MARK-MASQ / VIRTUAL-POSTROUTING chains,
/// as one table applied atomically with <c>nft -f -</c>.
/// </summary>
internal static class Nftables
{
    public const string Family = "inet";
    public const string Table = "ipvs-care";

    private static readonly string[] s_paths = ["/usr/sbin/nft", "/sbin/nft", "/usr/bin/nft", "/bin/nft"];

    /// <summary>The ruleset: replaces the table as a whole (creating it first makes the delete safe).</summary>
    public static string Ruleset(IEnumerable<VirtualServiceKey> services, uint mark)
    {
        var markText = "0x" + mark.ToString("x8", CultureInfo.InvariantCulture);
        var matches = new List<string>();
        foreach (var key in services)
        {
            if (key.IsFirewallMark || key.Address is null)
            {
                continue;
            }

            var family = key.Address.AddressFamily == AddressFamily.InterNetworkV6 ? "ip6" : "ip";
            var protocol = key.Protocol switch
            {
                IpvsProtocol.Udp => "udp",
                IpvsProtocol.Sctp => "sctp",
                _ => "tcp",
            };
            var port = key.Port == 0 ? string.Empty : $" {protocol} dport {key.Port.ToString(CultureInfo.InvariantCulture)}";
            var l4 = key.Port == 0 ? $" meta l4proto {protocol}" : string.Empty;
            matches.Add($"{family} daddr {key.Address}{l4}{port} meta mark set meta mark | {markText}");
        }

        var text = new StringBuilder();
        text.Append("table ").Append(Family).Append(' ').Append(Table).Append('\n');
        text.Append("delete table ").Append(Family).Append(' ').Append(Table).Append('\n');
        text.Append("table ").Append(Family).Append(' ').Append(Table).Append(" {\n");
        foreach (var (chain, hook) in new[] { ("prerouting", "prerouting"), ("output", "output") })
        {
            text.Append("\tchain ").Append(chain).Append(" {\n");
            text.Append("\t\ttype nat hook ").Append(hook).Append(" priority -100; policy accept;\n");
            foreach (var match in matches)
            {
                text.Append("\t\t").Append(match).Append('\n');
            }

            text.Append("\t}\n");
        }

        text.Append("\tchain postrouting {\n");
        text.Append("\t\ttype nat hook postrouting priority 100; policy accept;\n");
        text.Append("\t\tmeta mark & ").Append(markText).Append(" == ").Append(markText).Append(" masquerade fully-random\n");
        text.Append("\t}\n");
        text.Append("}\n");
        return text.ToString();
    }

    /// <summary>Removes the table if it exists.</summary>
    public static string DeleteRuleset() => $"table {Family} {Table}\ndelete table {Family} {Table}\n";

    /// <summary>Runs <c>nft -f -</c> with <paramref name="ruleset"/> on standard input.</summary>
    /// <exception cref="InvalidOperationException">nft is missing or refused the rules; the message has its error.</exception>
    public static void Apply(string ruleset)
    {
        var nft = Array.Find(s_paths, File.Exists)
            ?? throw new InvalidOperationException("link mode needs nft (the nftables package) to install its masquerade rules, and it was not found");
        var start = new ProcessStartInfo(nft)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("-f");
        start.ArgumentList.Add("-");
        using var process = Process.Start(start) ?? throw new InvalidOperationException("nft could not be started");
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        process.StandardInput.Write(ruleset);
        process.StandardInput.Close();
        process.WaitForExit();
        var error = stderr.GetAwaiter().GetResult().Trim();
        _ = stdout.GetAwaiter().GetResult();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"nft refused the masquerade rules (exit {process.ExitCode}): {error}");
        }
    }

    /// <summary>True when the table is installed (asked over nfnetlink, without running nft).</summary>
    public static bool IsInstalled() => Ipvs.Netlink.Netfilter.NftablesTables.Exists(Ipvs.Netlink.Netfilter.NftablesTables.FamilyInet, Table);

    internal static IPAddress[] Addresses(IEnumerable<VirtualServiceKey> services) =>
        services.Where(k => k.Address is not null).Select(k => k.Address!).Distinct().ToArray();
}
