using System.Text;
using Ipvs.Cli.State;

namespace Ipvs.Tests.Cli.State;

/// <summary>
/// apply, diff and export are commands of the one tree: they write to the tree's console, open
/// IPVS through its environment, and their usage errors are the tree's (status 2, the command's
/// path, the --help hint), found before IPVS is opened.
/// </summary>
public sealed class StateCommandTreeTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("ipvs-state-tree-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [InlineData("apply", "ipvs apply: Option '--file' is required.")]
    [InlineData("apply -f x.yaml --bogus", "ipvs apply: Unrecognized command or argument '--bogus'.")]
    [InlineData("apply -f x.yaml --watch --dry-run", "ipvs apply: --watch and --dry-run do not go together; use 'ipvs diff' to look without changing")]
    [InlineData("apply -f - --watch", "ipvs apply: --watch needs a file to watch, not standard input")]
    [InlineData("apply -f x.yaml --resync 0", "ipvs apply: --resync must be longer than 0")]
    [InlineData("apply -f x.yaml --drain-timeout soon", "ipvs apply: 'soon' is not a duration")]
    [InlineData("diff", "ipvs diff: Option '--file' is required.")]
    [InlineData("diff -f x.yaml --dry-run", "ipvs diff: Unrecognized command or argument '--dry-run'.")]
    [InlineData("export -o xml", "ipvs export: Argument 'xml' not recognized.")]
    [InlineData("export -o table", "ipvs export: Argument 'table' not recognized.")]
    [InlineData("export nosuch", "ipvs export: Unrecognized command or argument 'nosuch'.")]
    [InlineData("export nosuch --help", "ipvs export: Unrecognized command or argument 'nosuch'.")]
    public void UsageErrors_AreTheTrees(string words, string message)
    {
        var run = CliHarness.Run(words.Split(' '));

        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith(message, run.Error, StringComparison.Ordinal);
        Assert.EndsWith($"Run 'ipvs {words.Split(' ')[0]} --help' for usage.\n", run.Error.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Empty(run.Out);
        Assert.False(run.KernelTouched);
    }

    [Theory]
    [InlineData("apply")]
    [InlineData("diff")]
    public void InvalidFile_IsReportedOnTheTreesConsole_WithStatusTwo_BeforeOpeningIpvs(string command)
    {
        var file = Write("bad.yaml", "version: 1\nservices:\n  - service: tcp/198.51.100.1:80\n    scheduler: rrr\n");

        var run = CliHarness.Run(command, "-f", file);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains(file + ":4:16: error: unknown scheduler 'rrr'", run.Error, StringComparison.Ordinal);
        Assert.Contains($"ipvs: {file}: 1 error; nothing was changed", run.Error, StringComparison.Ordinal);
        Assert.Empty(run.Out);
        Assert.False(run.KernelTouched);
    }

    [Theory]
    [InlineData("apply --dry-run")]
    [InlineData("apply")]
    [InlineData("diff")]
    [InlineData("export")]
    [InlineData("export -o json --netns blue")]
    public void ValidUse_OpensIpvsThroughTheTreesEnvironment(string words)
    {
        var file = Write("good.yaml", "version: 1\nservices:\n  - service: tcp/198.51.100.1:80\n    servers: [192.0.2.10]\n");
        var args = words.Split(' ').ToList();
        if (args[0] != "export")
        {
            args.InsertRange(1, ["-f", file, "--state-file", Path.Combine(_directory, "drain.json")]);
        }

        var run = CliHarness.Run([.. args]);

        Assert.True(run.KernelTouched, run.Error);
    }

    [Fact]
    public void RootHelp_ListsThemAmongItsCommands()
    {
        var run = CliHarness.Run("--help");

        var commands = run.Out[run.Out.IndexOf("Commands:", StringComparison.Ordinal)..run.Out.IndexOf("Examples:", StringComparison.Ordinal)];
        foreach (var name in new[] { "apply", "diff", "export" })
        {
            Assert.Matches($"(?m)^  {name} +\\S", commands);
        }

        Assert.DoesNotMatch("(?m)^  (apply|diff|export) ", run.Out[run.Out.IndexOf("Other commands:", StringComparison.Ordinal)..]);
    }

    [Fact]
    public void ExportHelp_ShowsItsOwnOutputOption_Once()
    {
        var run = CliHarness.Run("export", "--help");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("-o, --output <FORMAT>  yaml (default) or json.", run.Out, StringComparison.Ordinal);
        Assert.Single(run.Out.Split('\n'), line => line.Contains("--output", StringComparison.Ordinal));
    }

    [Fact]
    public void ApplyHelp_KeepsItsOptionsAndExamples()
    {
        var run = CliHarness.Run("apply", "-h");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("ipvs apply [options]", run.Out, StringComparison.Ordinal);
        foreach (var option in new[] { "-f, --file <FILE> (REQUIRED)", "--prune", "--dry-run", "--drain-timeout <DURATION>", "--state-file <PATH>", "--watch", "--resync <DURATION>", "--netns <NAME>", "-q, --quiet", "--ha-node <NAME>" })
        {
            Assert.Contains(option, run.Out, StringComparison.Ordinal);
        }

        Assert.Contains("Exit status: 0 applied, 1 some changes failed (each is reported), 2 nothing done (error).", run.Out, StringComparison.Ordinal);
        Assert.Contains("  ipvs apply -f services.yaml --watch --resync 30s", run.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void TextWriterStream_DecodesCharactersSplitBetweenWrites()
    {
        const string Text = "é € 😀 tcp/[2001:db8::1]:53";
        var bytes = Encoding.UTF8.GetBytes(Text);
        var writer = new StringWriter();
        using (var stream = new TextWriterStream(writer))
        {
            foreach (var b in bytes)
            {
                stream.Write([b]);
            }
        }

        Assert.Equal(Text, writer.ToString());
    }

    [Fact]
    public void BufferedOutput_PassesEverythingOn_InOrder_WhenFlushed()
    {
        var inner = new StringWriter();
        var expected = new StringBuilder();
        using (var output = new BufferedOutput(inner))
        {
            for (var i = 0; i < 20_000; i++)
            {
                output.WriteLine("+ server tcp/198.51.100.1:80 192.0.2." + (i % 250) + ":8080 weight=" + i);
                expected.Append("+ server tcp/198.51.100.1:80 192.0.2." + (i % 250) + ":8080 weight=" + i).Append(Environment.NewLine);
                if (i == 10)
                {
                    Assert.Empty(inner.ToString()); // buffered, not yet written
                }
            }
        }

        Assert.Equal(expected.ToString(), inner.ToString());
    }

    private string Write(string name, string text)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllText(path, text);
        return path;
    }
}
