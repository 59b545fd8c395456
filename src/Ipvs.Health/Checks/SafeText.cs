using System.Globalization;
using System.Text;

namespace Ipvs.Health.Checks;

/// <summary>
/// Makes text that came from a real server safe for a log line, a metric label or a terminal:
/// printable ASCII and letters of valid UTF-8 pass, everything else (control characters,
/// escape sequences, line breaks, invalid UTF-8, bidirectional overrides) is written as an
/// escape (<c>\x1b</c>, <c>\n</c>, <c>\u202e</c>), and the result is cut to a length.
/// </summary>
public static class SafeText
{
    /// <summary>The longest text kept by default, in characters.</summary>
    public const int DefaultMaxLength = 120;

    /// <summary>Escapes <paramref name="bytes"/> as received (not necessarily UTF-8).</summary>
    public static string FromBytes(ReadOnlySpan<byte> bytes, int maxLength = DefaultMaxLength)
    {
        var text = new StringBuilder();
        var i = 0;
        while (i < bytes.Length && text.Length < maxLength)
        {
            if (System.Text.Rune.DecodeFromUtf8(bytes[i..], out var rune, out var consumed) == System.Buffers.OperationStatus.Done)
            {
                Append(text, rune);
                i += consumed;
            }
            else
            {
                text.Append("\\x").Append(bytes[i].ToString("x2", CultureInfo.InvariantCulture));
                i++;
            }
        }

        return Finish(text, i < bytes.Length, maxLength);
    }

    /// <summary>Escapes <paramref name="value"/> (a string decoded from a server's bytes).</summary>
    public static string From(string? value, int maxLength = DefaultMaxLength)
    {
        if (string.IsNullOrEmpty(value))
        {
            return string.Empty;
        }

        var text = new StringBuilder();
        var i = 0;
        while (i < value.Length && text.Length < maxLength)
        {
            if (System.Text.Rune.DecodeFromUtf16(value.AsSpan(i), out var rune, out var consumed) == System.Buffers.OperationStatus.Done)
            {
                Append(text, rune);
                i += consumed;
            }
            else
            {
                text.Append("\\u").Append(((int)value[i]).ToString("x4", CultureInfo.InvariantCulture));
                i++;
            }
        }

        return Finish(text, i < value.Length, maxLength);
    }

    private static string Finish(StringBuilder text, bool truncated, int maxLength)
    {
        if (text.Length > maxLength)
        {
            text.Length = maxLength;
        }

        if (truncated)
        {
            text.Append('…');
        }

        return text.ToString();
    }

    private static void Append(StringBuilder text, System.Text.Rune rune)
    {
        switch (rune.Value)
        {
            case '\n':
                text.Append("\\n");
                return;
            case '\r':
                text.Append("\\r");
                return;
            case '\t':
                text.Append("\\t");
                return;
            case '\\':
                text.Append("\\\\");
                return;
            case '"':
                text.Append("\\\"");
                return;
        }

        var category = System.Text.Rune.GetUnicodeCategory(rune);
        var unsafeRune = rune.Value < 0x20 || rune.Value == 0x7f
            || category is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.Surrogate
                or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator;
        if (!unsafeRune)
        {
            text.Append(rune.ToString());
        }
        else if (rune.Value <= 0xff)
        {
            text.Append("\\x").Append(rune.Value.ToString("x2", CultureInfo.InvariantCulture));
        }
        else
        {
            text.Append("\\u").Append(rune.Value.ToString("x4", CultureInfo.InvariantCulture));
        }
    }
}
