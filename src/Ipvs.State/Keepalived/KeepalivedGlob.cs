namespace Ipvs.State.Keepalived;

/// <summary>
/// glob(3) as keepalived calls it for <c>include</c> (GLOB_BRACE | GLOB_MARK): <c>*</c>,
/// <c>?</c>, <c>[…]</c> (with <c>!</c> or <c>^</c> and ranges), <c>{a,b}</c>, a backslash
/// quoting the next character; names starting with '.' only when the pattern's part does; the
/// matches of each brace alternative sorted, in the alternatives' order.
/// </summary>
internal static class KeepalivedGlob
{
    public static bool HasWildcard(string pattern) => pattern.IndexOfAny(['*', '?', '[', '{']) >= 0;

    public static List<string> Expand(string pattern)
    {
        var results = new List<string>();
        foreach (var alternative in Braces(pattern))
        {
            var matches = Match(alternative);
            matches.Sort(StringComparer.Ordinal);
            foreach (var match in matches)
            {
                if (!results.Contains(match, StringComparer.Ordinal))
                {
                    results.Add(match);
                }
            }
        }

        return results;
    }

    // Expands the first top-level {a,b,…} and recurses on each result.
    internal static List<string> Braces(string pattern)
    {
        var open = -1;
        for (var i = 0; i < pattern.Length; i++)
        {
            if (pattern[i] == '\\')
            {
                i++;
            }
            else if (pattern[i] == '{')
            {
                open = i;
                break;
            }
        }

        if (open < 0)
        {
            return [pattern];
        }

        var depth = 0;
        var parts = new List<string>();
        var partStart = open + 1;
        for (var i = open; i < pattern.Length; i++)
        {
            var c = pattern[i];
            if (c == '\\')
            {
                i++;
            }
            else if (c == '{')
            {
                depth++;
            }
            else if (c == ',' && depth == 1)
            {
                parts.Add(pattern[partStart..i]);
                partStart = i + 1;
            }
            else if (c == '}' && --depth == 0)
            {
                parts.Add(pattern[partStart..i]);
                var prefix = pattern[..open];
                var suffix = pattern[(i + 1)..];
                return parts.SelectMany(p => Braces(prefix + p + suffix)).ToList();
            }
        }

        return [pattern]; // an unclosed brace is a plain character
    }

    private static List<string> Match(string pattern)
    {
        var parts = pattern.Split('/');
        var current = new List<string> { pattern.StartsWith('/') ? "/" : string.Empty };
        for (var index = 0; index < parts.Length; index++)
        {
            var part = parts[index];
            if (part.Length == 0)
            {
                continue;
            }

            var last = index == parts.Length - 1 || parts.Skip(index + 1).All(p => p.Length == 0);
            var next = new List<string>();
            foreach (var directory in current)
            {
                var dir = directory.Length == 0 ? "." : directory;
                if (part.IndexOfAny(['*', '?', '[']) < 0)
                {
                    var path = Join(directory, Unquote(part));
                    if (last ? File.Exists(path) || Directory.Exists(path) : Directory.Exists(path))
                    {
                        next.Add(path);
                    }

                    continue;
                }

                if (!Directory.Exists(dir))
                {
                    continue;
                }

                IEnumerable<string> entries;
                try
                {
                    entries = Directory.EnumerateFileSystemEntries(dir).Select(Path.GetFileName).OfType<string>().ToList();
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    continue;
                }

                foreach (var name in entries)
                {
                    if (name.StartsWith('.') && !part.StartsWith('.'))
                    {
                        continue;
                    }

                    if (FnMatch(part, 0, name, 0))
                    {
                        var path = Join(directory, name);
                        if (last || Directory.Exists(path))
                        {
                            next.Add(path);
                        }
                    }
                }
            }

            current = next;
        }

        return current.Where(p => p.Length > 0).ToList();
    }

    private static string Join(string directory, string name) => directory.Length == 0 ? name : directory.EndsWith('/') ? directory + name : directory + "/" + name;

    private static string Unquote(string part) => part.Contains('\\') ? string.Concat(part.Where((c, i) => c != '\\' || (i > 0 && part[i - 1] == '\\'))) : part;

    internal static bool FnMatch(string pattern, int p, string name, int n)
    {
        while (p < pattern.Length)
        {
            var c = pattern[p];
            switch (c)
            {
                case '*':
                    while (p < pattern.Length && pattern[p] == '*')
                    {
                        p++;
                    }

                    if (p == pattern.Length)
                    {
                        return true;
                    }

                    for (var k = n; k <= name.Length; k++)
                    {
                        if (FnMatch(pattern, p, name, k))
                        {
                            return true;
                        }
                    }

                    return false;
                case '?':
                    if (n >= name.Length)
                    {
                        return false;
                    }

                    p++;
                    n++;
                    break;
                case '[':
                    if (n >= name.Length || !MatchClass(pattern, ref p, name[n]))
                    {
                        return false;
                    }

                    n++;
                    break;
                default:
                    if (c == '\\' && p + 1 < pattern.Length)
                    {
                        p++;
                        c = pattern[p];
                    }

                    if (n >= name.Length || name[n] != c)
                    {
                        return false;
                    }

                    p++;
                    n++;
                    break;
            }
        }

        return n == name.Length;
    }

    // p is on '['; on success it moves past the ']'. An unclosed '[' matches itself.
    private static bool MatchClass(string pattern, ref int p, char c)
    {
        var i = p + 1;
        var negate = i < pattern.Length && pattern[i] is '!' or '^';
        if (negate)
        {
            i++;
        }

        var matched = false;
        var first = true;
        while (i < pattern.Length && (pattern[i] != ']' || first))
        {
            first = false;
            var low = pattern[i];
            if (i + 2 < pattern.Length && pattern[i + 1] == '-' && pattern[i + 2] != ']')
            {
                matched |= c >= low && c <= pattern[i + 2];
                i += 3;
            }
            else
            {
                matched |= c == low;
                i++;
            }
        }

        if (i >= pattern.Length)
        {
            // No closing bracket: '[' is literal.
            if (c != '[')
            {
                return false;
            }

            p++;
            return true;
        }

        p = i + 1;
        return matched != negate;
    }
}
