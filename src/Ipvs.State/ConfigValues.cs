using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Ipvs.State;

/// <summary>
/// Reads typed values out of <see cref="ConfigNode"/>s, reporting what is wrong with the node's
/// location. Used by the schema reader and available to extension readers (a <c>health</c>
/// section), so that all parts of a file speak the same way about bad values.
/// </summary>
public static class ConfigValues
{
    /// <summary>
    /// Reports every key of <paramref name="mapping"/> that is not in <paramref name="known"/>,
    /// suggesting the nearest known key; returns true when all keys are known.
    /// </summary>
    public static bool CheckKeys(ConfigMapping mapping, IReadOnlyCollection<string> known, ConfigDiagnostics diagnostics, string where)
    {
        ArgumentNullException.ThrowIfNull(mapping);
        ArgumentNullException.ThrowIfNull(known);
        ArgumentNullException.ThrowIfNull(diagnostics);
        var ok = true;
        var entries = mapping.Entries;
        for (var i = 0; i < entries.Count; i++)
        {
            var entry = entries[i];
            if (!known.Contains(entry.Key.Value))
            {
                var suggestion = Suggest(entry.Key.Value, known);
                diagnostics.Error(entry.Key, $"unknown key '{entry.Key.Value}' in {where}" + (suggestion is null ? $"; known keys: {string.Join(", ", known)}" : $" (did you mean '{suggestion}'?)"));
                ok = false;
            }
        }

        return ok;
    }

    /// <summary>Reads a non-empty text value.</summary>
    public static bool TryReadString(ConfigNode node, string what, ConfigDiagnostics diagnostics, [NotNullWhen(true)] out string? value)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(diagnostics);
        if (node is ConfigScalar { IsNull: false } scalar && scalar.Value.Length > 0)
        {
            value = scalar.Value;
            return true;
        }

