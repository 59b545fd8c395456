namespace Ipvs.State.Keepalived;

/// <summary>One word of a keepalived line, as keepalived splits it (a double-quoted string is one word, without its quotes).</summary>
/// <param name="Value">The word.</param>
/// <param name="Location">Where it starts.</param>
public sealed record KeepalivedWord(string Value, SourceLocation Location)
{
    /// <inheritdoc />
    public override string ToString() => Value;
}

/// <summary>
/// One keyword line of a keepalived configuration with its values and, for a block keyword
/// (<c>virtual_server</c>, <c>real_server</c>, <c>HTTP_GET</c>, …), the statements of its block.
/// </summary>
public sealed class KeepalivedStatement
{
    internal KeepalivedStatement(IReadOnlyList<KeepalivedWord> words, string text, SourceLocation textLocation)
    {
        Words = words;
        Text = text;
        TextLocation = textLocation;
    }

    /// <summary>The words of the line, the keyword first.</summary>
    public IReadOnlyList<KeepalivedWord> Words { get; }

    /// <summary>The keyword (the first word).</summary>
    public string Keyword => Words[0].Value;

    /// <summary>Where the keyword is.</summary>
    public SourceLocation Location => Words[0].Location;

    /// <summary>The values after the keyword.</summary>
    public IReadOnlyList<KeepalivedWord> Arguments => Words.Count > 1 ? Words.Skip(1).ToArray() : [];

    /// <summary>
    /// The line's text without its comment, as keepalived gives it to the keywords that read it
    /// again with their own quoting (script paths: <see cref="KeepalivedScript"/>).
    /// </summary>
    public string Text { get; }

    /// <summary>Where <see cref="Text"/> starts.</summary>
    public SourceLocation TextLocation { get; }

    /// <summary>The statements of the block that follows the keyword; null when there is none.</summary>
    public IReadOnlyList<KeepalivedStatement>? Block => BlockList;

    /// <summary>Where the block's closing brace is; null without a block.</summary>
    public SourceLocation? BlockEnd { get; internal set; }

    internal List<KeepalivedStatement>? BlockList { get; set; }

    /// <summary>The value at <paramref name="index"/> after the keyword, or null.</summary>
    public KeepalivedWord? Argument(int index) => index + 1 < Words.Count ? Words[index + 1] : null;

    /// <inheritdoc />
    public override string ToString() => string.Join(' ', Words.Select(w => w.Value));
}

/// <summary>An error in a keepalived configuration, with its position.</summary>
/// <param name="Location">file:line:column of the problem.</param>
/// <param name="Message">What is wrong.</param>
public sealed record KeepalivedDiagnostic(SourceLocation Location, string Message)
{
    /// <inheritdoc />
    public override string ToString() => (Location.Line == 0 ? Location.File : Location.ToString()) + ": " + Message;
}

/// <summary>A keepalived configuration as read: its top-level statements (include files spliced in) and the files read.</summary>
/// <param name="Statements">The top-level statements, in order.</param>
/// <param name="Files">Every file read, the main file first, as paths.</param>
public sealed record KeepalivedConfig(IReadOnlyList<KeepalivedStatement> Statements, IReadOnlyList<string> Files);

/// <summary>The outcome of reading: the configuration, or null with the errors.</summary>
/// <param name="Config">The configuration when there is no error.</param>
/// <param name="Errors">Every error found, in file order.</param>
public sealed record KeepalivedReadResult(KeepalivedConfig? Config, IReadOnlyList<KeepalivedDiagnostic> Errors)
{
    /// <summary>True when the configuration was read without error.</summary>
    public bool Succeeded => Config is not null && Errors.Count == 0;
}
