using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Net;
using Ipvs.Cli.Output;

namespace Ipvs.Cli.Common;

/// <summary>Factories for typed options whose parse errors name the option and what it expects.</summary>
internal static class CliOptions
{
    /// <summary>The global output format, recursive from the root: <c>-o table|json|yaml</c>.</summary>
    public static Option<OutputFormat> Output()
    {
        var option = new Option<OutputFormat>("--output", "-o")
        {
            Description = "Output format of read commands: table (default), json or yaml",
            HelpName = "table|json|yaml",
            Recursive = true,
            CustomParser = result =>
            {
                var text = result.Tokens[0].Value;
                switch (text.ToLowerInvariant())
                {
                    case "table":
                        return OutputFormat.Table;
                    case "json":
                        return OutputFormat.Json;
                    case "yaml":
                    case "yml":
                        return OutputFormat.Yaml;
                    default:
                        result.AddError($"--output: '{text}' is not an output format: expected table, json or yaml");
                        return OutputFormat.Table;
                }
            },
        };
        option.CompletionSources.Clear();
        option.CompletionSources.Add("table", "json", "yaml");
        return option;
    }

    /// <summary>A whole number in [min, max]; null when not given.</summary>
    public static Option<long?> Number(string name, long min, long max, string description, string helpName, params string[] aliases)
    {
        return new Option<long?>(name, aliases)
        {
            Description = description,
            HelpName = helpName,
            CustomParser = result =>
            {
                var text = result.Tokens[0].Value;
                if (CliParse.TryNumber(text, min, max, out var value))
                {
                    return value;
                }

                result.AddError($"{name}: '{text}' is not valid: expected a whole number from {min.ToString(CultureInfo.InvariantCulture)} to {max.ToString(CultureInfo.InvariantCulture)}");
                return null;
            },
        };
    }

    /// <summary>A port number; null when not given.</summary>
    public static Option<long?> Port(string name, string description, params string[] aliases) =>
        Number(name, 0, 65535, description, "port", aliases);

    /// <summary>An IPv4 or IPv6 address; null when not given.</summary>
    public static Option<IPAddress?> Address(string name, string description, params string[] aliases)
    {
        return new Option<IPAddress?>(name, aliases)
        {
            Description = description,
            HelpName = "address",
            CustomParser = result => ParseAddress(result, name),
        };
    }

    /// <summary>One or more addresses, comma-separated and/or repeated (ipvsctl's <c>--lip a,b --lip c</c>).</summary>
    public static Option<IReadOnlyList<IPAddress>> AddressList(string name, string description, params string[] aliases)
    {
        return new Option<IReadOnlyList<IPAddress>>(name, aliases)
        {
            Description = description,
            HelpName = "address[,address...]",
            AllowMultipleArgumentsPerToken = false,
            Arity = ArgumentArity.OneOrMore,
            CustomParser = result =>
            {
                var addresses = new List<IPAddress>();
                var failed = false;
                foreach (var token in result.Tokens)
                {
                    foreach (var part in token.Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                    {
                        if (!CliParse.TryAddress(part, out var address, out var error))
                        {
                            result.AddError($"{name}: {error}");
                            failed = true;
                            continue;
                        }

                        addresses.Add(address);
                    }
                }

                if (addresses.Count == 0 && !failed)
                {
                    result.AddError($"{name}: no address given");
                }

                return addresses;
            },
        };
    }

    /// <summary>A word from a fixed set (case-insensitive), returned in lower case; null when not given.</summary>
    public static Option<string?> Choice(string name, string description, string[] choices, params string[] aliases) =>
        Choice(name, description, choices, [], aliases);

    /// <summary>As <see cref="Choice(string, string, string[], string[])"/>, also accepting words not advertised in help and completion.</summary>
    public static Option<string?> Choice(string name, string description, string[] choices, string[] alsoAccepted, params string[] aliases)
    {
        var option = new Option<string?>(name, aliases)
        {
            Description = description,
            HelpName = string.Join('|', choices),
            CustomParser = result =>
            {
                var text = result.Tokens[0].Value;
                var lower = text.ToLowerInvariant();
                if (choices.Contains(lower, StringComparer.Ordinal) || alsoAccepted.Contains(lower, StringComparer.Ordinal))
                {
                    return lower;
                }

                result.AddError($"{name}: '{text}' is not one of {string.Join(", ", choices)}");
                return null;
            },
        };
        option.CompletionSources.Add(choices);
        return option;
    }

    /// <summary>The confirmation switch of destructive commands (ipvsctl's <c>--yes, --force, -f, -y</c>).</summary>
    public static Option<bool> Yes() => new("--yes", "--force", "-y", "-f")
    {
        Description = "Do it without asking (required when stdin is not a terminal)",
    };

    /// <summary>True when the user wrote the option (not a default).</summary>
    public static bool IsGiven(ParseResult parseResult, Option option) => parseResult.GetResult(option) is { Implicit: false };

    private static IPAddress? ParseAddress(ArgumentResult result, string name)
    {
        var text = result.Tokens[0].Value;
        if (CliParse.TryAddress(text, out var address, out var error))
        {
            return address;
        }

        result.AddError($"{name}: {error}");
        return null;
    }
}
