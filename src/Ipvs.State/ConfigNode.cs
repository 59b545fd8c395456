namespace Ipvs.State;

/// <summary>
/// A node of a configuration document, YAML or JSON alike, with where it was written. The schema
/// reader works on these nodes only, so both formats share one schema and one set of messages;
/// extension readers (a <c>health</c> section, for example) receive them too.
/// </summary>
public abstract class ConfigNode
{
    private protected ConfigNode(SourceLocation location)
    {
        Location = location;
    }

    /// <summary>Where the node starts.</summary>
    public SourceLocation Location { get; }

    /// <summary>What the node is, for messages: "a scalar", "a mapping", "a list".</summary>
    public abstract string KindName { get; }
}

/// <summary>A single value: text, a number, a boolean, or null, kept as written.</summary>
public sealed class ConfigScalar : ConfigNode
{
    /// <summary>Creates a scalar.</summary>
    public ConfigScalar(SourceLocation location, string value, bool isQuoted)
        : base(location)
    {
        Value = value ?? throw new ArgumentNullException(nameof(value));
        IsQuoted = isQuoted;
    }

    /// <summary>The text as written (without quotes; escapes resolved).</summary>
    public string Value { get; }

    /// <summary>True when the value was quoted (a JSON string, a quoted YAML scalar).</summary>
    public bool IsQuoted { get; }

    /// <summary>True for YAML's and JSON's null (<c>null</c>, <c>~</c>, or nothing at all), unquoted.</summary>
    public bool IsNull => !IsQuoted && Value is "" or "~" or "null" or "Null" or "NULL";

    /// <inheritdoc />
    public override string KindName => IsNull ? "null" : "a value";

    /// <inheritdoc />
    public override string ToString() => Value;
}

/// <summary>One key and its value in a mapping.</summary>
/// <param name="Key">The key, with its location.</param>
/// <param name="Value">The value.</param>
public readonly record struct ConfigEntry(ConfigScalar Key, ConfigNode Value);

/// <summary>A mapping (YAML mapping, JSON object): keys in the order written, each once.</summary>
public sealed class ConfigMapping : ConfigNode
{
    private readonly ConfigEntry[] _entries;

    /// <summary>Creates a mapping; keys must be unique (the document readers report duplicates and keep the first).</summary>
    public ConfigMapping(SourceLocation location, IEnumerable<ConfigEntry> entries)
        : base(location)
    {
        ArgumentNullException.ThrowIfNull(entries);
        _entries = [.. entries];
    }

    /// <summary>The entries in the order written.</summary>
    public IReadOnlyList<ConfigEntry> Entries => _entries;

    /// <inheritdoc />
    public override string KindName => "a mapping";

    /// <summary>The value of a key, or null when the key is absent.</summary>
    public ConfigNode? this[string key] => TryGetValue(key, out var value) ? value : null;

    /// <summary>Finds the value of a key (exact, case-sensitive match).</summary>
    public bool TryGetValue(string key, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ConfigNode? value)
    {
        foreach (var entry in _entries)
        {
            if (string.Equals(entry.Key.Value, key, StringComparison.Ordinal))
            {
                value = entry.Value;
                return true;
            }
        }

        value = null;
        return false;
    }
}

/// <summary>A list (YAML sequence, JSON array).</summary>
public sealed class ConfigSequence : ConfigNode
{
    private readonly ConfigNode[] _items;

    /// <summary>Creates a list.</summary>
    public ConfigSequence(SourceLocation location, IEnumerable<ConfigNode> items)
        : base(location)
    {
        ArgumentNullException.ThrowIfNull(items);
        _items = [.. items];
    }

    /// <summary>The items in order.</summary>
    public IReadOnlyList<ConfigNode> Items => _items;

    /// <inheritdoc />
    public override string KindName => "a list";
}
