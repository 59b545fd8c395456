using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Ipvs.Cli.Output;

/// <summary>
/// Writes a JSON document as block-style YAML with the same structure, so the YAML schema is the
/// JSON schema by construction. Strings that YAML would read as something else (numbers, booleans,
/// null, or anything with indicator characters) are double-quoted.
/// </summary>
internal static class YamlWriter
{
    public static string Write(JsonElement root)
    {
        var builder = new StringBuilder();
        switch (root.ValueKind)
        {
            case JsonValueKind.Object when root.EnumerateObject().Any():
                WriteMapping(builder, root, 0);
                break;
            case JsonValueKind.Array when root.GetArrayLength() > 0:
                WriteSequence(builder, root, 0);
                break;
            default:
                builder.Append(Scalar(root)).Append('\n');
                break;
        }

        return builder.ToString();
    }

    private static void WriteMapping(StringBuilder builder, JsonElement mapping, int indent, bool firstInline = false)
    {
        var first = true;
        foreach (var property in mapping.EnumerateObject())
        {
            if (!(first && firstInline))
            {
                builder.Append(' ', indent);
            }

            first = false;
            builder.Append(Key(property.Name)).Append(':');
            WriteValue(builder, property.Value, indent);
        }
    }

    private static void WriteSequence(StringBuilder builder, JsonElement sequence, int indent)
    {
        foreach (var item in sequence.EnumerateArray())
        {
            builder.Append(' ', indent).Append('-');
            if (item.ValueKind == JsonValueKind.Object && item.EnumerateObject().Any())
            {
                builder.Append(' ');
                WriteMapping(builder, item, indent + 2, firstInline: true);
            }
            else if (item.ValueKind == JsonValueKind.Array && item.GetArrayLength() > 0)
            {
                builder.Append('\n');
                WriteSequence(builder, item, indent + 2);
            }
            else
            {
                builder.Append(' ').Append(Scalar(item)).Append('\n');
            }
        }
    }

    /// <summary>Writes what follows "key:" (a scalar on the same line, or a nested block).</summary>
    private static void WriteValue(StringBuilder builder, JsonElement value, int indent)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object when value.EnumerateObject().Any():
                builder.Append('\n');
                WriteMapping(builder, value, indent + 2);
                break;
            case JsonValueKind.Array when value.GetArrayLength() > 0:
                builder.Append('\n');
                WriteSequence(builder, value, indent + 2);
                break;
            default:
                builder.Append(' ').Append(Scalar(value)).Append('\n');
                break;
        }
    }

    private static string Scalar(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "{}",
        JsonValueKind.Array => "[]",
        JsonValueKind.String => Text(value.GetString()!),
        JsonValueKind.Number => value.GetRawText(),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => "null",
    };

    private static string Key(string name) => NeedsQuotes(name) ? Quote(name) : name;

    private static string Text(string text) => NeedsQuotes(text) ? Quote(text) : text;

    /// <summary>Conservative: plain only for words of letters, digits and <c>. _ - / : [ ]</c> that no YAML version reads as another type.</summary>
    private static bool NeedsQuotes(string text)
    {
        if (text.Length == 0 || text[0] is '-' or ':' or '[' or ']' or '.' || text[^1] == ':')
        {
            return true;
        }

        foreach (var c in text)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' or '/' or ':' or '[' or ']'))
            {
                return true;
            }
        }

        // Anything YAML 1.1 or 1.2 resolves to a non-string: numbers (also 0x.., 1_000, 1e3, .inf), booleans, null.
        var lower = text.ToLowerInvariant();
        if (lower is "true" or "false" or "yes" or "no" or "on" or "off" or "y" or "n" or "null" or "~")
        {
            return true;
        }

        var plain = text.Replace("_", string.Empty, StringComparison.Ordinal);
        return double.TryParse(plain, NumberStyles.Float, CultureInfo.InvariantCulture, out _)
            || lower.StartsWith("0x", StringComparison.Ordinal)
            || lower.StartsWith("0o", StringComparison.Ordinal)
            || lower.StartsWith("0b", StringComparison.Ordinal)
            || text.Contains(':', StringComparison.Ordinal) && text.All(c => char.IsAsciiDigit(c) || c is ':' or '.');
    }

    /// <summary>A YAML double-quoted scalar (JSON-style escapes; other control characters as \uXXXX).</summary>
    internal static string Quote(string text)
    {
        var builder = new StringBuilder(text.Length + 2).Append('"');
        foreach (var c in text)
        {
            switch (c)
            {
                case '"':
                    builder.Append("\\\"");
                    break;
                case '\\':
                    builder.Append("\\\\");
                    break;
                case '\n':
                    builder.Append("\\n");
                    break;
                case '\t':
                    builder.Append("\\t");
                    break;
                default:
                    if (char.IsControl(c))
                    {
                        builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        builder.Append(c);
                    }

                    break;
            }
        }

        return builder.Append('"').ToString();
    }
}
