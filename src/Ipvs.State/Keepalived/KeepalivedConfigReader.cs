using System.Text;

namespace Ipvs.State.Keepalived;

/// <summary>
/// Reads a keepalived configuration as keepalived 2.2.7 reads it (lib/parser.c): comments from
/// an unquoted <c>#</c> or <c>!</c> (<c>\#</c>, <c>\!</c> are the characters), double-quoted
/// values with blanks, braces anywhere on a line (the one opening a block on the keyword's line or
/// the next), and <c>include GLOB</c> (relative to the including file's directory, with
/// <c>{a,b}</c> braces). Every word keeps its file, line and column. Beyond keepalived, every
/// problem is an error: a block left open, an extra brace, a block keyword without its block, an
/// unknown keyword in the blocks the importer reads, an include that matches nothing, an
/// include loop. One-line definitions (<c>$NAME=value</c>, used as <c>$NAME</c> or
/// <c>${NAME}</c>) are replaced as keepalived replaces them; multi-line definitions, parameters,
/// <c>$_INSTANCE</c>, <c>$_RANDOM</c>, <c>~SEQ</c>/<c>~LST</c> and conditional lines
/// (<c>@ID …</c>) are refused with their position.
/// </summary>
public static class KeepalivedConfigReader
{
    /// <summary>Where keepalived reads its configuration by default.</summary>
    public const string DefaultPath = "/etc/keepalived/keepalived.conf";

