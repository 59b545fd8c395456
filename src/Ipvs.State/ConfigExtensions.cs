using System.Collections;
using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;

namespace Ipvs.State;

/// <summary>
/// The typed name of an extension section: the key a reader is registered under in
/// <see cref="IpvsConfigReaderOptions"/> and the type its reader returns, so a section is read
/// back as what it is (<c>config.Extensions.Get(HaSectionReader.Section)</c> is a <c>HaConfig</c>).
/// </summary>
/// <typeparam name="T">What the section's reader returns.</typeparam>
/// <param name="Name">The key in the file (<c>ha</c>, <c>health</c>).</param>
public sealed record ConfigSectionKey<T>(string Name);

/// <summary>
/// Extension sections of a configuration or of one of its services, as their readers returned
/// them; read through a typed <see cref="ConfigSectionKey{T}"/>. Immutable.
/// </summary>
public sealed class ConfigExtensions : IReadOnlyCollection<KeyValuePair<string, object>>, IEquatable<ConfigExtensions>
{
    private readonly FrozenDictionary<string, object> _sections;

    private ConfigExtensions(FrozenDictionary<string, object> sections) => _sections = sections;

    /// <summary>No sections.</summary>
    public static ConfigExtensions Empty { get; } = new(FrozenDictionary<string, object>.Empty);

    /// <summary>The number of sections.</summary>
    public int Count => _sections.Count;

    /// <summary>The section under <paramref name="key"/>, or null when the file has none.</summary>
    /// <exception cref="InvalidOperationException">The section holds another type than the key says (two readers registered under one name).</exception>
    public T? Get<T>(ConfigSectionKey<T> key)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(key);
        if (!_sections.TryGetValue(key.Name, out var value))
        {
            return null;
        }

        return value as T ?? throw new InvalidOperationException(
            $"the section '{key.Name}' holds {value.GetType().Name}, not {typeof(T).Name}");
    }

    /// <summary>The section under <paramref name="key"/>; false when the file has none.</summary>
    /// <exception cref="InvalidOperationException">The section holds another type than the key says (two readers registered under one name).</exception>
    public bool TryGet<T>(ConfigSectionKey<T> key, [MaybeNullWhen(false)] out T value)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (!_sections.TryGetValue(key.Name, out var stored))
        {
            value = default;
            return false;
        }

        value = stored is T typed ? typed : throw new InvalidOperationException(
            $"the section '{key.Name}' holds {stored.GetType().Name}, not {typeof(T).Name}");
        return true;
    }

    /// <summary>True when a section of that name is present, whatever its type.</summary>
    public bool Contains(string name) => _sections.ContainsKey(name);

    /// <summary>A copy with <paramref name="value"/> under <paramref name="key"/> (replacing any).</summary>
    public ConfigExtensions With<T>(ConfigSectionKey<T> key, T value)
        where T : notnull
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        var copy = new Dictionary<string, object>(_sections, StringComparer.Ordinal) { [key.Name] = value };
        return new ConfigExtensions(copy.ToFrozenDictionary(StringComparer.Ordinal));
    }

    /// <inheritdoc/>
    public IEnumerator<KeyValuePair<string, object>> GetEnumerator() => ((IEnumerable<KeyValuePair<string, object>>)_sections).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Same names with equal sections.</summary>
    public bool Equals(ConfigExtensions? other) =>
        other is not null && other.Count == Count && _sections.All(s => other._sections.TryGetValue(s.Key, out var v) && Equals(s.Value, v));

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as ConfigExtensions);

    /// <inheritdoc/>
    public override int GetHashCode() => Count;

    internal static ConfigExtensions From(Dictionary<string, object>? sections) =>
        sections is null || sections.Count == 0 ? Empty : new ConfigExtensions(sections.ToFrozenDictionary(StringComparer.Ordinal));
}
