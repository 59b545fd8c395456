using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Ipvs.Model;

namespace Ipvs.Cli.Care;

/// <summary>
/// The masquerade rules of link mode: packets to a virtual server get the mark bit (at
/// prerouting and at output, so the node's own traffic too), and marked packets are
/// masqueraded on the way out — lvscare's VIRTUAL-SERVICES / VIRTUAL-MARK-MASQ /
/// VIRTUAL-POSTROUTING chains. Written with nftables; with iptables only where the kernel's
/// nf_tables lacks the IPv4 family (some kernels, the lab's User-Mode Linux among them).
/// </summary>
internal interface IMasquerade
{
    /// <summary>The backend's name (nftables, iptables).</summary>
    string Name { get; }

    /// <summary>Installs or replaces the rules.</summary>
    void Apply();

    /// <summary>Removes the rules (absent rules are not an error).</summary>
    void Remove();

    /// <summary>True when the rules are in place.</summary>
    bool IsInstalled();
}

/// <summary>Chooses the backend and runs the tools.</summary>
internal static class Masquerade
{
    public const string Table = "ipvs-care";

    /// <summary>
    /// The backend for these services: nftables when <c>nft</c> is installed and the kernel
    /// accepts the rules (checked with <c>nft -c</c>, which changes nothing), else iptables.
    /// </summary>
    /// <exception cref="InvalidOperationException">Neither works; the message says why.</exception>
    public static IMasquerade Select(IReadOnlyList<VirtualServiceKey> services, uint mark)
    {
        var nftables = new NftablesMasquerade(services, mark);
        var nftError = nftables.TryCheck();
        if (nftError is null)
        {
            return nftables;
        }

        var iptables = new IptablesMasquerade(services, mark);
        if (iptables.IsAvailable)
        {
            return iptables;
        }

        throw new InvalidOperationException("link mode cannot install its masquerade rules: " + nftError + "; and iptables is not installed either");
    }

    /// <summary>The first of <paramref name="names"/> found in the usual directories, or null.</summary>
    public static string? Find(params string[] names)
    {
        foreach (var name in names)
        {
            foreach (var directory in new[] { "/usr/sbin", "/sbin", "/usr/bin", "/bin" })
            {
                var path = Path.Combine(directory, name);
                if (File.Exists(path))
                {
                    return path;
                }
            }
        }

        return null;
    }

    /// <summary>Runs a tool with an argument array (never a shell); returns its exit code and standard error.</summary>
    public static (int ExitCode, string Error) Run(string program, IEnumerable<string> arguments, string? input = null)
    {
        var status = Ipvs.Kernel.ChildProcess.Run(program, [.. arguments], input, captureError: true, out var standardError, out var error);
        return status < 0
            ? throw new InvalidOperationException(program + " could not be started: " + error)
            : (status, standardError.Trim());
    }

    internal static string MarkText(uint mark) => "0x" + mark.ToString("x8", CultureInfo.InvariantCulture);

    internal static string Protocol(VirtualServiceKey key) => IpvsNames.Find(key.Protocol)?.Name ?? IpvsNames.Find(IpvsProtocol.Tcp)!.Name;

    internal static IEnumerable<VirtualServiceKey> OfFamily(IEnumerable<VirtualServiceKey> services, AddressFamily family) =>
        services.Where(k => !k.IsFirewallMark && k.Address is not null && k.Address.AddressFamily == family);

    internal static IPAddress[] Addresses(IEnumerable<VirtualServiceKey> services) =>
        services.Where(k => k.Address is not null).Select(k => k.Address!).Distinct().ToArray();
}

/// <summary>The rules as nftables tables <c>ip ipvs-care</c> and <c>ip6 ipvs-care</c>, each replaced atomically by <c>nft -f -</c>.</summary>
internal sealed class NftablesMasquerade(IReadOnlyList<VirtualServiceKey> services, uint mark) : IMasquerade
{
    public string Name => "nftables";

