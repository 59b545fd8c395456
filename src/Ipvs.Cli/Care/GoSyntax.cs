using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Ipvs.Cli.Care;

/// <summary>
/// The value syntaxes of Go's flag packages that lvscare's flags use, so the same command lines
/// mean the same thing: time.ParseDuration, strconv.ParseBool, strconv.ParseInt(s, 0, 64) and
/// encoding/csv's reading of one record.
/// </summary>
internal static class GoSyntax
{
    /// <summary>Parses a Go duration: <c>300ms</c>, <c>-1.5h</c>, <c>2h45m</c>, <c>0</c>; units ns, us, µs, ms, s, m, h.</summary>
    public static bool TryParseDuration(string text, out TimeSpan value, [NotNullWhen(false)] out string? error)
    {
        value = TimeSpan.Zero;
        error = null;
        var s = text.AsSpan();
        var negative = false;
        if (s.Length > 0 && (s[0] == '-' || s[0] == '+'))
        {
            negative = s[0] == '-';
            s = s[1..];
        }

        if (s is "0")
        {
            return true;
        }

        if (s.IsEmpty)
        {
            error = $"time: invalid duration \"{text}\"";
            return false;
        }

        // Accumulate in nanoseconds with arbitrary precision, then convert (TimeSpan holds 100 ns ticks).
        Int128 totalNanoseconds = 0;
        while (!s.IsEmpty)
        {
            var digits = 0;
            Int128 whole = 0;
            while (digits < s.Length && char.IsAsciiDigit(s[digits]))
            {
                whole = (whole * 10) + (s[digits] - '0');
                digits++;
                if (whole > long.MaxValue)
                {
                    error = $"time: invalid duration \"{text}\"";
                    return false;
                }
            }

            var hadWhole = digits > 0;
            s = s[digits..];
            Int128 fraction = 0;
            Int128 scale = 1;
            var hadFraction = false;
            var overflow = false;
            if (!s.IsEmpty && s[0] == '.')
            {
                s = s[1..];
                var fractionDigits = 0;
                while (fractionDigits < s.Length && char.IsAsciiDigit(s[fractionDigits]))
                {
                    // As Go's leadingFraction: digits that would overflow 63 bits are ignored.
                    var next = (fraction * 10) + (s[fractionDigits] - '0');
                    overflow |= fraction > long.MaxValue / 10 || next > (Int128)long.MaxValue + 1;
                    if (!overflow)
                    {
                        fraction = next;
                        scale *= 10;
                    }

                    fractionDigits++;
                }

                hadFraction = fractionDigits > 0;
                s = s[fractionDigits..];
            }

            if (!hadWhole && !hadFraction)
            {
                error = $"time: invalid duration \"{text}\"";
                return false;
            }

            var unitLength = 0;
            while (unitLength < s.Length && s[unitLength] != '.' && !char.IsAsciiDigit(s[unitLength]))
            {
                unitLength++;
            }

            if (unitLength == 0)
            {
                error = $"time: missing unit in duration \"{text}\"";
                return false;
            }

            long unit = s[..unitLength] switch
            {
                "ns" => 1,
                "us" or "µs" or "μs" => 1_000,
                "ms" => 1_000_000,
                "s" => 1_000_000_000,
                "m" => 60_000_000_000,
                "h" => 3_600_000_000_000,
                _ => 0,
            };
            if (unit == 0)
            {
                error = $"time: unknown unit \"{s[..unitLength].ToString()}\" in duration \"{text}\"";
                return false;
            }

            s = s[unitLength..];
            // The fraction as Go adds it: through a float64, which rounds 0.333…h to exactly 20m.
            totalNanoseconds += (whole * unit) + (long)((double)fraction * ((double)unit / (double)scale));
            if (totalNanoseconds > long.MaxValue)
            {
                error = $"time: invalid duration \"{text}\"";
                return false;
            }
        }

        var ticks = (long)(totalNanoseconds / 100);
        value = TimeSpan.FromTicks(negative ? -ticks : ticks);
        return true;
    }

    /// <summary>strconv.ParseBool: 1, t, T, TRUE, true, True, 0, f, F, FALSE, false, False.</summary>
    public static bool TryParseBool(string text, out bool value)
    {
        switch (text)
        {
            case "1" or "t" or "T" or "TRUE" or "true" or "True":
                value = true;
                return true;
            case "0" or "f" or "F" or "FALSE" or "false" or "False":
                value = false;
                return true;
            default:
                value = false;
                return false;
        }
    }

