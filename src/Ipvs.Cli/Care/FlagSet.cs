using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Text;

namespace Ipvs.Cli.Care;

/// <summary>The value types of lvscare's flags (pflag's names in comments).</summary>
internal enum FlagKind
{
    /// <summary>string</summary>
    String,

    /// <summary>bool: <c>--x</c>, <c>--x=false</c>; never takes the next argument.</summary>
    Bool,

    /// <summary>int (strconv.ParseInt base 0).</summary>
    Int,

    /// <summary>stringSlice: comma-separated (CSV), repeatable, the first use replaces the default.</summary>
    StringSlice,

    /// <summary>intSlice: comma-separated, repeatable.</summary>
    IntSlice,

    /// <summary>stringToString: <c>k=v,k2=v2</c>, repeatable (merged).</summary>
    StringToString,

    /// <summary>duration (time.ParseDuration).</summary>
    Duration,

    /// <summary>lvscare's durationOrSecond: a whole number of seconds, or a duration.</summary>
    DurationOrSeconds,

    /// <summary>ip (net.ParseIP).</summary>
    IP,
}

/// <summary>One flag's definition.</summary>
internal sealed record FlagDefinition(string Name, char? Shorthand, FlagKind Kind, string DefaultText, string Usage)
{
    /// <summary>The type word shown in help, as pflag prints it.</summary>
    public string TypeWord => Kind switch
    {
        FlagKind.String => "string",
        FlagKind.Bool => string.Empty,
        FlagKind.Int => "int",
        FlagKind.StringSlice => "strings",
        FlagKind.IntSlice => "ints",
        FlagKind.StringToString => "stringToString",
        FlagKind.Duration => "duration",
        FlagKind.DurationOrSeconds => "durationOrSecond",
        FlagKind.IP => "ip",
        _ => string.Empty,
    };
}

/// <summary>A flag's parsed value; which member is meaningful depends on the kind.</summary>
internal sealed class FlagValue
{
    public string? Text { get; set; }

    public bool Bool { get; set; }

    public long Int { get; set; }

    public List<string> Strings { get; } = [];

    public List<long> Ints { get; } = [];

    public List<KeyValuePair<string, string>> Pairs { get; } = [];

    public TimeSpan Duration { get; set; }

    public IPAddress? Address { get; set; }
}

/// <summary>
/// A command line parsed the way spf13/pflag parses one (lvscare and sealctl use it):
/// <c>--flag value</c>, <c>--flag=value</c>, <c>-C</c>, <c>-i value</c>, <c>-ivalue</c>,
/// <c>-i=value</c>, grouped shorthands, booleans without a separate value, <c>--</c> ending the
/// flags, positional arguments anywhere.
/// </summary>
internal sealed class FlagSet
{
    private readonly List<FlagDefinition> _definitions = [];
    private readonly Dictionary<string, FlagDefinition> _byName = new(StringComparer.Ordinal);
    private readonly Dictionary<char, FlagDefinition> _byShorthand = [];
    private readonly Dictionary<string, FlagValue> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _changed = new(StringComparer.Ordinal);
    private readonly List<string> _order = [];

    public IReadOnlyList<FlagDefinition> Definitions => _definitions;

    /// <summary>Positional arguments, in order.</summary>
    public List<string> Arguments { get; } = [];

    /// <summary>Flags set on the command line or from the environment, in the order first set.</summary>
    public IReadOnlyList<string> ChangedInOrder => _order;

    /// <summary>True when -h or --help was given.</summary>
    public bool HelpRequested { get; private set; }

    public void Add(string name, char? shorthand, FlagKind kind, string defaultText, string usage)
    {
        var definition = new FlagDefinition(name, shorthand, kind, defaultText, usage);
        _definitions.Add(definition);
        _byName.Add(name, definition);
        if (shorthand is { } c)
        {
            _byShorthand.Add(c, definition);
        }

        var value = new FlagValue();
        if (defaultText.Length > 0 || kind is FlagKind.Bool)
        {
            if (!TrySet(definition, value, defaultText.Length == 0 ? "false" : defaultText, isDefault: true, out var error))
            {
                throw new InvalidOperationException($"bad default for --{name}: {error}");
            }
        }

        _values.Add(name, value);
    }