    /// <summary>Reads a file and its includes.</summary>
    public static KeepalivedReadResult Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var reader = new Reader(Path.IsPathRooted(path));
        reader.ReadMain(path);
        return reader.Finish();
    }

    /// <summary>Reads text as the file <paramref name="fileName"/> (includes are relative to its directory).</summary>
    public static KeepalivedReadResult Parse(string text, string fileName)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(fileName);
        var reader = new Reader(Path.IsPathRooted(fileName));
        reader.ReadText(text, fileName, Path.GetFullPath(fileName));
        return reader.Finish();
    }

    private enum SegmentKind
    {
        Statement,
        Open,
        Close,
    }

    private readonly record struct Segment(SegmentKind Kind, SourceLocation Location, KeepalivedStatement? Statement);

    private sealed class Reader(bool absoluteNames)
    {
        private readonly List<KeepalivedDiagnostic> _errors = [];
        private readonly List<Segment> _segments = [];
        private readonly List<string> _files = [];
        private readonly List<string> _stack = [];
        private readonly Dictionary<string, string> _definitions = new(StringComparer.Ordinal);

        // keepalived's check_definition(): "$NAME=value", NAME a letter or '_' then letters, digits, '_'.
        private static (string Name, int Assign)? Definition(ReadOnlySpan<char> text)
        {
            if (text.Length < 3 || text[0] != '$' || !(char.IsAsciiLetter(text[1]) || text[1] == '_'))
            {
                return null;
            }

            var i = 2;
            while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] == '_'))
            {
                i++;
            }

            var name = text[1..i].ToString();
            while (i < text.Length && text[i] is ' ' or '\t')
            {
                i++;
            }

            return i < text.Length && text[i] == '=' ? (name, i) : null;
        }

        // keepalived's replace_param(): $NAME (followed by a blank, ',', ')' or the end) or ${NAME}
        // is replaced by its value; the built-in $_PWD (the file's directory), $_HASH and $_BANG
        // too. Other '$' stay. The replacement's characters take the column of its '$'; comments
        // the replacement makes are stripped again, as keepalived does.
        private bool Substitute(ref string text, ref List<int> columns, int offset, string file, int line, string directory)
        {
            var output = new StringBuilder(text.Length);
            var outColumns = new List<int>(columns.Count);
            output.Append(text, 0, offset);
            outColumns.AddRange(columns.Take(offset));
            var i = offset;
            while (i < text.Length)
            {
                if (text[i] == '$' && i + 1 < text.Length)
                {
                    var braces = text[i + 1] == '{';
                    var start = i + (braces ? 2 : 1);
                    var end = start;
                    if (end < text.Length && (char.IsAsciiLetter(text[end]) || text[end] == '_'))
                    {
                        end++;
                        while (end < text.Length && (char.IsAsciiLetterOrDigit(text[end]) || text[end] == '_'))
                        {
                            end++;
                        }

                        var name = text[start..end];
                        var terminated = braces ? end < text.Length && text[end] == '}' : end == text.Length || text[end] is ' ' or '\t' or ',' or ')';
                        string? value = null;
                        if (terminated)
                        {
                            value = _definitions.TryGetValue(name, out var defined) ? defined : name switch
                            {
                                "_PWD" => directory,
                                "_HASH" => "#",
                                "_BANG" => "!",
                                _ => null,
                            };
                            if (value is null && name is "_INSTANCE" or "_RANDOM")
                            {
                                Error(file, line, columns[i], $"keepalived's built-in ${name} is not supported: write its value");
                                return false;
                            }
                        }
                        else if (braces && _definitions.ContainsKey(name))
                        {
                            Error(file, line, columns[i], $"parameters of a keepalived definition (${{{name} …}}) are not supported: write the value");
                            return false;
                        }

                        if (value is not null)
                        {
                            output.Append(value);
                            outColumns.AddRange(Enumerable.Repeat(columns[i], value.Length));
                            i = braces ? end + 1 : end;
                            continue;
                        }
                    }
                }

                output.Append(text[i]);
                outColumns.Add(columns[i]);
                i++;
            }

            // decomment() again: an unquoted '#' or '!' the values brought starts a comment.
            var quote = false;
            var cut = output.Length;
            for (var k = offset; k < output.Length; k++)
            {
                if (output[k] == '"')
                {
                    quote = !quote;
                }
                else if (!quote && output[k] is '#' or '!')
                {
                    cut = k;
                    break;
                }
            }

            text = output.ToString(0, cut).TrimEnd(' ', '\t');
            columns = outColumns;
            return true;
        }

        public void ReadMain(string path)
        {
            string text;
            try
            {
                text = File.ReadAllText(path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                _errors.Add(new KeepalivedDiagnostic(new SourceLocation(path, 0, 0), "cannot read the file: " + e.Message));
                return;
            }

            ReadText(text, path, Path.GetFullPath(path));
        }

        public void ReadText(string text, string display, string fullPath)
        {
            _files.Add(display);
            _stack.Add(fullPath);
            var directory = Path.GetDirectoryName(fullPath) ?? "/";
            var lineNumber = 0;
            var start = 0;
            while (start < text.Length)
            {
                var end = text.IndexOf('\n', start);
                var line = end < 0 ? text[start..] : text[start..end];
                start = end < 0 ? text.Length : end + 1;
                lineNumber++;
                ReadLine(line.TrimEnd('\r'), display, lineNumber, directory);
            }

            _stack.RemoveAt(_stack.Count - 1);
        }

        public KeepalivedReadResult Finish()
        {
            var root = BuildTree();
            if (_errors.Count == 0)
            {
                Validate(root, KeepalivedKeywords.Root);
            }

            return _errors.Count == 0 ? new KeepalivedReadResult(new KeepalivedConfig(root, _files), []) : new KeepalivedReadResult(null, _errors);
        }

        private void Error(string file, int line, int column, string message) => _errors.Add(new KeepalivedDiagnostic(new SourceLocation(file, line, column), message));

        private void ReadLine(string line, string file, int lineNumber, string directory)
        {
            // decomment(): leading blanks go, a comment starts at an unquoted '#' or '!', "\#" and
            // "\!" outside quotes are the characters themselves; columns follow the original line.
            var chars = new StringBuilder(line.Length);
            var columns = new List<int>(line.Length);
            var i = 0;
            while (i < line.Length && line[i] is ' ' or '\t')
            {
                i++;
            }

            var quote = false;
            var quoteColumn = 0;
            for (; i < line.Length; i++)
            {
                var c = line[i];
                if (c == '"')
                {
                    quote = !quote;
                    quoteColumn = i + 1;
                }
                else if (c == '\\')
                {
                    if (i + 1 >= line.Length)
                    {
                        var first = line.AsSpan().TrimStart(" \t");
                        if (Definition(first) is not null)
                        {
                            Error(file, lineNumber, line.Length - first.Length + 1, "multi-line keepalived definitions ($NAME=… \\) are not supported: write the lines in place of the $NAME references");
                        }
                        else
                        {
                            Error(file, lineNumber, i + 1, "a '\\' at the end of a line: keepalived continues only a $definition on the next line; join the lines");
                        }

                        return;
                    }

                    if (!quote && line[i + 1] is '#' or '!')
                    {
                        chars.Append(line[i + 1]);
                        columns.Add(i + 2);
                    }
                    else
                    {
                        chars.Append(c).Append(line[i + 1]);
                        columns.Add(i + 1);
                        columns.Add(i + 2);
                    }

                    i++;
                    continue;
                }
                else if (!quote && c is '#' or '!')
                {
                    break;
                }

                chars.Append(c);
                columns.Add(i + 1);
            }

            if (quote)
            {
                Error(file, lineNumber, quoteColumn, "a double quote is not closed on its line");
                return;
            }

            var text = chars.ToString().TrimEnd(' ', '\t');
            if (text.Length > 0)
            {
                ProcessText(text, columns, 0, file, lineNumber, directory);
            }
        }

        // Processes text[offset..] (no comment, blanks trimmed at the end): include, then the
        // braces split it into statements, each rest processed again (keepalived's line residue).
        private void ProcessText(string text, List<int> columns, int offset, string file, int line, string directory)
        {
            var substituted = false;
            while (true)
            {
                while (offset < text.Length && text[offset] is ' ' or '\t')
                {
                    offset++;
                }

                if (offset >= text.Length)
                {
                    return;
                }

                var column = columns[offset];
                var rest = text.AsSpan(offset);
                if (rest[0] == '@')
                {
                    Error(file, line, column, "conditional configuration ('@ID …' lines, keepalived -i/--config-id) is not supported: keep the lines for this director without their '@ID' and remove the others");
                    return;
                }

                if (Definition(rest) is { } definition)
                {
                    var value = rest[(definition.Assign + 1)..].ToString().TrimStart(' ', '\t');
                    if (value.EndsWith('\\'))
                    {
                        Error(file, line, column, "multi-line keepalived definitions ($NAME=… \\) are not supported: write the lines in place of the $NAME references");
                        return;
                    }

                    _definitions[definition.Name] = value;
                    return;
                }

                if (!substituted && (_definitions.Count > 0 || rest.Contains("$_", StringComparison.Ordinal) || rest.Contains("${_", StringComparison.Ordinal)))
                {
                    substituted = true;
                    if (!Substitute(ref text, ref columns, offset, file, line, directory))
                    {
                        return;
                    }

                    rest = text.AsSpan(offset);
                    if (rest.Length == 0)
                    {
                        return;
                    }
                }

                if (rest.StartsWith("~SEQ", StringComparison.Ordinal) || rest.StartsWith("~LST", StringComparison.Ordinal))
                {
                    Error(file, line, column, $"keepalived's {rest[..4]} is not supported: write the lines it would generate");
                    return;
                }

                if (IncludePattern(rest) is { } patternOffset)
                {
                    var pattern = text[(offset + patternOffset)..].Trim(' ', '\t');
                    Include(pattern, file, line, column, directory);
                    return;
                }

                if (rest[0] is '{' or '}')
                {
                    _segments.Add(new Segment(rest[0] == '{' ? SegmentKind.Open : SegmentKind.Close, new SourceLocation(file, line, column), null));
                    offset++;
                    continue;
                }

                var brace = FindBrace(text, offset);
                var end = brace < 0 ? text.Length : brace;
                var segment = text[offset..end].TrimEnd(' ', '\t');
                AddStatement(segment, columns, offset, file, line);
                if (brace < 0)
                {
                    return;
                }

                offset = brace;
            }
        }

        // The first '{' or '}' outside double quotes, or -1.
        private static int FindBrace(string text, int offset)
        {
            for (var i = offset; i < text.Length; i++)
            {
                if (text[i] == '"')
                {
                    var close = text.IndexOf('"', i + 1);
                    if (close < 0)
                    {
                        return -1;
                    }

                    i = close;
                }
                else if (text[i] is '{' or '}')
                {
                    return i;
                }
            }

            return -1;
        }

        // keepalived's is_include(): "include" then a blank, or "includeX" (X one of r m w b a) then a blank.
        private static int? IncludePattern(ReadOnlySpan<char> text)
        {
            if (!text.StartsWith("include", StringComparison.Ordinal) || text.Length < 8)
            {
                return null;
            }

            if (char.IsWhiteSpace(text[7]))
            {
                return 8;
            }

            return text.Length > 8 && "rmwba".Contains(text[7]) && char.IsWhiteSpace(text[8]) ? 9 : null;
        }

        private void AddStatement(string segment, List<int> columns, int offset, string file, int line)
        {
            // alloc_strvec(): blanks separate words; a word starting with '"' runs to the next '"'
            // (blanks kept, no escapes); an unquoted word ends at a blank or a '"'.
            var words = new List<KeepalivedWord>();
            var i = 0;
            while (i < segment.Length)
            {
                while (i < segment.Length && char.IsWhiteSpace(segment[i]))
                {
                    i++;
                }

                if (i >= segment.Length)
                {
                    break;
                }

                var location = new SourceLocation(file, line, columns[offset + i]);
                if (segment[i] == '"')
                {
                    var close = segment.IndexOf('"', i + 1);
                    if (close < 0)
                    {
                        Error(file, line, location.Column, "a double quote is not closed");
                        return;
                    }

                    words.Add(new KeepalivedWord(segment[(i + 1)..close], location));
                    i = close + 1;
                }
                else
                {
                    var start = i;
                    while (i < segment.Length && !char.IsWhiteSpace(segment[i]) && segment[i] != '"')
                    {
                        i++;
                    }

                    words.Add(new KeepalivedWord(segment[start..i], location));
                }
            }

            if (words.Count > 0)
            {
                var statement = new KeepalivedStatement(words, segment, new SourceLocation(file, line, columns[offset]));
                _segments.Add(new Segment(SegmentKind.Statement, statement.Location, statement));
            }
        }

        private void Include(string pattern, string file, int line, int column, string directory)
        {
            if (pattern.Length == 0)
            {
                Error(file, line, column, "include names no file");
                return;
            }

            if (pattern.Length >= 2 && pattern[0] is '"' or '\'' && pattern[^1] == pattern[0])
            {
                Error(file, line, column, $"include {pattern}: keepalived takes the pattern as written, quotes included, so it matches nothing; remove the quotes");
                return;
            }

            var full = Path.IsPathRooted(pattern) ? pattern : Path.Combine(directory, pattern);
            var matches = KeepalivedGlob.Expand(full);
            if (matches.Count == 0)
            {
                var wildcard = KeepalivedGlob.HasWildcard(pattern);
                Error(file, line, column, wildcard
                    ? $"include {pattern}: no file matches {full}"
                    : $"include {pattern}: {full} does not exist");
                return;
            }

            foreach (var match in matches)
            {
                if (Directory.Exists(match))
                {
                    Error(file, line, column, $"include {pattern}: {match} is a directory (keepalived skips it); match files only, e.g. {Path.Combine(pattern, "*.conf")}");
                    continue;
                }

                if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(match) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0)
                {
                    Error(file, line, column, $"include {pattern}: {match} is executable, and keepalived skips executable files; remove its execute bits");
                    continue;
                }

                var fullMatch = Path.GetFullPath(match);
                if (_stack.Contains(fullMatch, StringComparer.Ordinal))
                {
                    var chain = string.Join(" -> ", _stack.SkipWhile(p => p != fullMatch).Append(fullMatch));
                    Error(file, line, column, $"include loop: {chain}");
                    continue;
                }

                string text;
                try
                {
                    text = File.ReadAllText(match);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    Error(file, line, column, $"include {pattern}: cannot read {match}: {e.Message}");
                    continue;
                }

                var display = absoluteNames ? fullMatch : Path.GetRelativePath(Environment.CurrentDirectory, fullMatch);
                ReadText(text, display, fullMatch);
            }
        }

        private List<KeepalivedStatement> BuildTree()
        {
            var root = new List<KeepalivedStatement>();
            var stack = new Stack<(List<KeepalivedStatement> List, KeepalivedStatement? Owner, SourceLocation Open)>();
            var current = root;
            Segment? previous = null;
            foreach (var segment in _segments)
            {
                switch (segment.Kind)
                {
                    case SegmentKind.Open:
                        if (previous is { Kind: SegmentKind.Statement, Statement: { BlockList: null } owner })
                        {
                            owner.BlockList = [];
                            stack.Push((current, owner, segment.Location));
                            current = owner.BlockList;
                        }
                        else
                        {
                            _errors.Add(new KeepalivedDiagnostic(segment.Location, "'{' without a keyword before it: a block opens right after its keyword (on the same line or the next)"));
                            stack.Push((current, null, segment.Location));
                            current = [];
                        }

                        break;
                    case SegmentKind.Close:
                        if (stack.Count == 0)
                        {
                            _errors.Add(new KeepalivedDiagnostic(segment.Location, "extra '}': no block is open here"));
                        }
                        else
                        {
                            var (list, opened, _) = stack.Pop();
                            if (opened is not null)
                            {
                                opened.BlockEnd = segment.Location;
                            }

                            current = list;
                        }

                        break;
                    default:
                        current.Add(segment.Statement!);
                        break;
                }

                previous = segment;
            }

            foreach (var (_, owner, open) in stack.Reverse())
            {
                _errors.Add(new KeepalivedDiagnostic(open, $"missing '}}': the block of '{owner?.Keyword ?? "{"}' opened here is not closed at the end of the configuration"));
            }

            return root;
        }

        private void Validate(IReadOnlyList<KeepalivedStatement> statements, KeywordContext context)
        {
            foreach (var statement in statements)
            {
                if (!context.Keywords.TryGetValue(statement.Keyword, out var spec))
                {
                    var suggestion = Suggest(statement.Keyword, context.Keywords.Keys);
                    _errors.Add(new KeepalivedDiagnostic(statement.Location, $"unknown keyword '{statement.Keyword}' in {context.Name}" + (suggestion is null ? string.Empty : $" (did you mean '{suggestion}'?)")));
                    continue;
                }

                if (spec.Body == KeywordBody.None)
                {
                    if (statement.Block is not null)
                    {
                        _errors.Add(new KeepalivedDiagnostic(statement.Location, $"'{statement.Keyword}' takes no block, but a '{{' follows it"));
                    }

                    continue;
                }

                if (statement.Block is null)
                {
                    _errors.Add(new KeepalivedDiagnostic(statement.Location, $"'{statement.Keyword}' needs a block: '{{' on its line or the next"));
                    continue;
                }

                if (spec.Body == KeywordBody.Keywords)
                {
                    Validate(statement.Block, spec.Context!);
                }
            }
        }

        private static string? Suggest(string word, IEnumerable<string> known)
        {
            string? best = null;
            var bestDistance = 3;
            foreach (var candidate in known)
            {
                var distance = Distance(word.ToLowerInvariant(), candidate.ToLowerInvariant());
                if (distance < bestDistance)
                {
                    best = candidate;
                    bestDistance = distance;
                }
            }

            return best;
        }

        private static int Distance(string a, string b)
        {
            var previous = new int[b.Length + 1];
            var current = new int[b.Length + 1];
            for (var j = 0; j <= b.Length; j++)
            {
                previous[j] = j;
            }

            for (var i = 1; i <= a.Length; i++)
            {
                current[0] = i;
                for (var j = 1; j <= b.Length; j++)
                {
                    current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
                }

                (previous, current) = (current, previous);
            }

            return previous[b.Length];
        }
    }
}
