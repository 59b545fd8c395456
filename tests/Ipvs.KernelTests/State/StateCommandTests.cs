using Ipvs.Testing;

namespace Ipvs.KernelTests.State;

/// <summary>ipvs apply, diff and export, from the native binary, against the lab kernel.</summary>
public sealed class StateCommandTests
{
    private const string Services = """
        services:
          - service: tcp/198.18.0.1:80
            scheduler: wrr
            servers:
              - 198.18.1.1:8080
              - {server: 198.18.1.2:8080, weight: 3}
          - service: udp/198.18.0.2:53
            scheduler: rr
            one-packet: true
            servers: [198.18.1.3]
        """;

    [Fact]
    public void Apply_FromEmpty_ThenAgain_IsANoOp_AndDiffIsClean()
    {
        KernelLab.Require();
        using var ns = new TestNamespace();
        using var cli = new IpvsCli(ns);
        var file = cli.Write("services.yaml", Services);

        var first = cli.Apply(file);

        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.Equal(
            """
            + service tcp/198.18.0.1:80 scheduler=wrr
            + server tcp/198.18.0.1:80 198.18.1.1:8080 forward=masq weight=1
            + server tcp/198.18.0.1:80 198.18.1.2:8080 forward=masq weight=3
            + service udp/198.18.0.2:53 scheduler=rr one-packet
            + server udp/198.18.0.2:53 198.18.1.3:53 forward=masq weight=1

            """,
            first.StandardOutput);
        Assert.Contains("applied 5 changes", first.StandardError, StringComparison.Ordinal);
        Assert.Equal(
            """
            -A -t 198.18.0.1:80 -s wrr
            -a -t 198.18.0.1:80 -r 198.18.1.1:8080 -m -w 1
            -a -t 198.18.0.1:80 -r 198.18.1.2:8080 -m -w 3
            -A -u 198.18.0.2:53 -s rr -o
            -a -u 198.18.0.2:53 -r 198.18.1.3:53 -m -w 1

            """,
            cli.Saved());

        var again = cli.Apply(file);
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Equal(string.Empty, again.StandardOutput);
        Assert.Contains("nothing to change: the kernel matches the file (2 services, 3 real servers)", again.StandardError, StringComparison.Ordinal);

        var diff = cli.Diff(file);
        Assert.True(diff.ExitCode == 0, diff.ToString());
        Assert.Equal(string.Empty, diff.StandardOutput);
    }