    public bool IsChanged(string name) => _changed.Contains(name);

    public FlagValue this[string name] => _values[name];

    public FlagDefinition Definition(string name) => _byName[name];

    /// <summary>Parses <paramref name="args"/>; on failure <paramref name="error"/> is pflag's message.</summary>
    public bool TryParse(IReadOnlyList<string> args, [NotNullWhen(false)] out string? error)
    {
        error = null;
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg == "--")
            {
                Arguments.AddRange(args.Skip(i + 1));
                return true;
            }

            if (arg.Length < 2 || arg[0] != '-')
            {
                Arguments.Add(arg);
                continue;
            }

            if (arg.StartsWith("--", StringComparison.Ordinal))
            {
                var body = arg[2..];
                var equals = body.IndexOf('=', StringComparison.Ordinal);
                var name = equals < 0 ? body : body[..equals];
                if (name.Length == 0 || name[0] == '-' || name[0] == '=')
                {
                    error = $"bad flag syntax: {arg}";
                    return false;
                }

                if (name == "help")
                {
                    HelpRequested = true;
                    continue;
                }

                if (!_byName.TryGetValue(name, out var definition))
                {
                    error = $"unknown flag: --{name}";
                    return false;
                }

                string value;
                if (equals >= 0)
                {
                    value = body[(equals + 1)..];
                }
                else if (definition.Kind == FlagKind.Bool)
                {
                    value = "true";
                }
                else if (i + 1 < args.Count)
                {
                    value = args[++i];
                }
                else
                {
                    error = $"flag needs an argument: --{name}";
                    return false;
                }

                if (!Set(definition, value, out error))
                {
                    return false;
                }

                continue;
            }

