using System.Text;
using System.Text.Json;

namespace Ipvs.State;

/// <summary>
/// Reads a JSON document into <see cref="ConfigNode"/>s with <see cref="Utf8JsonReader"/>, turning
/// byte offsets into line and column. Comments and trailing commas are accepted; duplicate keys
/// are reported.
/// </summary>
internal sealed class JsonDocumentReader
{
    private readonly byte[] _utf8;
    private readonly string _file;
    private readonly ConfigDiagnostics _diagnostics;
    private readonly List<int> _lineStarts = [0];

    private JsonDocumentReader(byte[] utf8, string file, ConfigDiagnostics diagnostics)
    {
        _utf8 = utf8;
        _file = file;
        _diagnostics = diagnostics;
        for (var i = 0; i < utf8.Length; i++)
        {
            if (utf8[i] == (byte)'\n')
            {
                _lineStarts.Add(i + 1);
            }
        }
    }

    /// <summary>Reads the document; null when it is empty or malformed (reported).</summary>
    public static ConfigNode? Read(byte[] utf8, string file, ConfigDiagnostics diagnostics)
    {
        var instance = new JsonDocumentReader(utf8, file, diagnostics);
        var start = utf8.AsSpan().StartsWith(Encoding.UTF8.Preamble) ? Encoding.UTF8.Preamble.Length : 0;
        var reader = new Utf8JsonReader(utf8.AsSpan(start), new JsonReaderOptions
        {
            CommentHandling = JsonCommentHandling.Skip,
            AllowTrailingCommas = true,
            MaxDepth = 64,
        });
        try
        {
            if (!reader.Read())
            {
                return null;
            }

            var node = instance.ReadValue(ref reader, start);
            if (reader.Read())
            {
                diagnostics.Error(instance.Location(start + (int)reader.TokenStartIndex), "unexpected text after the JSON document");
            }

            return node;
        }
        catch (JsonException e)
        {
            var line = (int)(e.LineNumber ?? 0) + 1;
            var column = (int)(e.BytePositionInLine ?? 0) + 1;
            diagnostics.Error(new SourceLocation(file, line, column), "JSON syntax: " + CleanMessage(e.Message));
            return null;
        }
    }

    private ConfigNode ReadValue(ref Utf8JsonReader reader, int offset)
    {
        var location = Location(offset + (int)reader.TokenStartIndex);
        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject:
            {
                var entries = new List<ConfigEntry>();
                var seen = new Dictionary<string, ConfigScalar>(StringComparer.Ordinal);
                while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
                {
                    var key = new ConfigScalar(Location(offset + (int)reader.TokenStartIndex), reader.GetString()!, isQuoted: true);
                    reader.Read();
                    var value = ReadValue(ref reader, offset);
                    if (seen.TryGetValue(key.Value, out var first))
                    {
                        _diagnostics.Error(key, $"duplicate key '{key.Value}' (first at {first.Location.ToShortString()})");
                        continue;
                    }

                    seen.Add(key.Value, key);
                    entries.Add(new ConfigEntry(key, value));
                }

                return new ConfigMapping(location, entries);
            }

            case JsonTokenType.StartArray:
            {
                var items = new List<ConfigNode>();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    items.Add(ReadValue(ref reader, offset));
                }

                return new ConfigSequence(location, items);
            }

            case JsonTokenType.String:
                return new ConfigScalar(location, reader.GetString()!, isQuoted: true);

            case JsonTokenType.Number:
                return new ConfigScalar(location, Encoding.UTF8.GetString(reader.HasValueSequence ? System.Buffers.BuffersExtensions.ToArray(reader.ValueSequence) : reader.ValueSpan), isQuoted: false);

            case JsonTokenType.True:
                return new ConfigScalar(location, "true", isQuoted: false);

            case JsonTokenType.False:
                return new ConfigScalar(location, "false", isQuoted: false);

            case JsonTokenType.Null:
                return new ConfigScalar(location, "null", isQuoted: false);

            default:
                throw new JsonException($"unexpected {reader.TokenType}", null, null, null);
        }
    }

    private SourceLocation Location(int byteOffset)
    {
        var index = _lineStarts.BinarySearch(byteOffset);
        var line = index >= 0 ? index : ~index - 1;
        var lineStart = _lineStarts[line];
        var column = 1;
        for (var i = lineStart; i < byteOffset && i < _utf8.Length; i++)
        {
            // Count characters, not bytes: skip UTF-8 continuation bytes.
            if ((_utf8[i] & 0xC0) != 0x80)
            {
                column++;
            }
        }

        return new SourceLocation(_file, line + 1, column);
    }

    // System.Text.Json appends " LineNumber: 2 | BytePositionInLine: 4." to its messages; the location says it already.
    private static string CleanMessage(string message)
    {
        var cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        return (cut > 0 ? message[..cut] : message).Trim();
    }
}