    [Fact]
    public void DryRun_FromStandardInput_PrintsThePlan_AndChangesNothing()
    {
        KernelLab.Require();
        using var ns = new TestNamespace();
        using var cli = new IpvsCli(ns);

        var result = HostCommand.Run(TestPaths.IpvsBinary, ["apply", "-f", "-", "--dry-run", "--netns", ns.Name], standardInput: Services);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.StartsWith("+ service tcp/198.18.0.1:80 scheduler=wrr\n", result.StandardOutput, StringComparison.Ordinal);
        Assert.Equal(5, result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Contains("dry run: 5 changes planned, none made", result.StandardError, StringComparison.Ordinal);
        Assert.Equal(string.Empty, cli.Saved());
    }

    [Fact]
    public void Diff_ShowsOneLinePerChange_AndExitsOne_WithoutChangingAnything()
    {
        KernelLab.Require();
        using var ns = new TestNamespace();
        using var cli = new IpvsCli(ns);
        ns.Ipvsadm("-A", "-t", "198.18.0.1:80", "-s", "wlc");
        ns.Ipvsadm("-a", "-t", "198.18.0.1:80", "-r", "198.18.1.1:8080", "-m", "-w", "1");
        ns.Ipvsadm("-a", "-t", "198.18.0.1:80", "-r", "198.18.1.9:8080", "-m", "-w", "1");
        var before = cli.Saved();

        var diff = cli.Diff(cli.Write("services.yaml", Services));

        Assert.True(diff.ExitCode == 1, diff.ToString());
        Assert.Equal(
            """
            ~ service tcp/198.18.0.1:80 scheduler wlc -> wrr
            + server tcp/198.18.0.1:80 198.18.1.2:8080 forward=masq weight=3
            - server tcp/198.18.0.1:80 198.18.1.9:8080 (no connections)
            + service udp/198.18.0.2:53 scheduler=rr one-packet
            + server udp/198.18.0.2:53 198.18.1.3:53 forward=masq weight=1

            """,
            diff.StandardOutput);
        Assert.Equal(before, cli.Saved());
    }

    [Fact]
    public void Export_ThenApply_IsANoOp_ForEveryKindOfSetting()
    {
        KernelLab.Require();
        using var ns = new TestNamespace();
        using var cli = new IpvsCli(ns);
        string[][] rules =
        [
            ["-A", "-t", "198.18.0.1:80", "-s", "sh", "-b", "sh-fallback,sh-port", "-p", "600", "-M", "255.255.255.0"],
            ["-a", "-t", "198.18.0.1:80", "-r", "198.18.1.1:80", "-g", "-w", "2", "-x", "100", "-y", "50"],
            ["-a", "-t", "198.18.0.1:80", "-r", "198.18.1.2:80", "-i", "--tun-type", "gue", "--tun-port", "6080", "--tun-csum"],
            ["-a", "-t", "198.18.0.1:80", "-r", "198.18.1.3:80", "-i", "--tun-type", "gre", "--tun-csum"],
            ["-a", "-t", "198.18.0.1:80", "-r", "198.18.1.4:80", "-i"],
            ["-A", "-u", "[2001:db8::1]:53", "-s", "rr", "-o"],
            ["-a", "-u", "[2001:db8::1]:53", "-r", "[2001:db8:1::1]:5353", "-m", "-w", "0"],
            ["-A", "-f", "7", "-6", "-s", "mh", "-b", "mh-port", "-p", "60", "-M", "64"],
            ["-a", "-f", "7", "-6", "-r", "[2001:db8:1::7]:0", "-g"],
            ["-A", "-u", "198.18.0.3:5060", "-p", "360", "--pe", "sip"],
            ["-a", "-u", "198.18.0.3:5060", "-r", "198.18.1.5:5060", "-m"],
            ["-A", "-t", "198.18.0.4:0", "-p", "3600", "-s", "lc"],
            ["-a", "-t", "198.18.0.4:0", "-r", "198.18.1.6:0", "-m"],
            ["-A", "--sctp-service", "198.18.0.5:9", "-s", "fo"],
        ];
        foreach (var rule in rules)
        {
            ns.Ipvsadm(rule);
        }

        var before = cli.Saved();
        foreach (var format in new[] { "yaml", "json" })
        {
            var export = cli.Export("-o", format);
            Assert.True(export.ExitCode == 0, export.ToString());
            var file = cli.Write("exported." + format, export.StandardOutput);

            var diff = cli.Diff(file, "--prune");
            Assert.True(diff.ExitCode == 0, diff + "\n" + export.StandardOutput);
            Assert.Equal(string.Empty, diff.StandardOutput);

            var apply = cli.Apply(file, "--prune");
            Assert.True(apply.ExitCode == 0, apply.ToString());
            Assert.Contains("nothing to change", apply.StandardError, StringComparison.Ordinal);
            Assert.Equal(before, cli.Saved());
        }

        // The export is also what ipvs apply rebuilds the same table from, in an empty namespace.
        using var other = new TestNamespace();
        using var otherCli = new IpvsCli(other);
        var rebuilt = otherCli.Apply(cli.Write("copy.yaml", cli.Export().StandardOutput));
        Assert.True(rebuilt.ExitCode == 0, rebuilt.ToString());
        Assert.Equal(before, otherCli.Saved());
    }

    [Fact]
    public void Prune_RemovesServicesNotInTheFile_WithoutIt_TheyStay()
    {
        KernelLab.Require();
        using var ns = new TestNamespace();
        using var cli = new IpvsCli(ns);
        ns.Ipvsadm("-A", "-t", "198.18.0.9:80");
        ns.Ipvsadm("-a", "-t", "198.18.0.9:80", "-r", "198.18.1.9:80", "-m");
        var file = cli.Write("services.yaml", Services);

        Assert.Equal(0, cli.Apply(file).ExitCode);
        Assert.Contains("-A -t 198.18.0.9:80 -s wlc", cli.Saved(), StringComparison.Ordinal);

        var pruned = cli.Apply(file, "--prune");

        Assert.True(pruned.ExitCode == 0, pruned.ToString());
        Assert.Equal("- service tcp/198.18.0.9:80 (not in the file; its real server has no connections)\n", pruned.StandardOutput);
        Assert.DoesNotContain("198.18.0.9", cli.Saved(), StringComparison.Ordinal);
    }

    [Fact]
    public void IdentityChange_IsAnAddAndWithPruneADelete_SettingsChangeIsAnEdit()
    {
        KernelLab.Require();
        using var ns = new TestNamespace();
        using var cli = new IpvsCli(ns);
        Assert.Equal(0, cli.Apply(cli.Write("a.yaml", "services:\n  - service: tcp/198.18.0.1:80\n    servers: [198.18.1.1]\n")).ExitCode);

        var moved = cli.Apply(cli.Write("b.yaml", "services:\n  - service: tcp/198.18.0.1:8080\n    scheduler: rr\n    servers: [198.18.1.1]\n"), "--prune");
        var edited = cli.Apply(cli.Write("c.yaml", "services:\n  - service: tcp/198.18.0.1:8080\n    scheduler: wrr\n    persistent: 30\n    servers: [198.18.1.1]\n"));

        Assert.Equal(
            "+ service tcp/198.18.0.1:8080 scheduler=rr\n+ server tcp/198.18.0.1:8080 198.18.1.1:8080 forward=masq weight=1\n- service tcp/198.18.0.1:80 (not in the file; its real server has no connections)\n",
            moved.StandardOutput);
        Assert.Equal("~ service tcp/198.18.0.1:8080 scheduler rr -> wrr, persistent false -> 30\n", edited.StandardOutput);
        Assert.Equal("-A -t 198.18.0.1:8080 -s wrr -p 30\n-a -t 198.18.0.1:8080 -r 198.18.1.1:8080 -m -w 1\n", cli.Saved());
    }

    [Fact]
    public void InvalidFile_ChangesNothing_AndSaysWhereEveryErrorIs()
    {
        KernelLab.Require();
        using var ns = new TestNamespace();
        using var cli = new IpvsCli(ns);
        var file = cli.Write("bad.yaml", "services:\n  - service: tcp/198.18.0.1:80\n    servers: [198.18.1.1]\n  - service: tcp/198.18.0.2:80\n    scheduler: rrr\n    servers: [198.18.1.1:99999]\n");

        var result = cli.Apply(file);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(file + ":5:16: error: unknown scheduler 'rrr'", result.StandardError, StringComparison.Ordinal);
        Assert.Contains(file + ":6:15: error: real server '198.18.1.1:99999'", result.StandardError, StringComparison.Ordinal);
        Assert.Contains("2 errors; nothing was changed", result.StandardError, StringComparison.Ordinal);
        Assert.Equal(string.Empty, cli.Saved());
        Assert.Equal(2, cli.Diff(file).ExitCode);
    }

    [Fact]
    public void SchedulerTheKernelLacks_RefusesTheWholePlan()
    {
        KernelLab.Require();
        using var ns = new TestNamespace();
        using var cli = new IpvsCli(ns);
        // twos arrived in Linux 6.2; the lab runs 6.1.
        var file = cli.Write("twos.yaml", "services:\n  - service: tcp/198.18.0.1:80\n    servers: [198.18.1.1]\n  - service: tcp/198.18.0.2:80\n    scheduler: twos\n");

        var result = cli.Apply(file);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("the scheduler 'twos' is not available in this kernel", result.StandardError, StringComparison.Ordinal);
        Assert.Contains("nothing was changed", result.StandardError, StringComparison.Ordinal);
        Assert.Equal(string.Empty, cli.Saved());
    }

    [Fact]
    public void KernelRefusal_IsAPartialFailure_ThatSaysExactlyWhatWasApplied()
    {
        KernelLab.Require();
        using var ns = new TestNamespace();
        using var cli = new IpvsCli(ns);
        // 198.18.5.255 is this namespace's broadcast address: valid in the file, refused by the kernel.
        HostCommand.Check("ip", "-n", ns.Name, "addr", "add", "198.18.5.1/24", "dev", "lo");
        var file = cli.Write("services.yaml", "services:\n  - service: tcp/198.18.0.1:80\n    servers:\n      - 198.18.1.1\n      - 198.18.5.255\n      - 198.18.1.2\n");

        var result = cli.Apply(file);

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Equal(
            "+ service tcp/198.18.0.1:80 scheduler=wlc\n+ server tcp/198.18.0.1:80 198.18.1.1:80 forward=masq weight=1\n+ server tcp/198.18.0.1:80 198.18.1.2:80 forward=masq weight=1\n",
            result.StandardOutput);
        Assert.Contains(
            $"failed: + server tcp/198.18.0.1:80 198.18.5.255:80 forward=masq weight=1: Invalid operation.  Possibly wrong module version, address not unicast, ... [{file}:5:9]",
            result.StandardError,
            StringComparison.Ordinal);
        Assert.Contains("partly applied: 3 of 4 changes applied, 1 failed, 0 not sent", result.StandardError, StringComparison.Ordinal);
        Assert.Equal("-A -t 198.18.0.1:80 -s wlc\n-a -t 198.18.0.1:80 -r 198.18.1.1:80 -m -w 1\n-a -t 198.18.0.1:80 -r 198.18.1.2:80 -m -w 1\n", cli.Saved());
        Assert.Equal(1, cli.Diff(file).ExitCode);
    }
}