        diagnostics.Error(node, $"{what} must be a value, not {node.KindName}");
        value = null;
        return false;
    }

    /// <summary>Reads a whole number in <paramref name="min"/>..<paramref name="max"/> (decimal; quoted numbers are accepted too).</summary>
    public static bool TryReadUInt32(ConfigNode node, string what, uint min, uint max, ConfigDiagnostics diagnostics, out uint value)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(diagnostics);
        value = 0;
        if (node is not ConfigScalar { IsNull: false } scalar)
        {
            diagnostics.Error(node, $"{what} must be a number from {min} to {max}, not {node.KindName}");
            return false;
        }

        if (!ulong.TryParse(scalar.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
        {
            diagnostics.Error(node, $"{what} '{scalar.Value}' is not a number: expected {min} to {max}");
            return false;
        }

        if (parsed < min || parsed > max)
        {
            diagnostics.Error(node, $"{what} {scalar.Value} is out of range: expected {min} to {max}");
            return false;
        }

        value = (uint)parsed;
        return true;
    }

    /// <summary>Reads <c>true</c> or <c>false</c>.</summary>
    public static bool TryReadBoolean(ConfigNode node, string what, ConfigDiagnostics diagnostics, out bool value)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(diagnostics);
        value = false;
        if (node is ConfigScalar { IsQuoted: false } scalar)
        {
            switch (scalar.Value)
            {
                case "true" or "True" or "TRUE":
                    value = true;
                    return true;
                case "false" or "False" or "FALSE":
                    return true;
            }
        }

        diagnostics.Error(node, $"{what} must be true or false, not '{Describe(node)}'");
        return false;
    }

    /// <summary>
    /// Reads a duration: a number of seconds (<c>30</c>) or numbers with units, <c>ms s m h d</c>,
    /// which may be combined (<c>1m30s</c>, <c>250ms</c>).
    /// </summary>
    public static bool TryReadDuration(ConfigNode node, string what, ConfigDiagnostics diagnostics, out TimeSpan value)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(diagnostics);
        value = TimeSpan.Zero;
        if (node is ConfigScalar { IsNull: false } scalar && TryParseDuration(scalar.Value, out value, out var error))
        {
            return true;
        }

        diagnostics.Error(node, node is ConfigScalar { IsNull: false } bad
            ? $"{what} '{bad.Value}' is not a duration: {TryParseDurationError(bad.Value)}"
            : $"{what} must be a duration such as 30s, 5m or 1h30m, not {node.KindName}");
        return false;
    }

    /// <summary>Parses a duration as <see cref="TryReadDuration"/> does; <paramref name="error"/> says what is wrong.</summary>
    public static bool TryParseDuration(string text, out TimeSpan value, [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        value = TimeSpan.Zero;
        text = text.Trim();
        if (text.Length == 0)
        {
            error = "empty";
            return false;
        }

        if (ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            if (seconds > 10L * 365 * 86400)
            {
                error = "too long";
                return false;
            }

            value = TimeSpan.FromSeconds(seconds);
            error = null;
            return true;
        }

        var total = 0.0;
        var i = 0;
        while (i < text.Length)
        {
            var start = i;
            while (i < text.Length && (char.IsAsciiDigit(text[i]) || text[i] == '.'))
            {
                i++;
            }

            if (start == i || !double.TryParse(text.AsSpan(start, i - start), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
            {
                error = "expected a number of seconds, or numbers with units ms, s, m, h, d (30s, 5m, 1h30m)";
                return false;
            }

            var unitStart = i;
            while (i < text.Length && char.IsAsciiLetter(text[i]))
            {
                i++;
            }

            var factor = text[unitStart..i] switch
            {
                "ms" => 0.001,
                "s" => 1.0,
                "m" => 60.0,
                "h" => 3600.0,
                "d" => 86400.0,
                _ => double.NaN,
            };
            if (double.IsNaN(factor))
            {
                error = unitStart == i ? "a number needs a unit (ms, s, m, h, d) when several are combined" : $"unknown unit '{text[unitStart..i]}': use ms, s, m, h or d";
                return false;
            }

            total += number * factor;
        }

        if (total > 10.0 * 365 * 86400)
        {
            error = "too long";
            return false;
        }

        value = TimeSpan.FromMilliseconds(Math.Round(total * 1000));
        error = null;
        return true;
    }

    /// <summary>Formats a duration the way <see cref="TryParseDuration"/> reads it: <c>90s</c> → <c>1m30s</c>.</summary>
    public static string FormatDuration(TimeSpan value)
    {
        if (value <= TimeSpan.Zero)
        {
            return "0s";
        }

        if (value < TimeSpan.FromSeconds(1))
        {
            return ((int)value.TotalMilliseconds).ToString(CultureInfo.InvariantCulture) + "ms";
        }

        var seconds = (long)Math.Ceiling(value.TotalSeconds);
        var text = string.Empty;
        if (seconds >= 86400)
        {
            text += (seconds / 86400).ToString(CultureInfo.InvariantCulture) + "d";
            seconds %= 86400;
        }

        if (seconds >= 3600)
        {
            text += (seconds / 3600).ToString(CultureInfo.InvariantCulture) + "h";
            seconds %= 3600;
        }

        if (seconds >= 60)
        {
            text += (seconds / 60).ToString(CultureInfo.InvariantCulture) + "m";
            seconds %= 60;
        }

        if (seconds > 0 || text.Length == 0)
        {
            text += seconds.ToString(CultureInfo.InvariantCulture) + "s";
        }

        return text;
    }

    /// <summary>The known name closest to <paramref name="text"/>, when it is close enough to be a typo.</summary>
    public static string? Suggest(string text, IEnumerable<string> known)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(known);
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var candidate in known)
        {
            var distance = Distance(text.ToLowerInvariant(), candidate.ToLowerInvariant());
            if (distance < bestDistance)
            {
                bestDistance = distance;
                best = candidate;
            }
        }

        return best is not null && bestDistance <= Math.Max(1, Math.Min(text.Length, best.Length) / 3) ? best : null;
    }

    /// <summary>How a node reads in a message.</summary>
    internal static string Describe(ConfigNode node) => node is ConfigScalar scalar ? scalar.Value : node.KindName;

    private static string TryParseDurationError(string text) => TryParseDuration(text, out _, out var error) ? "invalid" : error;

    // Levenshtein distance with adjacent transpositions: "wieght" is one step from "weight".
    private static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }

        return d[a.Length, b.Length];
    }
}
