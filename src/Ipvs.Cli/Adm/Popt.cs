namespace Ipvs.Cli.Adm;

/// <summary>One entry of an option table, as popt's struct poptOption describes it.</summary>
/// <param name="LongName">The name after "--", or null.</param>
/// <param name="ShortName">The letter after "-", or '\0'.</param>
/// <param name="TakesArgument">POPT_ARG_STRING rather than POPT_ARG_NONE.</param>
/// <param name="OptionalArgument">POPT_ARGFLAG_OPTIONAL: the argument may be missing.</param>
/// <param name="Value">What <see cref="Popt.GetNextOption"/> returns for it.</param>
internal readonly record struct PoptOption(string? LongName, char ShortName, bool TakesArgument, bool OptionalArgument, int Value);

/// <summary>
/// Command-line parsing as popt 1.19 does it for a table without aliases, callbacks or one-dash
/// long options, which is ipvsadm's: clustered short options (<c>-Ln</c>), arguments attached
/// (<c>-p30</c>, <c>-p=30</c>, <c>--pe=sip</c>) or separate, optional arguments that are only
/// taken when the next word does not start with '-', "--" ending the options, no
/// abbreviations, POSIXLY_CORRECT, and the rarely known "!#:+" substitution of the next
/// non-option word into an argument.
/// </summary>
internal sealed class Popt
{
    /// <summary>POPT_ERROR_NOARG.</summary>
    public const int ErrorNoArgument = -10;

    /// <summary>POPT_ERROR_BADOPT.</summary>
    public const int ErrorBadOption = -11;

    /// <summary>POPT_ERROR_UNWANTEDARG.</summary>
    public const int ErrorUnwantedArgument = -12;

    private readonly string[] _argv;
    private readonly PoptOption[] _table;
    private readonly bool _posixlyCorrect;
    private readonly List<string> _leftovers = [];
    private bool[]? _used;
    private int _next = 1;
    private string? _nextCharArg;
    private int _nextCharIndex;
    private bool _restLeftover;
    private int _nextLeftover;

    public Popt(string[] argv, PoptOption[] table, bool posixlyCorrect)
    {
        _argv = argv;
        _table = table;
        _posixlyCorrect = posixlyCorrect;
    }

    /// <summary>The argument of the option last returned (null when an optional one was absent).</summary>
    public string? OptionArgument { get; private set; }

    /// <summary>popt's text for an error code (poptStrerror).</summary>
    public static string ErrorText(int error) => error switch
    {
        ErrorNoArgument => "missing argument",
        ErrorUnwantedArgument => "option does not take an argument",
        ErrorBadOption => "unknown option",
        _ => "unknown error",
    };

    /// <summary>The next option's value, -1 when none is left, or a negative POPT_ERROR_* code.</summary>
    public int GetNextOption()
    {
        while (true)
        {
            PoptOption option;
            string? longArg = null;
            if (_nextCharArg is null)
            {
                if (_next == _argv.Length)
                {
                    return -1;
                }

                if (_used is not null && _used[_next])
                {
                    _next++;
                    continue;
                }

                var word = _argv[_next++];
                if (_restLeftover || word.Length == 0 || word[0] != '-' || word.Length == 1)
                {
                    if (_posixlyCorrect)
                    {
                        _restLeftover = true;
                    }

                    _leftovers.Add(word);
                    continue;
                }

                if (word.Length == 2 && word[1] == '-')
                {
                    _restLeftover = true;
                    continue;
                }

                if (word[1] == '-')
                {
                    var name = word.AsSpan(2);
                    var equals = name.IndexOf('=');
                    if (equals >= 0)
                    {
                        longArg = word[(2 + equals + 1)..];
                        name = name[..equals];
                    }

                    var found = FindLong(name);
                    if (found < 0)
                    {
                        return ErrorBadOption;
                    }

                    option = _table[found];
                }
                else
                {
                    // A single dash never names a long option in this table: it starts a cluster.
                    _nextCharArg = word;
                    _nextCharIndex = 1;
                    continue;
                }
            }
            else
            {
                var letter = _nextCharArg[_nextCharIndex];
                var found = FindShort(letter);
                if (found < 0)
                {
                    return ErrorBadOption;
                }

                option = _table[found];
                _nextCharIndex++;
                if (_nextCharIndex >= _nextCharArg.Length)
                {
                    _nextCharArg = null;
                }
            }

            if (!option.TakesArgument)
            {
                if (longArg is not null || (_nextCharArg is not null && _nextCharArg[_nextCharIndex] == '='))
                {
                    return ErrorUnwantedArgument;
                }

                return option.Value;
            }

            if (longArg is not null)
            {
                OptionArgument = Expand(longArg);
            }
            else if (_nextCharArg is not null)
            {
                var start = _nextCharIndex + (_nextCharArg[_nextCharIndex] == '=' ? 1 : 0);
                var attached = _nextCharArg[start..];
                _nextCharArg = null;
                OptionArgument = Expand(attached);
            }
            else if (_next == _argv.Length)
            {
                if (!option.OptionalArgument)
                {
                    return ErrorNoArgument;
                }

                OptionArgument = null;
            }
            else if (option.OptionalArgument && _argv[_next].StartsWith('-'))
            {
                OptionArgument = null;
            }
            else
            {
                OptionArgument = Expand(_argv[_next++]);
            }

            return option.Value;
        }
    }

    /// <summary>The word that held the last option processed (poptBadOption with POPT_BADOPTION_NOALIAS).</summary>
    public string BadOption() => _argv[_next - 1];

    /// <summary>The next word that was not an option (poptGetArg), or null.</summary>
    public string? GetArgument() => _nextLeftover < _leftovers.Count ? _leftovers[_nextLeftover++] : null;

    private int FindLong(ReadOnlySpan<char> name)
    {
        for (var i = 0; i < _table.Length; i++)
        {
            if (_table[i].LongName is { } longName && name.SequenceEqual(longName))
            {
                return i;
            }
        }

        return -1;
    }

    private int FindShort(char letter)
    {
        for (var i = 0; i < _table.Length; i++)
        {
            if (_table[i].ShortName != '\0' && _table[i].ShortName == letter)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>
    /// popt's expandNextArg: each "!#:+" in an argument becomes the next word that does not start
    /// with '-', which is then no longer seen as a word of its own. (popt loops forever when
    /// there is no such word; here the text stays as written.)
    /// </summary>
    private string Expand(string text)
    {
        if (!text.Contains("!#:+", StringComparison.Ordinal))
        {
            return text;
        }

        string? substitute = null;
        var result = new System.Text.StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '!' && string.CompareOrdinal(text, i + 1, "#:+", 0, 3) == 0)
            {
                substitute ??= TakeNextWord();
                if (substitute is not null)
                {
                    result.Append(substitute);
                    i += 3;
                    continue;
                }
            }

            result.Append(c);
        }

        return result.ToString();
    }

    private string? TakeNextWord()
    {
        for (var i = _next; i < _argv.Length; i++)
        {
            if ((_used is not null && _used[i]) || _argv[i].StartsWith('-'))
            {
                continue;
            }

            _used ??= new bool[_argv.Length];
            _used[i] = true;
            return _argv[i];
        }

        return null;
    }
}
