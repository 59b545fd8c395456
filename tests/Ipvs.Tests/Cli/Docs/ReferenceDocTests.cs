using Ipvs.Cli;
using Ipvs.Cli.Common;
using Ipvs.Cli.Docs;
using Ipvs.Testing;

namespace Ipvs.Tests.Cli.Docs;

public sealed class ReferenceDocTests
{
    [Fact]
    public void DocsCliMd_IsWhatTheCommandTreeGenerates()
    {
        var root = CliRoot.Build(new CliEnvironment(new CliConsole(TextWriter.Null, TextWriter.Null, TextReader.Null, false), new IpvsClientOptions()));
        var path = Path.Combine(TestPaths.Root, "docs", "cli.md");

        var generated = ReferenceDoc.Generate(root);

        Assert.True(File.Exists(path), "docs/cli.md is missing: run scripts/cli-doc");
        Assert.True(
            generated == File.ReadAllText(path),
            "docs/cli.md is out of date with the command tree: run scripts/cli-doc and commit the result");
    }

    [Fact]
    public void Reference_DocumentsEveryCommandAliasAndOption()
    {
        var root = CliRoot.Build(new CliEnvironment(new CliConsole(TextWriter.Null, TextWriter.Null, TextReader.Null, false), new IpvsClientOptions()));
        var text = ReferenceDoc.Generate(root);

        foreach (var command in ReferenceDoc.Walk(root))
        {
            Assert.Contains($"### `{CliCommand.PathOf(command)}`", text, StringComparison.Ordinal);
            foreach (var alias in CliCommand.AllAliases(command))
            {
                Assert.Contains($"`{alias}`", text, StringComparison.Ordinal);
            }

            foreach (var option in ReferenceDoc.OptionsOf(command))
            {
                Assert.Contains($"`{option.Name}`", text, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public void HiddenDocCommand_PrintsTheReference()
    {
        var run = CliHarness.Run("__doc");

        Assert.Equal(0, run.ExitCode);
        Assert.StartsWith("# The `ipvs` command line", run.Out, StringComparison.Ordinal);
        Assert.False(run.KernelTouched);
    }
}
