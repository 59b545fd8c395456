namespace Ipvs.Cli.Common;

/// <summary>
/// The terminal a command talks to. Injected so tests can play a user at a terminal (the
/// confirmation prompt) or a script with redirected input.
/// </summary>
internal sealed class CliConsole
{
    public CliConsole(TextWriter output, TextWriter error, TextReader input, bool isInputTerminal)
    {
        Out = output;
        Error = error;
        In = input;
        IsInputTerminal = isInputTerminal;
    }

    /// <summary>Where results go (tables, JSON, YAML, help).</summary>
    public TextWriter Out { get; }

    /// <summary>Where errors, notes and prompts go.</summary>
    public TextWriter Error { get; }

    /// <summary>Where answers to prompts come from.</summary>
    public TextReader In { get; }

    /// <summary>True when standard input is a terminal, so a person can answer a prompt.</summary>
    public bool IsInputTerminal { get; }

    /// <summary>The process's own console.</summary>
    public static CliConsole System() => new(Console.Out, Console.Error, Console.In, !Console.IsInputRedirected);
}