    /// <summary>The ruleset: each family's table replaced as a whole (declaring it first makes the delete safe).</summary>
    public string Ruleset()
    {
        var text = new System.Text.StringBuilder();
        var markText = Masquerade.MarkText(mark);
        foreach (var (family, addressFamily) in Families())
        {
            text.Append("table ").Append(family).Append(' ').Append(Masquerade.Table).Append('\n');
            text.Append("delete table ").Append(family).Append(' ').Append(Masquerade.Table).Append('\n');
            var keys = Masquerade.OfFamily(services, addressFamily).ToList();
            if (keys.Count == 0)
            {
                continue;
            }

            text.Append("table ").Append(family).Append(' ').Append(Masquerade.Table).Append(" {\n");
            foreach (var hook in new[] { "prerouting", "output" })
            {
                text.Append("\tchain ").Append(hook).Append(" {\n");
                text.Append("\t\ttype nat hook ").Append(hook).Append(" priority -100; policy accept;\n");
                foreach (var key in keys)
                {
                    var protocol = Masquerade.Protocol(key);
                    var port = key.Port == 0 ? $" meta l4proto {protocol}" : $" {protocol} dport {key.Port.ToString(CultureInfo.InvariantCulture)}";
                    text.Append("\t\t").Append(family).Append(" daddr ").Append(key.Address).Append(port).Append(" meta mark set meta mark | ").Append(markText).Append('\n');
                }

                text.Append("\t}\n");
            }

            text.Append("\tchain postrouting {\n");
            text.Append("\t\ttype nat hook postrouting priority 100; policy accept;\n");
            text.Append("\t\tmeta mark & ").Append(markText).Append(" == ").Append(markText).Append(" masquerade fully-random\n");
            text.Append("\t}\n");
            text.Append("}\n");
        }

        return text.ToString();
    }

    /// <summary>Null when nft is installed and the kernel would accept the rules; otherwise why not.</summary>
    public string? TryCheck()
    {
        var nft = Masquerade.Find("nft");
        if (nft is null)
        {
            return "nft (nftables) is not installed";
        }

        var (code, error) = Masquerade.Run(nft, ["-c", "-f", "-"], Ruleset());
        return code == 0 ? null : "the kernel's nftables refused them: " + FirstLine(error);
    }

    public void Apply()
    {
        var (code, error) = Masquerade.Run(Nft(), ["-f", "-"], Ruleset());
        if (code != 0)
        {
            throw new InvalidOperationException($"nft refused the masquerade rules (exit {code}): {error}");
        }
    }

    public void Remove()
    {
        var text = string.Concat(Families().Select(f => $"table {f.Family} {Masquerade.Table}\ndelete table {f.Family} {Masquerade.Table}\n"));
        var (code, error) = Masquerade.Run(Nft(), ["-f", "-"], text);
        if (code != 0)
        {
            throw new InvalidOperationException($"nft could not remove the masquerade rules (exit {code}): {error}");
        }
    }

    /// <summary>Asked over nfnetlink, without running nft.</summary>
    public bool IsInstalled() => Families().Where(f => Masquerade.OfFamily(services, f.AddressFamily).Any()).All(f =>
        Ipvs.Netlink.Netfilter.NftablesTables.Exists(f.Family == "ip6" ? Ipvs.Netlink.Netfilter.NftablesTables.FamilyIpv6 : Ipvs.Netlink.Netfilter.NftablesTables.FamilyIpv4, Masquerade.Table));

    private static (string Family, AddressFamily AddressFamily)[] Families() => [("ip", AddressFamily.InterNetwork), ("ip6", AddressFamily.InterNetworkV6)];

    private static string Nft() => Masquerade.Find("nft") ?? throw new InvalidOperationException("nft (nftables) is not installed");

    private static string FirstLine(string text) => text.Split('\n')[0];
}

/// <summary>
/// The same rules with iptables (legacy), for kernels whose nf_tables has no IPv4 family:
/// chains IPVS-CARE-SERVICES (mark) and IPVS-CARE-POSTROUTING (masquerade) in the nat table,
/// jumped to from PREROUTING, OUTPUT and POSTROUTING.
/// </summary>
internal sealed class IptablesMasquerade(IReadOnlyList<VirtualServiceKey> services, uint mark) : IMasquerade
{
    private const string ServicesChain = "IPVS-CARE-SERVICES";
    private const string PostroutingChain = "IPVS-CARE-POSTROUTING";
    private static readonly (string From, string To)[] s_jumps = [("PREROUTING", ServicesChain), ("OUTPUT", ServicesChain), ("POSTROUTING", PostroutingChain)];