            var shorthands = arg[1..];
            while (shorthands.Length > 0)
            {
                var c = shorthands[0];
                if (c == 'h' && !_byShorthand.ContainsKey('h'))
                {
                    HelpRequested = true;
                    shorthands = shorthands[1..];
                    continue;
                }

                if (!_byShorthand.TryGetValue(c, out var definition))
                {
                    error = $"unknown shorthand flag: '{c}' in -{shorthands}";
                    return false;
                }

                string value;
                if (shorthands.Length > 2 && shorthands[1] == '=')
                {
                    value = shorthands[2..];
                    shorthands = string.Empty;
                }
                else if (definition.Kind == FlagKind.Bool)
                {
                    value = "true";
                    shorthands = shorthands[1..];
                }
                else if (shorthands.Length > 1)
                {
                    value = shorthands[1..];
                    shorthands = string.Empty;
                }
                else if (i + 1 < args.Count)
                {
                    value = args[++i];
                    shorthands = string.Empty;
                }
                else
                {
                    error = $"flag needs an argument: '{c}' in -{c}";
                    return false;
                }

                if (!Set(definition, value, out error))
                {
                    return false;
                }
            }
        }

        return true;
    }

    /// <summary>
    /// Sets every flag not given on the command line from the environment variable
    /// PREFIX_NAME (upper case, '-' as '_'), when set and not empty — as sealctl does.
    /// </summary>
    public bool TryApplyEnvironment(string prefix, Func<string, string?> getVariable, [NotNullWhen(false)] out string? error)
    {
        error = null;
        foreach (var definition in _definitions)
        {
            if (_changed.Contains(definition.Name))
            {
                continue;
            }

            var variable = (prefix + "_" + definition.Name).ToUpperInvariant().Replace('-', '_');
            var value = getVariable(variable);
            if (string.IsNullOrEmpty(value))
            {
                continue;
            }

            if (!Set(definition, value, out var inner))
            {
                error = $"environment variable {variable}: {inner}";
                return false;
            }
        }

        return true;
    }

    /// <summary>The usage lines, aligned as pflag's FlagUsages prints them.</summary>
    public string Usage()
    {
        var lines = new List<(string Left, string Right)>();
        foreach (var d in _definitions.OrderBy(d => d.Name, StringComparer.Ordinal))
        {
            var left = d.Shorthand is { } c ? $"  -{c}, --{d.Name}" : $"      --{d.Name}";
            if (d.TypeWord.Length > 0)
            {
                left += " " + d.TypeWord;
            }

            var right = d.Usage;
            if (d.DefaultText.Length > 0 && d.DefaultText != "false" && d.DefaultText != "[]")
            {
                right += d.Kind is FlagKind.String ? $" (default \"{d.DefaultText}\")" : $" (default {d.DefaultText})";
            }

            lines.Add((left, right));
        }

        var width = lines.Max(l => l.Left.Length);
        var text = new StringBuilder();
        foreach (var (left, right) in lines)
        {
            text.Append(left.PadRight(width)).Append("   ").Append(right).Append('\n');
        }

        return text.ToString();
    }

    private bool Set(FlagDefinition definition, string text, [NotNullWhen(false)] out string? error)
    {
        var value = _values[definition.Name];
        var first = _changed.Add(definition.Name);
        if (first)
        {
            _order.Add(definition.Name);
        }

        if (!TrySet(definition, value, text, isDefault: false, out var reason, first))
        {
            error = $"invalid argument \"{text}\" for \"{(definition.Shorthand is { } c ? $"-{c}, " : string.Empty)}--{definition.Name}\" flag: {reason}";
            return false;
        }

        error = null;
        return true;
    }

    private static bool TrySet(FlagDefinition definition, FlagValue value, string text, bool isDefault, [NotNullWhen(false)] out string? error, bool replace = true)
    {
        error = null;
        value.Text = text;
        switch (definition.Kind)
        {
            case FlagKind.String:
                return true;
            case FlagKind.Bool:
                if (!GoSyntax.TryParseBool(text, out var flag))
                {
                    error = $"strconv.ParseBool: parsing \"{text}\": invalid syntax";
                    return false;
                }

                value.Bool = flag;
                return true;
            case FlagKind.Int:
                if (!GoSyntax.TryParseInt(text, out var number))
                {
                    error = $"strconv.ParseInt: parsing \"{text}\": invalid syntax";
                    return false;
                }

                value.Int = number;
                return true;
            case FlagKind.StringSlice:
            {
                if (isDefault)
                {
                    return true;
                }

                List<string> items = [];
                if (text.Length > 0 && !GoSyntax.TryReadCsvRecord(text, out items!, out error))
                {
                    return false;
                }

                if (replace)
                {
                    value.Strings.Clear();
                }

                value.Strings.AddRange(items);
                return true;
            }

            case FlagKind.IntSlice:
            {
                if (isDefault)
                {
                    return true;
                }

                var parsed = new List<long>();
                foreach (var part in text.Split(','))
                {
                    if (!GoSyntax.TryParseDecimal(part, out var item))
                    {
                        error = $"strconv.Atoi: parsing \"{part}\": invalid syntax";
                        return false;
                    }

                    parsed.Add(item);
                }

                if (replace)
                {
                    value.Ints.Clear();
                }

                value.Ints.AddRange(parsed);
                return true;
            }

            case FlagKind.StringToString:
            {
                if (isDefault)
                {
                    return true;
                }

                // pflag: one '=' means one pair (commas belong to the value); more are CSV-separated pairs.
                List<string> pairs;
                switch (text.Count(c => c == '='))
                {
                    case 0:
                        error = $"{text} must be formatted as key=value";
                        return false;
                    case 1:
                        pairs = [text.Trim('"')];
                        break;
                    default:
                        if (!GoSyntax.TryReadCsvRecord(text, out pairs!, out error))
                        {
                            return false;
                        }

                        break;
                }

                var parsed = new List<KeyValuePair<string, string>>();
                foreach (var pair in pairs)
                {
                    var equals = pair.IndexOf('=', StringComparison.Ordinal);
                    if (equals < 0)
                    {
                        error = $"{pair} must be formatted as key=value";
                        return false;
                    }

                    parsed.Add(new KeyValuePair<string, string>(pair[..equals], pair[(equals + 1)..]));
                }

                if (replace)
                {
                    value.Pairs.Clear();
                }

                foreach (var pair in parsed)
                {
                    // A later key replaces an earlier one, as in pflag's map.
                    var existing = value.Pairs.FindIndex(p => p.Key == pair.Key);
                    if (existing >= 0)
                    {
                        value.Pairs[existing] = pair;
                    }
                    else
                    {
                        value.Pairs.Add(pair);
                    }
                }

                return true;
            }

            case FlagKind.Duration:
                if (!GoSyntax.TryParseDuration(text, out var duration, out error))
                {
                    return false;
                }

                value.Duration = duration;
                return true;
            case FlagKind.DurationOrSeconds:
                if (GoSyntax.TryParseDecimal(text, out var seconds))
                {
                    if (Math.Abs(seconds) > TimeSpan.MaxValue.TotalSeconds)
                    {
                        error = "value out of range";
                        return false;
                    }

                    value.Duration = TimeSpan.FromSeconds(seconds);
                    return true;
                }

                if (!GoSyntax.TryParseDuration(text, out duration, out error))
                {
                    return false;
                }

                value.Duration = duration;
                return true;
            case FlagKind.IP:
                if (!IPAddress.TryParse(text.Trim(), out var address) || (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && text.Trim().Count(c => c == '.') != 3))
                {
                    error = $"failed to parse IP: \"{text}\"";
                    return false;
                }

                value.Address = address;
                return true;
            default:
                error = "unsupported flag type";
                return false;
        }
    }

    /// <summary>The value as pflag prints it (<c>--name="value"</c> in sealos' FLAG dump).</summary>
    public string Display(string name)
    {
        var definition = _byName[name];
        var value = _values[name];
        return definition.Kind switch
        {
            FlagKind.Bool => value.Bool ? "true" : "false",
            FlagKind.StringSlice => "[" + string.Join(',', value.Strings) + "]",
            FlagKind.IntSlice => "[" + string.Join(',', value.Ints.Select(i => i.ToString(CultureInfo.InvariantCulture))) + "]",
            FlagKind.StringToString => "[" + string.Join(',', value.Pairs.Select(p => p.Key + "=" + p.Value)) + "]",
            FlagKind.IP => value.Address?.ToString() ?? "<nil>",
            FlagKind.Duration or FlagKind.DurationOrSeconds => Ipvs.Health.HealthCheckOptions.Format(value.Duration),
            _ => value.Text ?? string.Empty,
        };
    }

    /// <summary>The value as it would be written back on a command line (for the static pod), or null to leave it out.</summary>
    public IEnumerable<string> Render(string name)
    {
        var definition = _byName[name];
        var value = _values[name];
        switch (definition.Kind)
        {
            case FlagKind.Bool:
                yield return value.Bool ? "--" + name : "--" + name + "=false";
                break;
            case FlagKind.StringSlice:
                foreach (var item in value.Strings)
                {
                    yield return "--" + name;
                    yield return item;
                }

                break;
            case FlagKind.IntSlice:
                yield return "--" + name;
                yield return string.Join(',', value.Ints.Select(i => i.ToString(CultureInfo.InvariantCulture)));
                break;
            case FlagKind.StringToString:
                foreach (var (k, v) in value.Pairs)
                {
                    yield return "--" + name;
                    yield return k + "=" + v;
                }

                break;
            default:
                yield return "--" + name;
                yield return value.Text ?? string.Empty;
                break;
        }
    }
}
