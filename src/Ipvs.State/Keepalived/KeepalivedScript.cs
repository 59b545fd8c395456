using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;

namespace Ipvs.State.Keepalived;

/// <summary>
/// A script keyword of keepalived (<c>notify_up</c>, <c>notify_down</c>, <c>quorum_up</c>,
/// <c>quorum_down</c>, <c>misc_path</c>) as keepalived execs it: the line is split again with
/// single and double quotes and backslash escapes, its first value split once more into the
/// program and its arguments (never through a shell), and the values after it are the user and
/// group.
/// </summary>
/// <param name="Arguments">The program and its arguments.</param>
/// <param name="User">The user it runs as (the next value), or null.</param>
/// <param name="Group">The group (the value after the user), or null.</param>
public sealed record KeepalivedScript(IReadOnlyList<string> Arguments, string? User, string? Group)
{
    /// <summary>Reads the script of a statement; false with a message when its quoting is broken or it names no program.</summary>
    public static bool TryParse(KeepalivedStatement statement, [NotNullWhen(true)] out KeepalivedScript? script, [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(statement);
        script = null;
        if (!TrySplit(statement.Text, out var words, out error))
        {
            return false;
        }

        if (words.Count < 2 || words[1].Length == 0)
        {
            error = $"{statement.Keyword} names no program";
            return false;
        }

        if (!TrySplit(words[1], out var arguments, out error))
        {
            return false;
        }

        if (arguments.Count == 0)
        {
            error = $"{statement.Keyword} names no program";
            return false;
        }

        script = new KeepalivedScript(arguments, words.Count > 2 ? words[2] : null, words.Count > 3 ? words[3] : null);
        return true;
    }

    /// <summary>
    /// Splits text into words as keepalived's script parser does: blanks separate words; single
    /// or double quotes group (and are removed); a backslash escapes the next character
    /// (<c>\n \t \r \a \b \f \v \E</c>, <c>\xHH</c>, <c>\NNN</c> octal, <c>\cX</c> control), also
    /// inside quotes.
    /// </summary>
    public static bool TrySplit(string text, out IReadOnlyList<string> words, [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        var result = new List<string>();
        words = result;
        error = null;
        var i = 0;
        while (i < text.Length)
        {
            while (i < text.Length && IsWhite(text[i]))
            {
                i++;
            }

            if (i >= text.Length)
            {
                break;
            }

            var word = new StringBuilder();
            var quote = '\0';
            while (i < text.Length)
            {
                var c = text[i];
                if (c == '\\')
                {
                    i++;
                    if (i >= text.Length)
                    {
                        error = $"'{text}': a backslash at the end escapes nothing";
                        return false;
                    }

                    word.Append(Unescape(text, ref i));
                    continue;
                }

                if (quote != '\0')
                {
                    if (c == quote)
                    {
                        quote = '\0';
                    }
                    else
                    {
                        word.Append(c);
                    }

                    i++;
                    continue;
                }

                if (c is '"' or '\'')
                {
                    quote = c;
                    i++;
                    continue;
                }

                if (IsWhite(c))
                {
                    break;
                }

                word.Append(c);
                i++;
            }

            if (quote != '\0')
            {
                error = $"'{text}': missing the closing {quote}";
                return false;
            }

            result.Add(word.ToString());
        }

        return true;
    }

    private static bool IsWhite(char c) => c is ' ' or '\t' or '\n' or '\r' or '\f' or '\v';

    // The character after a backslash; i is on it and ends after what was consumed.
    private static char Unescape(string text, ref int i)
    {
        var c = text[i];
        if (c == 'x' && i + 1 < text.Length && char.IsAsciiHexDigit(text[i + 1]))
        {
            // keepalived accumulates every hex digit into one char (keeping the low 8 bits).
            i++;
            var value = 0;
            while (i < text.Length && char.IsAsciiHexDigit(text[i]))
            {
                value = ((value << 4) | int.Parse(text.AsSpan(i, 1), NumberStyles.HexNumber, CultureInfo.InvariantCulture)) & 0xff;
                i++;
            }

            return (char)value;
        }

        if (c == 'c' && i + 1 < text.Length)
        {
            var control = (char)(text[i + 1] & 0x1f);
            i += 2;
            return control;
        }

        if (c is >= '0' and <= '7')
        {
            var value = c - '0';
            i++;
            for (var n = 0; n < 2 && i < text.Length && text[i] is >= '0' and <= '7'; n++, i++)
            {
                value = (value << 3) + (text[i] - '0');
            }

            return (char)(value & 0xff);
        }

        i++;
        return c switch
        {
            'a' => '\a',
            'b' => '\b',
            'E' => '\x1b',
            'f' => '\f',
            'n' => '\n',
            'r' => '\r',
            't' => '\t',
            'v' => '\v',
            _ => c,
        };
    }
}
