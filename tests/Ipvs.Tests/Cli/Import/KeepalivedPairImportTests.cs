using System.Collections.Frozen;
using Ipvs.Ha;
using Ipvs.State;
using Ipvs.Tests.State.Keepalived;

namespace Ipvs.Tests.Cli.Import;

public sealed class KeepalivedPairImportTests : IDisposable
{
    private readonly TempTree _tree = new();

    public void Dispose() => _tree.Dispose();

    private static string Sample(string name) => Path.Combine(AppContext.BaseDirectory, "TestData", "keepalived", "pair", name);

    [Fact]
    public void Pair_WritesTheHaSection_WhichHaSectionReaderAccepts()
    {
        var run = CliHarness.Run(["import", "keepalived", Sample("lb1.conf"), Sample("lb2.conf")]);
        Assert.True(run.ExitCode == 1, $"exit {run.ExitCode}\n{run.Error}"); // track_script, authentication, state are not carried
        Assert.False(run.KernelTouched);

        var file = _tree.Write("care.yaml", run.Out);
        var read = HaSectionReader.ReadFile(file, new IpvsConfigReaderOptions { ServiceSections = new Dictionary<string, ServiceSectionReader> { ["health"] = _ => null }.ToFrozenDictionary() });
        Assert.True(read.Succeeded, string.Join("\n", read.Diagnostics));
        var ha = HaSectionReader.Of(read.Config!)!;
        Assert.Equal("VI_WEB", ha.Instance);
        Assert.Equal("eth0", ha.Interface);
        Assert.Equal((byte)51, ha.RouterId);
        Assert.Equal(TimeSpan.FromSeconds(1), ha.AdvertInterval);
        Assert.Equal(TimeSpan.FromSeconds(5), ha.PreemptDelay);
        Assert.True(ha.Preempt);
        Assert.True(ha.Unicast);
        Assert.Equal(["lb1 198.18.0.11 150", "lb2 198.18.0.12 100"], ha.Nodes.Select(n => $"{n.Name} {n.Address} {n.Priority}"));
        Assert.Equal(["198.18.0.100/32"], ha.VirtualAddresses.Select(v => v.ToString()));
        Assert.Equal((byte?)51, ha.Sync.SyncId);
        Assert.Equal((ushort)1400, ha.Sync.MaxLength);
        Assert.Equal((ushort)8848, ha.Sync.Port);
        Assert.Equal("224.0.0.81", ha.Sync.Group!.ToString());
        Assert.Equal("eth0", ha.Sync.Interface);

        Assert.DoesNotContain("vrrp_instance:", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("lvs_sync_daemon:", run.Error, StringComparison.Ordinal);
        foreach (var expected in new[] { "lb1.conf:12: state:", "lb1.conf:22: authentication:", "lb1.conf:26: track_script:", "lb2.conf:26: track_script:", "lb1.conf:7: vrrp_script:" })
        {
            Assert.Contains(expected, run.Error, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void OneFile_ReportsTheInstance_AndPointsToTheSecondFile()
    {
        var run = CliHarness.Run(["import", "keepalived", Sample("lb1.conf")]);
        Assert.Equal(1, run.ExitCode);
        Assert.DoesNotContain("\nha:", run.Out, StringComparison.Ordinal);
        Assert.Contains("lb1.conf:11: vrrp_instance:", run.Error, StringComparison.Ordinal);
        Assert.Contains("second FILE", run.Error, StringComparison.Ordinal);
        Assert.Contains("lb1.conf:4: lvs_sync_daemon:", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void EqualPriorities_AreReported_NotWritten()
    {
        var lb2 = _tree.Write("lb2.conf", File.ReadAllText(Sample("lb2.conf")).Replace("priority 100", "priority 150", StringComparison.Ordinal));
        var run = CliHarness.Run(["import", "keepalived", Sample("lb1.conf"), lb2]);
        Assert.Equal(1, run.ExitCode);
        Assert.DoesNotContain("\nha:", run.Out, StringComparison.Ordinal);
        Assert.Contains("lb2.conf:11: vrrp_instance: priority 150 is also lb1's", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void MismatchedServices_AreReported_WithTheOtherFilesLine()
    {
        var lb2 = _tree.Write("lb2.conf", File.ReadAllText(Sample("lb2.conf")).Replace("lvs_sched wrr", "lvs_sched rr", StringComparison.Ordinal));
        var run = CliHarness.Run(["import", "keepalived", Sample("lb1.conf"), lb2]);
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("lb2.conf:34: virtual_server: describes the services otherwise", run.Error, StringComparison.Ordinal);
        Assert.Contains("scheduler: wrr", run.Out, StringComparison.Ordinal);

        // Control: the same services are not reported.
        var same = CliHarness.Run(["import", "keepalived", Sample("lb1.conf"), Sample("lb2.conf")]);
        Assert.DoesNotContain("virtual_server:", same.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void NoAddress_IsReported()
    {
        var lb2 = _tree.Write("lb2.conf", File.ReadAllText(Sample("lb2.conf")).Replace("  unicast_src_ip 198.18.0.12\n", "", StringComparison.Ordinal).Replace("    198.18.0.11\n", "    198.18.0.13\n", StringComparison.Ordinal));
        var lb1 = _tree.Write("lb1.conf", File.ReadAllText(Sample("lb1.conf")).Replace("    198.18.0.12\n", "", StringComparison.Ordinal));
        var run = CliHarness.Run(["import", "keepalived", lb1, lb2]);
        Assert.Equal(1, run.ExitCode);
        Assert.DoesNotContain("\nha:", run.Out, StringComparison.Ordinal);
        Assert.Contains("the address of director lb2", run.Error, StringComparison.Ordinal);
    }
}
