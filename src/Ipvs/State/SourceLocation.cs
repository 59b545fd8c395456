using System.Globalization;

namespace Ipvs.State;

/// <summary>Where something was written: file, line and column (both 1-based).</summary>
/// <param name="File">The file's name as it was given (or <c>-</c> for standard input).</param>
/// <param name="Line">The line, from 1.</param>
/// <param name="Column">The column, from 1, in characters.</param>
public readonly record struct SourceLocation(string File, int Line, int Column)
{
    /// <summary><c>FILE:LINE:COLUMN</c>, the form compilers and editors understand.</summary>
    public override string ToString() =>
        File + ":" + Line.ToString(CultureInfo.InvariantCulture) + ":" + Column.ToString(CultureInfo.InvariantCulture);

    /// <summary><c>line L, column C</c>, for messages that already name the file.</summary>
    public string ToShortString() =>
        "line " + Line.ToString(CultureInfo.InvariantCulture) + ", column " + Column.ToString(CultureInfo.InvariantCulture);
}