    /// <summary>strconv.ParseInt(s, 0, 64): an optional sign, then 0x/0o/0b or a leading 0 (octal), underscores between digits.</summary>
    public static bool TryParseInt(string text, out long value)
    {
        value = 0;
        var s = text.AsSpan();
        var negative = false;
        if (s.Length > 0 && (s[0] == '-' || s[0] == '+'))
        {
            negative = s[0] == '-';
            s = s[1..];
        }

        var radix = 10;
        var prefixed = false;
        if (s.Length >= 2 && s[0] == '0')
        {
            switch (char.ToLowerInvariant(s[1]))
            {
                case 'x':
                    radix = 16;
                    s = s[2..];
                    prefixed = true;
                    break;
                case 'o':
                    radix = 8;
                    s = s[2..];
                    prefixed = true;
                    break;
                case 'b':
                    radix = 2;
                    s = s[2..];
                    prefixed = true;
                    break;
                default:
                    radix = 8;
                    s = s[1..];
                    prefixed = true;
                    break;
            }
        }

        if (s.IsEmpty)
        {
            return false;
        }

        Int128 result = 0;
        var previousUnderscore = prefixed; // "0x_1" is valid, "_1" is not
        var sawDigit = false;
        foreach (var c in s)
        {
            if (c == '_')
            {
                if (!previousUnderscore && !sawDigit && !prefixed)
                {
                    return false;
                }

                previousUnderscore = true;
                continue;
            }

            var digit = c switch
            {
                >= '0' and <= '9' => c - '0',
                >= 'a' and <= 'z' => c - 'a' + 10,
                >= 'A' and <= 'Z' => c - 'A' + 10,
                _ => 99,
            };
            if (digit >= radix)
            {
                return false;
            }

            result = (result * radix) + digit;
            if (result > (Int128)long.MaxValue + 1)
            {
                return false;
            }

            previousUnderscore = false;
            sawDigit = true;
        }

        if (!sawDigit || s[^1] == '_')
        {
            return false;
        }

        if (negative)
        {
            result = -result;
        }

        if (result > long.MaxValue || result < long.MinValue)
        {
            return false;
        }

        value = (long)result;
        return true;
    }

    /// <summary>strconv.Atoi: an optional sign and decimal digits.</summary>
    public static bool TryParseDecimal(string text, out long value) =>
        long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value) && !text.StartsWith(' ');

    /// <summary>Reads one record as encoding/csv does (comma-separated, double quotes around a field, "" inside quotes).</summary>
    public static bool TryReadCsvRecord(string text, [NotNullWhen(true)] out List<string>? fields, [NotNullWhen(false)] out string? error)
    {
        fields = [];
        error = null;
        var position = 0;
        while (true)
        {
            if (position < text.Length && text[position] == '"')
            {
                var field = new System.Text.StringBuilder();
                var i = position + 1;
                while (true)
                {
                    if (i >= text.Length)
                    {
                        error = $"parse error on line 1, column {i + 1}: extraneous or missing \" in quoted-field";
                        fields = null;
                        return false;
                    }

                    if (text[i] == '"')
                    {
                        if (i + 1 < text.Length && text[i + 1] == '"')
                        {
                            field.Append('"');
                            i += 2;
                            continue;
                        }

                        i++;
                        break;
                    }

                    field.Append(text[i]);
                    i++;
                }

                if (i < text.Length && text[i] != ',')
                {
                    error = $"parse error on line 1, column {i + 1}: extraneous or missing \" in quoted-field";
                    fields = null;
                    return false;
                }

                fields.Add(field.ToString());
                if (i >= text.Length)
                {
                    return true;
                }

                position = i + 1;
            }
            else
            {
                var comma = text.IndexOf(',', position);
                var end = comma < 0 ? text.Length : comma;
                var quote = text.IndexOf('"', position, end - position);
                if (quote >= 0)
                {
                    error = $"parse error on line 1, column {quote + 1}: bare \" in non-quoted-field";
                    fields = null;
                    return false;
                }

                fields.Add(text[position..end]);
                if (comma < 0)
                {
                    return true;
                }

                position = comma + 1;
            }
        }
    }
}
