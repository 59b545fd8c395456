using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Ipvs.State;

/// <summary>
/// Reads a YAML document into <see cref="ConfigNode"/>s with YamlDotNet's event parser (no
/// reflection, so it is Native AOT safe). Anchors, aliases and merge keys (<c>&lt;&lt;</c>) are
/// resolved; duplicate keys are reported rather than thrown, so that every problem of a file is
/// found in one pass.
/// </summary>
internal sealed partial class YamlDocumentReader
{
    private const int MaxAliasExpansions = 100_000;

    private readonly IParser _parser;
    private readonly string _file;
    private readonly ConfigDiagnostics _diagnostics;
    private readonly Dictionary<string, ConfigNode> _anchors = new(StringComparer.Ordinal);
    private int _aliasExpansions;

    private YamlDocumentReader(IParser parser, string file, ConfigDiagnostics diagnostics)
    {
        _parser = parser;
        _file = file;
        _diagnostics = diagnostics;
    }

    /// <summary>Reads the single document of <paramref name="text"/>; null when the text holds no document or cannot be parsed (reported).</summary>
    public static ConfigNode? Read(string text, string file, ConfigDiagnostics diagnostics)
    {
        using var reader = new StringReader(text);
        var instance = new YamlDocumentReader(new Parser(reader), file, diagnostics);
        try
        {
            return instance.ReadStream();
        }
        catch (YamlException e)
        {
            diagnostics.Error(instance.Location(e.Start), "YAML syntax: " + CleanMessage(e.Message) + Hint(text, (int)e.Start.Line));
            return null;
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet 16.3's scanner fails this way, not with a YamlException, on a flow
            // collection left open before a line that starts a block item ("- [a" then "- b").
            if (UnclosedFlow(text) is var (line, column, bracket))
            {
                diagnostics.Error(new SourceLocation(file, line, column), $"YAML syntax: this '{bracket}' is not closed before the lines that follow it" + Hint(text, line));
            }
            else
            {
                var at = instance._parser.Current?.End ?? Mark.Empty;
                diagnostics.Error(instance.Location(at), "YAML syntax: the text after this point cannot be read" + Hint(text, (int)at.Line));
            }

            return null;
        }
    }

    // The innermost '[' or '{' still open where a line starts a block item ("- "), or at the end of
    // the text; null when every one closes. Quotes and comments are skipped as YAML reads them.
    private static (int Line, int Column, char Bracket)? UnclosedFlow(string text)
    {
        var open = new Stack<(int Line, int Column, char Bracket)>();
        var line = 1;
        var lineStart = 0;
        var quote = '\0';
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\n')
            {
                line++;
                lineStart = i + 1;
                var first = text.AsSpan(lineStart).IndexOfAnyExcept(' ');
                if (quote == '\0' && open.Count > 0 && first >= 0 && text[lineStart + first] == '-'
                    && (lineStart + first + 1 == text.Length || text[lineStart + first + 1] is ' ' or '\r' or '\n'))
                {
                    return open.Peek();
                }

                continue;
            }

            if (quote != '\0')
            {
                if (c == '\\' && quote == '"')
                {
                    i++;
                }
                else if (c == quote)
                {
                    quote = '\0';
                }

                continue;
            }

            var previous = i == lineStart ? ' ' : text[i - 1];
            switch (c)
            {
                case '#' when previous is ' ' or '\t':
                    var end = text.IndexOf('\n', i);
                    i = (end < 0 ? text.Length : end) - 1;
                    break;
                case '"' or '\'' when !char.IsAsciiLetterOrDigit(previous):
                    quote = c;
                    break;
                case '[' or '{':
                    open.Push((line, i - lineStart + 1, c));
                    break;
                case ']' or '}' when open.Count > 0:
                    open.Pop();
                    break;
            }
        }

