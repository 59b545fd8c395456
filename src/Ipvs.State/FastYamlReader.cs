using System.Globalization;
using System.Text;

namespace Ipvs.State;

/// <summary>
/// A fast reader for the plain subset of YAML that configuration files (and <c>ipvs export</c>)
/// use: block mappings and sequences (indentless sequences too), single-line plain and quoted
/// scalars, single-line flow lists and mappings, comments. It is about ten times faster than the
/// general parser and allocates little, which matters for files of tens of thousands of servers.
/// Anything else (anchors, tags, block scalars, multi-line scalars or flow collections, merge keys,
/// tabs, syntax errors) makes it give up, and <see cref="YamlDocumentReader"/> reads the file
/// instead: it never reads a document differently from the general parser, only faster.
/// </summary>
internal sealed class FastYamlReader
{
    private readonly string _text;
    private readonly string _file;
    private readonly List<Line> _lines = new(1024);
    private readonly List<(SourceLocation Location, string Message)> _duplicates = [];
    private int _index;

    private FastYamlReader(string text, string file)
    {
        _text = text;
        _file = file;
    }

    /// <summary>Reads the document, or returns false when the general parser must (unsupported or invalid YAML).</summary>
    public static bool TryRead(string text, string file, ConfigDiagnostics diagnostics, out ConfigNode? root)
    {
        root = null;
        var reader = new FastYamlReader(text, file);
        try
        {
            if (!reader.SplitLines())
            {
                return false;
            }

            if (reader._lines.Count == 0)
            {
                return false; // empty: the general parser says so in its own way
            }

            var node = reader.ReadBlock(reader._lines[0].Indent);
            if (node is null || reader._index != reader._lines.Count)
            {
                return false;
            }

            foreach (var (location, message) in reader._duplicates)
            {
                diagnostics.Error(location, message);
            }

            root = node;
            return true;
        }
        catch (Unsupported)
        {
            return false;
        }
    }

    // The key already in a mapping's entries, if any: a linear search while there are few (a
    // dictionary per mapping cost more than reading it), an index beyond.
    private static ConfigScalar? FindKey(List<ConfigEntry> entries, ref Dictionary<string, ConfigScalar>? index, string key)
    {
        if (index is null && entries.Count > 16)
        {
            index = new Dictionary<string, ConfigScalar>(entries.Count * 2, StringComparer.Ordinal);
            foreach (var entry in entries)
            {
                index.Add(entry.Key.Value, entry.Key);
            }
        }

        if (index is not null)
        {
            return index.GetValueOrDefault(key);
        }

        foreach (var entry in entries)
        {
            if (string.Equals(entry.Key.Value, key, StringComparison.Ordinal))
            {
                return entry.Key;
            }
        }

        return null;
    }

    // Splits the text into lines of content (comments and blank lines dropped), refusing
    // anything the subset does not cover.
    private bool SplitLines()
    {
        var text = _text;
        var position = 0;
        var number = 0;
        var sawDocumentStart = false;
        while (position < text.Length)
        {
            number++;
            var end = text.IndexOf('\n', position);
            if (end < 0)
            {
                end = text.Length;
            }

            var lineEnd = end > position && text[end - 1] == '\r' ? end - 1 : end;
            var indent = 0;
            while (position + indent < lineEnd && text[position + indent] == ' ')
            {
                indent++;
            }

            var start = position + indent;
            var contentEnd = ContentEnd(start, lineEnd);
            if (contentEnd > start)
            {
                var first = text[start];
                if (indent == 0 && (first == '%' || IsMarker(start, contentEnd, "...")))
                {
                    return false;
                }

                if (indent == 0 && IsMarker(start, contentEnd, "---"))
                {
                    if (sawDocumentStart || _lines.Count > 0 || contentEnd != start + 3)
                    {
                        return false;
                    }

                    sawDocumentStart = true;
                }
                else
                {
                    _lines.Add(new Line(number, position, indent, contentEnd));
                }
            }

            position = end + 1;
        }

        return true;
    }

    private bool IsMarker(int start, int end, string marker) =>
        end - start >= 3 && string.CompareOrdinal(_text, start, marker, 0, 3) == 0 && (end - start == 3 || _text[start + 3] == ' ');

    // The end of a line's content: before a comment (" #", or "#" first) and trailing spaces.
    // Quotes are followed so that a '#' inside them is kept; a tab or non-ASCII character outside
    // a comment, or a quote left open, is not for this reader.
    private int ContentEnd(int start, int lineEnd)
    {
        var text = _text;
        var end = lineEnd;
        char quote = '\0';
        for (var i = start; i < lineEnd; i++)
        {
            var c = text[i];
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
                else if (c > 0x7e)
                {
                    throw new Unsupported();
                }

                continue;
            }

            if (c == '#' && (i == start || text[i - 1] == ' '))
            {
                end = i;
                break;
            }

            if (c is '"' or '\'' && (i == start || text[i - 1] is ' ' or '[' or '{' or ','))
            {
                quote = c;
            }
            else if (c is '\t' || c < ' ' || c > 0x7e)
            {
                throw new Unsupported();
            }
        }

