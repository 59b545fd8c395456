using System.Globalization;

namespace Ipvs.State;

/// <summary>Where something was written: file, line and column (both 1-based).</summary>
/// <remarks>
/// Equal when file, line and column are. A position that <see cref="IncrementalConfigReader"/>
/// reuses from an earlier version of a file follows its item when later versions move it: its
/// line is always the one in the latest version read.
/// </remarks>
public readonly record struct SourceLocation
{
    private readonly int _line;

    // Set for positions inside an item the incremental reader keeps: _line is then relative to it.
    private readonly LineAnchor? _anchor;

    /// <summary>Creates a position.</summary>
    /// <param name="file">The file's name as it was given (or <c>-</c> for standard input).</param>
    /// <param name="line">The line, from 1.</param>
    /// <param name="column">The column, from 1, in characters.</param>
    public SourceLocation(string file, int line, int column)
    {
        File = file;
        _line = line;
        Column = column;
    }

    // A position that moves with its item: line lineInItem (from 0) of the item at anchor.Line.
    internal SourceLocation(string file, LineAnchor anchor, int lineInItem, int column)
    {
        File = file;
        _anchor = anchor;
        _line = lineInItem;
        Column = column;
    }

    /// <summary>The file's name as it was given (or <c>-</c> for standard input).</summary>
    public string File { get; init; }

    /// <summary>The line, from 1.</summary>
    public int Line
    {
        get => _anchor is null ? _line : _anchor.Line + _line;
        init
        {
            _line = value;
            _anchor = null;
        }
    }

    /// <summary>The column, from 1, in characters.</summary>
    public int Column { get; init; }

    /// <summary>True when both name the same file, line and column.</summary>
    public bool Equals(SourceLocation other) =>
        Line == other.Line && Column == other.Column && string.Equals(File, other.File, StringComparison.Ordinal);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(File, Line, Column);

    /// <summary>The file, line and column.</summary>
    public void Deconstruct(out string file, out int line, out int column)
    {
        file = File;
        line = Line;
        column = Column;
    }

    /// <summary><c>FILE:LINE:COLUMN</c>, the form compilers and editors understand.</summary>
    public override string ToString() =>
        File + ":" + Line.ToString(CultureInfo.InvariantCulture) + ":" + Column.ToString(CultureInfo.InvariantCulture);

    /// <summary><c>line L, column C</c>, for messages that already name the file.</summary>
    public string ToShortString() =>
        "line " + Line.ToString(CultureInfo.InvariantCulture) + ", column " + Column.ToString(CultureInfo.InvariantCulture);
}

/// <summary>The first line of an item of a configuration file, as it moves from one version to the next.</summary>
internal sealed class LineAnchor(int line)
{
    public int Line { get; set; } = line;
}