        return open.Count > 0 ? open.Peek() : null;
    }

    // The most likely YAML mistake here: an unquoted IPv6 endpoint, which YAML reads as a list.
    private static string Hint(string text, int line)
    {
        var lines = text.Split('\n');
        for (var i = Math.Max(0, line - 2); i < Math.Min(lines.Length, line + 1); i++)
        {
            if (UnquotedIPv6Endpoint().IsMatch(lines[i]))
            {
                return " (an IPv6 [ADDRESS]:PORT must be quoted in YAML: \"[2001:db8::1]:80\")";
            }
        }

        return string.Empty;
    }

    [GeneratedRegex(@"(^|[\s,{\[-])\[[0-9A-Fa-f:.]+\]:\d")]
    private static partial Regex UnquotedIPv6Endpoint();

    private ConfigNode? ReadStream()
    {
        Expect<StreamStart>();
        ConfigNode? root = null;
        var documents = 0;
        while (_parser.Current is DocumentStart start)
        {
            documents++;
            _parser.MoveNext();
            var node = ReadNode();
            Expect<DocumentEnd>();
            if (documents == 1)
            {
                root = node;
            }
            else if (documents == 2)
            {
                _diagnostics.Error(Location(start.Start), "the file holds more than one YAML document (a '---' line); write everything in one document");
            }
        }

        Expect<StreamEnd>();
        return root;
    }

    private ConfigNode ReadNode()
    {
        var current = _parser.Current ?? throw new YamlException("unexpected end of the YAML stream");
        switch (current)
        {
            case AnchorAlias alias:
                _parser.MoveNext();
                if (_anchors.TryGetValue(alias.Value.Value, out var target))
                {
                    if (++_aliasExpansions > MaxAliasExpansions)
                    {
                        throw new YamlException(alias.Start, alias.End, "too many aliases expanded");
                    }

                    return target;
                }

                _diagnostics.Error(Location(alias.Start), $"the alias *{alias.Value.Value} names no anchor defined before it");
                return new ConfigScalar(Location(alias.Start), string.Empty, isQuoted: false);

            case Scalar scalar:
            {
                _parser.MoveNext();
                var node = new ConfigScalar(Location(scalar.Start), scalar.Value, scalar.Style is not (ScalarStyle.Plain or ScalarStyle.Any));
                Remember(scalar.Anchor, node);
                return node;
            }

            case SequenceStart sequenceStart:
            {
                _parser.MoveNext();
                var items = new List<ConfigNode>();
                while (_parser.Current is not SequenceEnd)
                {
                    items.Add(ReadNode());
                }

                _parser.MoveNext();

                var node = new ConfigSequence(Location(sequenceStart.Start), items);
                Remember(sequenceStart.Anchor, node);
                return node;
            }

            case MappingStart mappingStart:
            {
                _parser.MoveNext();
                var entries = new List<ConfigEntry>();
                var seen = new Dictionary<string, ConfigScalar>(StringComparer.Ordinal);
                List<ConfigNode>? merges = null;
                while (_parser.Current is not MappingEnd)
                {
                    var keyNode = ReadNode();
                    var value = ReadNode();
                    if (keyNode is not ConfigScalar key)
                    {
                        _diagnostics.Error(keyNode, $"a key must be a plain value, not {keyNode.KindName}");
                        continue;
                    }

                    if (!key.IsQuoted && key.Value == "<<")
                    {
                        (merges ??= []).Add(value);
                        continue;
                    }

                    if (seen.TryGetValue(key.Value, out var first))
                    {
                        _diagnostics.Error(key, $"duplicate key '{key.Value}' (first at {first.Location.ToShortString()})");
                        continue;
                    }

                    seen.Add(key.Value, key);
                    entries.Add(new ConfigEntry(key, value));
                }

                _parser.MoveNext();

                if (merges is not null)
                {
                    Merge(entries, seen, merges);
                }

                var node = new ConfigMapping(Location(mappingStart.Start), entries);
                Remember(mappingStart.Anchor, node);
                return node;
            }

            default:
                throw new YamlException(current.Start, current.End, $"unexpected {current.GetType().Name}");
        }
    }

    // YAML merge keys: "<<: *defaults" (or a list of them) adds the keys the mapping does not set itself.
    private void Merge(List<ConfigEntry> entries, Dictionary<string, ConfigScalar> seen, List<ConfigNode> merges)
    {
        foreach (var merge in merges)
        {
            var sources = merge is ConfigSequence sequence ? sequence.Items : [merge];
            foreach (var source in sources)
            {
                if (source is not ConfigMapping mapping)
                {
                    _diagnostics.Error(source, $"a merge key (<<) takes a mapping or a list of mappings, not {source.KindName}");
                    continue;
                }

                foreach (var entry in mapping.Entries)
                {
                    if (seen.TryAdd(entry.Key.Value, entry.Key))
                    {
                        entries.Add(entry);
                    }
                }
            }
        }
    }

    private void Remember(AnchorName anchor, ConfigNode node)
    {
        if (!anchor.IsEmpty)
        {
            _anchors[anchor.Value] = node;
        }
    }

    private void Expect<T>()
        where T : ParsingEvent
    {
        if (_parser.Current is null && !_parser.MoveNext())
        {
            throw new YamlException("unexpected end of the YAML stream");
        }

        if (_parser.Current is not T)
        {
            var current = _parser.Current!;
            throw new YamlException(current.Start, current.End, $"expected {typeof(T).Name}, found {current.GetType().Name}");
        }

        _parser.MoveNext();
    }

    private SourceLocation Location(Mark mark) => new(_file, (int)Math.Max(1, mark.Line), (int)Math.Max(1, mark.Column));

    // YamlDotNet prefixes its messages with "(Line: 3, Col: 5, Idx: 20) - (Line: 3, Col: 6, Idx: 21): ".
    private static string CleanMessage(string message) => PositionPrefix().Replace(message, string.Empty).Trim();

    [GeneratedRegex(@"^\(Line: \d+, Col: \d+, Idx: \d+\) - \(Line: \d+, Col: \d+, Idx: \d+\): ")]
    private static partial Regex PositionPrefix();
}
