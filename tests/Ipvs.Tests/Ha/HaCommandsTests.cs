using Ipvs.Ha;
using Ipvs.Tests.Cli;

namespace Ipvs.Tests.Ha;

public sealed class HaCommandsTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("ipvs-ha-cli-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);


    private string Write(string name, string text)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void KeepalivedConfig_PrintsTheNodesConfiguration_WithoutTouchingTheKernel()
    {
        var file = Write("pair.yaml", HaSectionReaderTests.Pair);

        var run = CliHarness.Run("ha", "keepalived-config", "-f", file, "--node", "lb2", "--run-dir", "/run/test");

        Assert.Equal(0, run.ExitCode);
        Assert.False(run.KernelTouched);
        Assert.Contains("    priority 100\n", run.Out, StringComparison.Ordinal);
        Assert.Contains("file \"/run/test/ha-VI_1-lb2.track\"", run.Out, StringComparison.Ordinal);
        Assert.Contains(" ha notify --node lb2 --instance VI_1 --run-dir /run/test\"", run.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void KeepalivedConfig_OfABadFile_NamesEveryProblem()
    {
        var file = Write("bad.yaml", HaSectionReaderTests.Pair.Replace("router-id: 51", "router-id: 300", StringComparison.Ordinal).Replace("priority: 100", "priority: 150", StringComparison.Ordinal));

        var run = CliHarness.Run("ha", "keepalived-config", "-f", file, "--node", "lb1");

        Assert.Equal(2, run.ExitCode);
        Assert.Equal("", run.Out);
        Assert.Contains("bad.yaml:12:14: error: ha router-id 300 is out of range", run.Error, StringComparison.Ordinal);
        Assert.Contains("bad.yaml:15:51: error: ha node priority 150 is also node lb1's", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void KeepalivedConfig_OfAnUnknownNode_SaysWhichNodesThereAre()
    {
        var file = Write("pair.yaml", HaSectionReaderTests.Pair);

        var run = CliHarness.Run("ha", "keepalived-config", "-f", file, "--node", "lb3");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--node lb3 is none of the ha section's nodes (lb1, lb2)", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void KeepalivedConfig_OfAFileWithoutHa_SaysSo()
    {
        var file = Write("plain.yaml", "services: [tcp/198.18.0.100:80]\n");

        var run = CliHarness.Run("ha", "keepalived-config", "-f", file);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("has no ha section", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Notify_WritesTheRoleFile_AsKeepalivedCallsIt()
    {
        var run = CliHarness.Run("ha", "notify", "--node", "lb1", "--instance", "VI_1", "--run-dir", _directory, "INSTANCE", "VI_1", "MASTER", "150");

        Assert.Equal(0, run.ExitCode);
        Assert.False(run.KernelTouched);
        var role = new HaPaths(_directory, "VI_1", "lb1").ReadRole()!;
        Assert.Equal((HaRoleState.Master, 150), (role.State, role.Priority));
        Assert.True(DateTimeOffset.UtcNow - role.Since < TimeSpan.FromMinutes(1));
    }

    [Theory]
    [InlineData("INSTANCE", "VI_1", "LEADER", "150")]
    [InlineData("INSTANCE", "VI_1")]
    [InlineData("INSTANCE", "VI_1", "MASTER", "high")]
    [InlineData("INSTANCE", "../x", "MASTER", "1")]
    public void Notify_RefusesWhatKeepalivedDoesNotSend(params string[] words)
    {
        var run = CliHarness.Run(["ha", "notify", "--node", "lb1", "--run-dir", _directory, .. words]);

        Assert.Equal(2, run.ExitCode);
        Assert.Empty(Directory.GetFiles(_directory));
    }
}