        if (quote != '\0')
        {
            throw new Unsupported();
        }

        while (end > start && text[end - 1] == ' ')
        {
            end--;
        }

        return end;
    }

    // A node made of the lines at _index and after, whose first line is indented by `indent`.
    private ConfigNode? ReadBlock(int indent)
    {
        var line = _lines[_index];
        if (line.Indent != indent)
        {
            throw new Unsupported();
        }

        var start = line.Start + indent;
        if (IsSequenceEntry(start, line.End))
        {
            return ReadSequence(indent);
        }

        if (FindMappingColon(start, line.End) >= 0)
        {
            return ReadMapping(indent, start);
        }

        // A lone value on its own line(s): only one line of it is supported.
        _index++;
        var node = ReadInline(start, line.End, line);
        RequireNoDeeperLine(indent);
        return node;
    }

    private ConfigSequence ReadSequence(int indent)
    {
        var first = _lines[_index];
        var location = Location(first, first.Start + indent);
        var items = new List<ConfigNode>();
        while (_index < _lines.Count)
        {
            var line = _lines[_index];
            var dash = line.Start + line.Indent;
            if (line.Indent != indent || !IsSequenceEntry(dash, line.End))
            {
                break;
            }

            var content = dash + 1;
            while (content < line.End && _text[content] == ' ')
            {
                content++;
            }

            if (content == line.End)
            {
                // "-" alone: the item is the deeper block that follows.
                _index++;
                if (_index < _lines.Count && _lines[_index].Indent > indent)
                {
                    items.Add(ReadBlock(_lines[_index].Indent)!);
                    continue;
                }

                throw new Unsupported(); // an empty item (null)
            }

            if (IsSequenceEntry(content, line.End))
            {
                throw new Unsupported(); // "- - x"
            }

            if (FindMappingColon(content, line.End) >= 0)
            {
                // "- key: value": a mapping whose keys are aligned on this key's column.
                items.Add(ReadMapping(content - line.Start, content));
                continue;
            }

            _index++;
            items.Add(ReadInline(content, line.End, line));
            RequireNoDeeperLine(indent);
        }

        return new ConfigSequence(location, items);
    }

    // A block mapping whose keys are in column `indent`; its first key starts at `firstKey`
    // (which may be after a "- " on the first line).
    private ConfigMapping ReadMapping(int indent, int firstKey)
    {
        var firstLine = _lines[_index];
        var location = Location(firstLine, firstKey);
        var entries = new List<ConfigEntry>();
        Dictionary<string, ConfigScalar>? seen = null;
        var keyStart = firstKey;
        var isFirst = true;
        while (_index < _lines.Count)
        {
            var line = _lines[_index];
            if (!isFirst)
            {
                if (line.Indent != indent)
                {
                    break;
                }

                keyStart = line.Start + indent;
                if (IsSequenceEntry(keyStart, line.End))
                {
                    break;
                }
            }

            isFirst = false;
            var colon = FindMappingColon(keyStart, line.End);
            if (colon < 0)
            {
                throw new Unsupported();
            }

            var key = ReadKey(keyStart, colon, line);
            var valueStart = colon + 1;
            while (valueStart < line.End && _text[valueStart] == ' ')
            {
                valueStart++;
            }

            _index++;
            ConfigNode value;
            if (valueStart < line.End)
            {
                value = ReadInline(valueStart, line.End, line);
                RequireNoDeeperLine(indent);
            }
            else if (_index < _lines.Count && _lines[_index].Indent > indent)
            {
                value = ReadBlock(_lines[_index].Indent)!;
            }
            else if (_index < _lines.Count && _lines[_index].Indent == indent && IsSequenceEntry(_lines[_index].Start + indent, _lines[_index].End))
            {
                value = ReadSequence(indent); // an indentless sequence as the value
            }
            else
            {
                throw new Unsupported(); // "key:" with nothing: a null value
            }

            if (!key.IsQuoted && key.Value == "<<")
            {
                throw new Unsupported(); // merge keys
            }

            if (FindKey(entries, ref seen, key.Value) is { } earlier)
            {
                _duplicates.Add((key.Location, $"duplicate key '{key.Value}' (first at {earlier.Location.ToShortString()})"));
                continue;
            }

            entries.Add(new ConfigEntry(key, value));
            seen?.Add(key.Value, key);
        }

        return new ConfigMapping(location, entries);
    }

    // After a value written on its line, a deeper line would continue it (a multi-line scalar).
    private void RequireNoDeeperLine(int indent)
    {
        if (_index < _lines.Count && _lines[_index].Indent > indent)
        {
            throw new Unsupported();
        }
    }

    private ConfigScalar ReadKey(int start, int colon, Line line)
    {
        var c = _text[start];
        if (c is '"' or '\'')
        {
            var position = start;
            var scalar = ReadQuoted(ref position, line);
            SkipSpaces(ref position, colon);
            if (position != colon)
            {
                throw new Unsupported();
            }

            return scalar;
        }

        var end = colon;
        while (end > start && _text[end - 1] == ' ')
        {
            end--;
        }

        if (end == start || !IsPlainStart(start, end))
        {
            throw new Unsupported();
        }

        return new ConfigScalar(Location(line, start), _text.Substring(start, end - start), isQuoted: false);
    }

    // A value written on one line from `start` to `end`: a scalar or a flow collection.
    private ConfigNode ReadInline(int start, int end, Line line)
    {
        var c = _text[start];
        if (c is '[' or '{')
        {
            var position = start;
            var node = ReadFlow(ref position, end, line);
            if (position != end)
            {
                throw new Unsupported();
            }

            return node;
        }

        if (c is '"' or '\'')
        {
            var position = start;
            var scalar = ReadQuoted(ref position, line);
            if (position != end)
            {
                throw new Unsupported();
            }

            return scalar;
        }

        if (!IsPlainStart(start, end) || _text[end - 1] == ':' || _text.AsSpan(start, end - start).Contains(": ", StringComparison.Ordinal))
        {
            throw new Unsupported();
        }

        return new ConfigScalar(Location(line, start), _text.Substring(start, end - start), isQuoted: false);
    }

    private ConfigNode ReadFlow(ref int position, int end, Line line)
    {
        var open = _text[position];
        var location = Location(line, position);
        position++;
        var close = open == '[' ? ']' : '}';
        var items = open == '[' ? new List<ConfigNode>() : null;
        var entries = open == '{' ? new List<ConfigEntry>() : null;
        Dictionary<string, ConfigScalar>? seen = null;
        SkipSpaces(ref position, end);
        if (position < end && _text[position] == close)
        {
            position++;
            return open == '[' ? new ConfigSequence(location, items!) : new ConfigMapping(location, entries!);
        }

        while (true)
        {
            SkipSpaces(ref position, end);
            if (position >= end)
            {
                throw new Unsupported();
            }

            var item = ReadFlowItem(ref position, end, line);
            SkipSpaces(ref position, end);
            if (open == '{')
            {
                if (item is not ConfigScalar key || position >= end || _text[position] != ':')
                {
                    throw new Unsupported();
                }

                position++;
                if (position >= end || _text[position] != ' ')
                {
                    throw new Unsupported();
                }

                SkipSpaces(ref position, end);
                var value = ReadFlowItem(ref position, end, line);
                SkipSpaces(ref position, end);
                if (!key.IsQuoted && key.Value == "<<")
                {
                    throw new Unsupported();
                }

                if (FindKey(entries!, ref seen, key.Value) is { } earlier)
                {
                    _duplicates.Add((key.Location, $"duplicate key '{key.Value}' (first at {earlier.Location.ToShortString()})"));
                }
                else
                {
                    entries!.Add(new ConfigEntry(key, value));
                    seen?.Add(key.Value, key);
                }
            }
            else
            {
                if (position < end && _text[position] == ':')
                {
                    throw new Unsupported(); // a single-pair mapping inside a list
                }

                items!.Add(item);
            }

            if (position >= end)
            {
                throw new Unsupported();
            }

            var separator = _text[position++];
            if (separator == close)
            {
                return open == '[' ? new ConfigSequence(location, items!) : new ConfigMapping(location, entries!);
            }

            if (separator != ',')
            {
                throw new Unsupported();
            }

            SkipSpaces(ref position, end);
            if (position < end && _text[position] is ',' or ']' or '}')
            {
                throw new Unsupported(); // empty entries, trailing commas
            }
        }
    }

    private ConfigNode ReadFlowItem(ref int position, int end, Line line)
    {
        var c = _text[position];
        if (c is '[' or '{')
        {
            return ReadFlow(ref position, end, line);
        }

        if (c is '"' or '\'')
        {
            return ReadQuoted(ref position, line);
        }

        // A plain scalar in a flow: up to ',', ']', '}', or ": ".
        var start = position;
        while (position < end)
        {
            var ch = _text[position];
            if (ch is ',' or ']' or '}' or '[' or '{')
            {
                break;
            }

            if (ch == ':' && (position + 1 >= end || _text[position + 1] is ' ' or ',' or ']' or '}'))
            {
                break;
            }

            position++;
        }

        var stop = position;
        while (stop > start && _text[stop - 1] == ' ')
        {
            stop--;
        }

        if (stop == start || !IsPlainStart(start, stop))
        {
            throw new Unsupported();
        }

        return new ConfigScalar(Location(line, start), _text.Substring(start, stop - start), isQuoted: false);
    }

    private ConfigScalar ReadQuoted(ref int position, Line line)
    {
        var quote = _text[position];
        var location = Location(line, position);
        var i = position + 1;
        var end = line.Start + (line.End - line.Start);
        StringBuilder? builder = null;
        var segment = i;
        while (true)
        {
            if (i >= end)
            {
                throw new Unsupported();
            }

            var c = _text[i];
            if (c == quote)
            {
                if (quote == '\'' && i + 1 < end && _text[i + 1] == '\'')
                {
                    (builder ??= new StringBuilder()).Append(_text, segment, i + 1 - segment);
                    i += 2;
                    segment = i;
                    continue;
                }

                break;
            }

            if (c == '\\' && quote == '"')
            {
                (builder ??= new StringBuilder()).Append(_text, segment, i - segment);
                if (i + 1 >= end)
                {
                    throw new Unsupported();
                }

                var escape = _text[i + 1];
                i += 2;
                switch (escape)
                {
                    case '"' or '\\' or '/':
                        builder.Append(escape);
                        break;
                    case 'n':
                        builder.Append('\n');
                        break;
                    case 't':
                        builder.Append('\t');
                        break;
                    case 'r':
                        builder.Append('\r');
                        break;
                    case '0':
                        builder.Append('\0');
                        break;
                    case 'x':
                        builder.Append((char)Hex(ref i, 2, end));
                        break;
                    case 'u':
                        builder.Append((char)Hex(ref i, 4, end));
                        break;
                    default:
                        throw new Unsupported();
                }

                segment = i;
                continue;
            }

            i++;
        }

        string value;
        if (builder is null)
        {
            value = _text.Substring(position + 1, i - position - 1);
        }
        else
        {
            value = builder.Append(_text, segment, i - segment).ToString();
        }

        position = i + 1;
        return new ConfigScalar(location, value, isQuoted: true);
    }

    private int Hex(ref int i, int digits, int end)
    {
        if (i + digits > end || !int.TryParse(_text.AsSpan(i, digits), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var value))
        {
            throw new Unsupported();
        }

        i += digits;
        return value;
    }

    private void SkipSpaces(ref int position, int end)
    {
        while (position < end && _text[position] == ' ')
        {
            position++;
        }
    }

    private bool IsSequenceEntry(int start, int end) =>
        start < end && _text[start] == '-' && (start + 1 == end || _text[start + 1] == ' ');

    // The ':' that makes "key: value" (or "key:" at the end) a mapping entry, or -1.
    private int FindMappingColon(int start, int end)
    {
        var c = _text[start];
        if (c is '"' or '\'')
        {
            // A quoted key: find its end, then expect ':'.
            var i = start + 1;
            while (i < end)
            {
                if (_text[i] == '\\' && c == '"')
                {
                    i += 2;
                    continue;
                }

                if (_text[i] == c)
                {
                    if (c == '\'' && i + 1 < end && _text[i + 1] == '\'')
                    {
                        i += 2;
                        continue;
                    }

                    break;
                }

                i++;
            }

            i++;
            while (i < end && _text[i] == ' ')
            {
                i++;
            }

            return i < end && _text[i] == ':' && (i + 1 == end || _text[i + 1] == ' ') ? i : -1;
        }

        if (c is '[' or '{')
        {
            return -1;
        }

        for (var i = start; i < end; i++)
        {
            if (_text[i] == ':' && (i + 1 == end || _text[i + 1] == ' '))
            {
                return i;
            }
        }

        return -1;
    }

    // A plain scalar may not start with an indicator; "-" only when followed by a non-space. ":" and
    // "?" are left to the general parser altogether (their readings differ between contexts), and so
    // is an indicator after a space inside the scalar ("a *b": YamlDotNet reads some of those as the
    // start of another token).
    private bool IsPlainStart(int start, int end)
    {
        var c = _text[start];
        if (c is '[' or ']' or '{' or '}' or ',' or '#' or '&' or '*' or '!' or '|' or '>' or '\'' or '"' or '%' or '@' or '`' or '?' or ':')
        {
            return false;
        }

        for (var i = start + 1; i + 1 < end; i++)
        {
            if (_text[i] == ' ' && _text[i + 1] is '&' or '*' or '!' or '|' or '>' or '%' or '@' or '`' or '\'' or '"' or '[' or '{')
            {
                return false;
            }
        }

        return c != '-' || (start + 1 < end && _text[start + 1] != ' ');
    }

    private SourceLocation Location(Line line, int position) => new(_file, line.Number, position - line.Start + 1);

    private readonly record struct Line(int Number, int Start, int Indent, int End);

    private sealed class Unsupported : Exception;
}
