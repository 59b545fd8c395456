namespace Ipvs.State;

/// <summary>How serious a finding about a configuration file is.</summary>
public enum ConfigSeverity
{
    /// <summary>The file is accepted, but something is probably not what was meant.</summary>
    Warning,

    /// <summary>The file is refused; nothing is applied.</summary>
    Error,
}

/// <summary>One finding about a configuration file, with where it is.</summary>
/// <param name="Location">Where the offending value is written.</param>
/// <param name="Severity">Error or warning.</param>
/// <param name="Message">What is wrong, in one sentence.</param>
public sealed record ConfigDiagnostic(SourceLocation Location, ConfigSeverity Severity, string Message)
{
    /// <summary><c>FILE:LINE:COLUMN: error: MESSAGE</c>.</summary>
    public override string ToString() =>
        Location + (Severity == ConfigSeverity.Error ? ": error: " : ": warning: ") + Message;
}

/// <summary>
/// Collects findings while a file is read, so that every problem is reported at once rather
/// than the first one only. Extension readers (see <see cref="IpvsConfigReaderOptions"/>) report
/// into the same collection.
/// </summary>
public sealed class ConfigDiagnostics
{
    private readonly List<ConfigDiagnostic> _items = [];

    /// <summary>Every finding, in the order they were made.</summary>
    public IReadOnlyList<ConfigDiagnostic> Items => _items;

    /// <summary>The number of errors.</summary>
    public int ErrorCount { get; private set; }

    /// <summary>True when at least one error was reported.</summary>
    public bool HasErrors => ErrorCount > 0;

    /// <summary>Reports an error at a location.</summary>
    public void Error(SourceLocation location, string message)
    {
        _items.Add(new ConfigDiagnostic(location, ConfigSeverity.Error, message));
        ErrorCount++;
    }

    /// <summary>Reports an error about a node.</summary>
    public void Error(ConfigNode node, string message)
    {
        ArgumentNullException.ThrowIfNull(node);
        Error(node.Location, message);
    }

    /// <summary>Reports a warning at a location.</summary>
    public void Warning(SourceLocation location, string message) =>
        _items.Add(new ConfigDiagnostic(location, ConfigSeverity.Warning, message));

    /// <summary>Reports a warning about a node.</summary>
    public void Warning(ConfigNode node, string message)
    {
        ArgumentNullException.ThrowIfNull(node);
        Warning(node.Location, message);
    }

    /// <summary>The findings sorted by position (file order), errors and warnings together.</summary>
    public IReadOnlyList<ConfigDiagnostic> Sorted() =>
        [.. _items.OrderBy(d => d.Location.File, StringComparer.Ordinal).ThenBy(d => d.Location.Line).ThenBy(d => d.Location.Column)];
}

/// <summary>A configuration file was refused: <see cref="Diagnostics"/> lists every error (and warning) with its location.</summary>
public sealed class IpvsConfigException : Exception
{
    /// <summary>Creates the exception from the findings of a read.</summary>
    public IpvsConfigException(IReadOnlyList<ConfigDiagnostic> diagnostics)
        : base(BuildMessage(diagnostics))
    {
        Diagnostics = diagnostics;
    }

    /// <summary>Every finding, sorted by position.</summary>
    public IReadOnlyList<ConfigDiagnostic> Diagnostics { get; }

    private static string BuildMessage(IReadOnlyList<ConfigDiagnostic> diagnostics)
    {
        ArgumentNullException.ThrowIfNull(diagnostics);
        var errors = diagnostics.Where(d => d.Severity == ConfigSeverity.Error).ToList();
        return errors.Count switch
        {
            0 => "The configuration was refused.",
            1 => errors[0].ToString(),
            _ => $"{errors.Count} errors; the first: {errors[0]}",
        };
    }
}
