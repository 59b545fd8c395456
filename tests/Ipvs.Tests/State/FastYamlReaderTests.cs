using System.Text;
using System.Text.RegularExpressions;
using FsCheck;
using FsCheck.Fluent;
using Ipvs.State;
using Ipvs.Testing;

namespace Ipvs.Tests.State;

/// <summary>
/// The fast YAML reader must read every document it accepts exactly as the general parser does
/// (values, quoting, positions, duplicate-key reports), and give up on everything else.
/// </summary>
public sealed class FastYamlReaderTests
{
    private static readonly string[] s_scalars =
    [
        "tcp/198.51.100.1:80", "[2001:db8::1]:80", "udp/[2001:db8::1]:53", "a b", "it's", "x#y", "true", "-1", "a:b", "null", "~",
        "with \"quote\"", "192.0.2.1", "2001:db8::1", "5m", "back\\slash", "-", "?x", ":x", "#", "", " lead", "trail ", "a: b", "é",
    ];

    private static readonly string[] s_keys = ["service", "servers", "weight", "a b", "k:x", "x-y", "<<", "#k", "'q'", "-k"];

    [Fact]
    public void AcceptedDocuments_AreReadExactlyAsTheGeneralParserReadsThem()
    {
        int total = 0, accepted = 0;
        Prop.ForAll(Documents().ToArbitrary(), text =>
        {
            total++;
            accepted += AssertAgrees(text) ? 1 : 0;
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(1500));

        // Plenty of the generated documents must be within the fast subset, or this proves little.
        Assert.True(accepted * 4 > total, $"the fast reader accepted only {accepted} of {total} documents");
    }

    [Fact]
    public void MutatedDocuments_AreReadTheSameOrLeftToTheGeneralParser() =>
        Prop.ForAll(Documents().SelectMany(Mutate).ToArbitrary(), text => { AssertAgrees(text); }).Check(Config.QuickThrowOnFailure.WithMaxTest(10000));

    [Fact]
    public void DocsExample_AndExports_AreReadByTheFastReader()
    {
        var markdown = File.ReadAllText(Path.Combine(TestPaths.Root, "docs", "config.md"));
        var example = Regex.Match(markdown, "```yaml\n(.*?)```", RegexOptions.Singleline).Groups[1].Value;
        Assert.True(AssertAgrees(example), "the fast reader gave up on the docs example");

        var export = IpvsConfigWriter.ToYaml(IpvsConfigWriter.Sorted(IpvsConfigReader.Parse(example, "x.yaml").GetConfigOrThrow()));
        Assert.True(AssertAgrees(export), "the fast reader gave up on an export:\n" + export);
    }

    [Theory]
    [InlineData("a: &x 1\nb: *x\n")]
    [InlineData("a: !!str 1\n")]
    [InlineData("a: |\n  text\n")]
    [InlineData("a: one\n  two\n")]
    [InlineData("a: [1,\n  2]\n")]
    [InlineData("a:\n\tb: 1\n")]
    [InlineData("a: 1\n---\nb: 2\n")]
    [InlineData("<<: {a: 1}\n")]
    [InlineData("a:\n")]
    [InlineData("a: b: c\n")]
    [InlineData("a: \"open\n")]
    [InlineData("a *a: 1\nq: 1\n")] // YamlDotNet refuses this one; found by the mutation property
    public void Unsupported_IsLeftToTheGeneralParser(string text) =>
        Assert.False(FastYamlReader.TryRead(text, "x.yaml", new ConfigDiagnostics(), out _));

    // Returns whether the fast reader accepted the text.
    private static bool AssertAgrees(string text)
    {
        var fastDiagnostics = new ConfigDiagnostics();
        var accepted = FastYamlReader.TryRead(text, "x.yaml", fastDiagnostics, out var fast);
        if (!accepted)
        {
            Assert.Empty(fastDiagnostics.Items);
            return false;
        }

        var generalDiagnostics = new ConfigDiagnostics();
        var general = YamlDocumentReader.Read(text, "x.yaml", generalDiagnostics);
        var context = "document:\n" + text + "\n--- general parser said:\n" + string.Join('\n', generalDiagnostics.Items);
        Assert.True(general is not null, context);
        Assert.Equal(Dump(general), Dump(fast!));
        Assert.Equal(generalDiagnostics.Items.Select(d => d.ToString()), fastDiagnostics.Items.Select(d => d.ToString()));
        return true;
    }

    private static string Dump(ConfigNode node)
    {
        var builder = new StringBuilder();
        Dump(node, builder, 0);
        return builder.ToString();
    }

    private static void Dump(ConfigNode node, StringBuilder builder, int depth)
    {
        builder.Append(' ', depth * 2).Append(node.Location.Line).Append(':').Append(node.Location.Column).Append(' ');
        switch (node)
        {
            case ConfigScalar scalar:
                builder.Append(scalar.IsQuoted ? "quoted " : "plain ").Append('<').Append(scalar.Value).Append(">\n");
                break;
            case ConfigSequence sequence:
                builder.Append("list\n");
                foreach (var item in sequence.Items)
                {
                    Dump(item, builder, depth + 1);
                }

                break;
            case ConfigMapping mapping:
                builder.Append("mapping\n");
                foreach (var entry in mapping.Entries)
                {
                    Dump(entry.Key, builder, depth + 1);
                    Dump(entry.Value, builder, depth + 2);
                }

                break;
        }
    }

    // ---- generators: documents in the styles people write, and small damage to them ----

    private abstract record Tree;

    private sealed record Leaf(string Value, int Style) : Tree;

    private sealed record ListTree(List<Tree> Items) : Tree;

    private sealed record MapTree(List<(string Key, int KeyStyle, Tree Value)> Entries) : Tree;

    private static Gen<string> Documents() =>
        from tree in Trees(3)
        from indent in Gen.Elements(2, 4)
        from indentless in Gen.Elements(false, true)
        from flowLeaves in Gen.Elements(false, true)
        from comments in Gen.Elements(false, true)
        from seed in Gen.Choose(0, 1 << 20)
        let root = tree is Leaf ? new MapTree([("services", 0, tree)]) : tree
        select Render(root, new Style(indent, indentless, flowLeaves, comments, new Random(seed)));

    private static Gen<Tree> Trees(int depth) =>
        depth == 0
            ? Leaves()
            : Gen.Frequency(
            [
                (3, Leaves()),
                (2, Gen.ListOf(Trees(depth - 1)).Select(items => (Tree)new ListTree([.. items.Take(4)]))),
                (3, Gen.ListOf(Entry(depth - 1)).Select(entries => (Tree)new MapTree([.. entries.Take(4)]))),
            ]);

    private static Gen<(string Key, int KeyStyle, Tree Value)> Entry(int depth) =>
        from key in Gen.Elements(s_keys)
        from style in Gen.Choose(0, 2)
        from value in Trees(depth)
        select (key, style, value);

    private static Gen<Tree> Leaves() => Gen.Zip(Gen.Elements(s_scalars), Gen.Choose(0, 2)).Select(p => (Tree)new Leaf(p.Item1, p.Item2));

    private sealed record Style(int Indent, bool Indentless, bool FlowLeaves, bool Comments, Random Random);

    private static string Render(Tree tree, Style style)
    {
        var builder = new StringBuilder();
        if (style.Comments)
        {
            builder.Append("# a comment\n");
        }

        RenderBlock(tree, builder, 0, style);
        return builder.ToString();
    }

    private static void RenderBlock(Tree tree, StringBuilder builder, int indent, Style style)
    {
        var pad = new string(' ', indent);
        switch (tree)
        {
            case ListTree list when list.Items.Count > 0:
                foreach (var item in list.Items)
                {
                    builder.Append(pad).Append('-');
                    RenderAfterIndicator(item, builder, indent, style, inSequence: true);
                }

                break;
            case MapTree map when map.Entries.Count > 0:
                var first = true;
                foreach (var (key, keyStyle, value) in map.Entries)
                {
                    if (!first || builder.Length == 0 || builder[^1] == '\n')
                    {
                        builder.Append(pad);
                    }

                    first = false;
                    builder.Append(Scalar(key, keyStyle, flow: false)).Append(':');
                    RenderAfterIndicator(value, builder, indent, style, inSequence: false);
                }

                break;
            default:
                builder.Append(pad).Append(Inline(tree, style)).Append('\n');
                break;
        }
    }

    private static void RenderAfterIndicator(Tree value, StringBuilder builder, int indent, Style style, bool inSequence)
    {
        if (value is Leaf || (style.FlowLeaves && IsFlat(value)) || IsEmpty(value))
        {
            builder.Append(' ').Append(Inline(value, style));
            if (style.Comments && style.Random.Next(4) == 0)
            {
                builder.Append(" # note");
            }

            builder.Append('\n');
            return;
        }

        if (inSequence && value is MapTree)
        {
            // "- key: value" with the other keys aligned under the first.
            builder.Append(' ');
            RenderBlock(value, builder, indent + 2, style);
            return;
        }

        builder.Append('\n');
        if (style.Comments && style.Random.Next(3) == 0)
        {
            builder.Append(new string(' ', indent + style.Indent)).Append("# inside\n");
        }

        var childIndent = !inSequence && value is ListTree && style.Indentless ? indent : indent + style.Indent;
        RenderBlock(value, builder, childIndent, style);
    }

    private static bool IsEmpty(Tree tree) => tree is ListTree { Items.Count: 0 } or MapTree { Entries.Count: 0 };

    private static bool IsFlat(Tree tree) => tree switch
    {
        Leaf => true,
        ListTree list => list.Items.All(i => i is Leaf),
        MapTree map => map.Entries.All(e => e.Value is Leaf),
        _ => false,
    };

    private static string Inline(Tree tree, Style style) => tree switch
    {
        Leaf leaf => Scalar(leaf.Value, leaf.Style, flow: false),
        ListTree list => "[" + string.Join(", ", list.Items.Select(i => Inline(i, style) is var s && i is Leaf l ? Scalar(l.Value, l.Style, flow: true) : s)) + "]",
        MapTree map => "{" + string.Join(", ", map.Entries.Select(e => Scalar(e.Key, e.KeyStyle, flow: true) + ": " + (e.Value is Leaf l ? Scalar(l.Value, l.Style, flow: true) : Inline(e.Value, style)))) + "}",
        _ => string.Empty,
    };

    private static string Scalar(string value, int style, bool flow) => style switch
    {
        1 => "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'",
        2 => "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"",
        _ => value, // plain, even when YAML would read it otherwise: the two readers must still agree
    };

    private static Gen<string> Mutate(string text) =>
        from position in Gen.Choose(0, Math.Max(0, text.Length - 1))
        from kind in Gen.Choose(0, 2)
        from insert in Gen.Elements(" ", ":", "-", "#", "\"", "'", "\n", "[", "]", "{", "}", ",", "\t", "  ", "&a ", "*a", "? ", "!", "|")
        select text.Length == 0 ? insert : kind switch
        {
            0 => text.Remove(position, 1),
            1 => text.Insert(position, insert),
            _ => text.Remove(position, 1).Insert(position, insert),
        };
}
