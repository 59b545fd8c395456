using Ipvs.Cli;
using Ipvs.Cli.Common;
using Ipvs.Cli.Docs;
using Ipvs.Testing;

namespace Ipvs.Tests.Cli.Docs;

public sealed class ManPagesTests
{
    private static IReadOnlyList<(string Name, string Text)> Generate() =>
        ManPages.Generate(CliRoot.Build(new CliEnvironment(new CliConsole(TextWriter.Null, TextWriter.Null, TextReader.Null, false), new IpvsClientOptions())));

    [Fact]
    public void DocsMan_IsWhatTheCommandTreeGenerates()
    {
        var directory = Path.Combine(TestPaths.Root, "docs", "man");
        var pages = Generate();

        var committed = Directory.Exists(directory) ? Directory.GetFiles(directory).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray() : [];
        Assert.True(
            pages.Select(p => p.Name).Order(StringComparer.Ordinal).SequenceEqual(committed),
            $"docs/man has {string.Join(", ", committed)}, the tree generates {string.Join(", ", pages.Select(p => p.Name))}: run scripts/cli-doc and commit the result");
        foreach (var (name, text) in pages)
        {
            Assert.True(
                text == File.ReadAllText(Path.Combine(directory, name)),
                $"docs/man/{name} is out of date with the command tree: run scripts/cli-doc and commit the result");
        }
    }

    [Fact]
    public void Pages_CoverEveryFamilyAndEveryOptionOfTheTree()
    {
        var root = CliRoot.Build(new CliEnvironment(new CliConsole(TextWriter.Null, TextWriter.Null, TextReader.Null, false), new IpvsClientOptions()));
        var all = string.Concat(ManPages.Generate(root).Select(p => p.Text)).Replace("\\-", "-", StringComparison.Ordinal);

        foreach (var command in ReferenceDoc.Walk(root).Skip(1))
        {
            Assert.Contains(".SS \"" + CliCommand.PathOf(command) + "\"", all, StringComparison.Ordinal);
            foreach (var option in command.Options.Where(o => !o.Hidden && !o.Recursive))
            {
                Assert.Contains(option.Name, all, StringComparison.Ordinal);
            }
        }

        // The two families with parsers of their own carry their usage texts.
        Assert.Contains("--add-service", all, StringComparison.Ordinal);
        Assert.Contains("--health-path", all, StringComparison.Ordinal);
    }

    [Fact]
    public void Pages_AreRoffWithNoLineAControlCharacterWouldMisread()
    {
        foreach (var (name, text) in Generate())
        {
            Assert.StartsWith($".TH {name[..^2].ToUpperInvariant().Replace("-", "\\-", StringComparison.Ordinal)} 8 ", text, StringComparison.Ordinal);
            foreach (var line in text.Split('\n').SkipLast(1))
            {
                // A line is one of the man(7) requests the generator writes, or text that roff
                // cannot take for a request (a text line starting with '.' or '\'' is protected by \&).
                Assert.False(line.Length == 0, $"{name}: an empty line (use .sp)");
                Assert.False(line.StartsWith('\''), $"{name}: '{line}' would be read as a request");
                if (line.StartsWith('.'))
                {
                    Assert.Contains(line.Split(' ')[0], new[] { ".TH", ".SH", ".SS", ".PP", ".TP", ".B", ".nf", ".fi", ".sp" });
                }
            }
        }
    }
}
