using Ipvs.State;

namespace Ipvs.Cli.Import;

/// <summary>Something of the keepalived file, at its position: what does not carry over, or what keepalived itself corrects.</summary>
/// <param name="Location">The keyword's file:line:column.</param>
/// <param name="Keyword">The keyword.</param>
/// <param name="Reason">Why, and what to do instead.</param>
internal sealed record ImportItem(SourceLocation Location, string Keyword, string Reason)
{
    /// <summary>keepalived's <c>file:line: keyword: reason</c>.</summary>
    public override string ToString() => $"{Location.File}:{Location.Line}: {Keyword}: {Reason}";
}

/// <summary>The outcome of an import: the care file, or the errors that stop it.</summary>
internal sealed class ImportResult
{
    public MapNode? Document { get; init; }

    /// <summary>Bad input: nothing is written.</summary>
    public List<string> Errors { get; } = [];

    /// <summary>Items that do not carry over (exit status 1).</summary>
    public List<ImportItem> NotCarried { get; } = [];

    /// <summary>What keepalived itself corrects or ignores, and the import does the same (no effect on the status).</summary>
    public List<ImportItem> Warnings { get; } = [];
}