    public string Name => "iptables";

    public bool IsAvailable => Families().Any(f => f.Program is not null);

    public void Apply()
    {
        foreach (var (program, restore, addressFamily) in Families())
        {
            var keys = Masquerade.OfFamily(services, addressFamily).ToList();
            if (keys.Count == 0)
            {
                continue;
            }

            if (program is null || restore is null)
            {
                throw new InvalidOperationException("iptables is not installed");
            }

            var markText = Masquerade.MarkText(mark);
            var prefix = addressFamily == AddressFamily.InterNetworkV6 ? "/128" : "/32";
            var text = new System.Text.StringBuilder("*nat\n");
            text.Append(':').Append(ServicesChain).Append(" - [0:0]\n");
            text.Append(':').Append(PostroutingChain).Append(" - [0:0]\n");
            foreach (var key in keys)
            {
                var protocol = Masquerade.Protocol(key);
                text.Append("-A ").Append(ServicesChain).Append(" -d ").Append(key.Address).Append(prefix).Append(" -p ").Append(protocol);
                if (key.Port != 0)
                {
                    text.Append(" -m ").Append(protocol).Append(" --dport ").Append(key.Port.ToString(CultureInfo.InvariantCulture));
                }

                text.Append(" -j MARK --or-mark ").Append(markText).Append('\n');
            }

            text.Append("-A ").Append(PostroutingChain).Append(" -m mark --mark ").Append(markText).Append('/').Append(markText).Append(" -j MASQUERADE --random-fully\n");
            text.Append("COMMIT\n");
            var (code, error) = Masquerade.Run(restore, ["--noflush"], text.ToString());
            if (code != 0)
            {
                throw new InvalidOperationException($"{Path.GetFileName(restore)} refused the masquerade rules (exit {code}): {error}");
            }

            foreach (var (from, to) in s_jumps)
            {
                if (Masquerade.Run(program, ["-t", "nat", "-C", from, "-j", to]).ExitCode != 0)
                {
                    var (added, addError) = Masquerade.Run(program, ["-t", "nat", "-A", from, "-j", to]);
                    if (added != 0)
                    {
                        throw new InvalidOperationException($"{Path.GetFileName(program)} could not add the jump from {from} to {to}: {addError}");
                    }
                }
            }
        }
    }

    public void Remove()
    {
        foreach (var (program, _, _) in Families())
        {
            if (program is null)
            {
                continue;
            }

            foreach (var (from, to) in s_jumps)
            {
                while (Masquerade.Run(program, ["-t", "nat", "-D", from, "-j", to]).ExitCode == 0)
                {
                }
            }

            foreach (var chain in new[] { ServicesChain, PostroutingChain })
            {
                Masquerade.Run(program, ["-t", "nat", "-F", chain]);
                Masquerade.Run(program, ["-t", "nat", "-X", chain]);
            }
        }
    }

    public bool IsInstalled() => Families().Where(f => Masquerade.OfFamily(services, f.AddressFamily).Any()).All(f =>
        f.Program is not null
        && Masquerade.Run(f.Program, ["-t", "nat", "-S", PostroutingChain]).ExitCode == 0
        && s_jumps.All(j => Masquerade.Run(f.Program, ["-t", "nat", "-C", j.From, "-j", j.To]).ExitCode == 0));

    private static (string? Program, string? Restore, AddressFamily AddressFamily)[] Families() =>
    [
        (Masquerade.Find("iptables-legacy", "iptables"), Masquerade.Find("iptables-legacy-restore", "iptables-restore"), AddressFamily.InterNetwork),
        (Masquerade.Find("ip6tables-legacy", "ip6tables"), Masquerade.Find("ip6tables-legacy-restore", "ip6tables-restore"), AddressFamily.InterNetworkV6),
    ];
}
