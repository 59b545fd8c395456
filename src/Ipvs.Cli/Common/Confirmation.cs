namespace Ipvs.Cli.Common;

/// <summary>
/// The guard of destructive commands: with --yes they go ahead; at a terminal they ask; with stdin
/// not a terminal (a script) they refuse, so nothing is destroyed by a forgotten flag.
/// </summary>
internal static class Confirmation
{
    /// <summary>Returns when confirmed; otherwise throws (usage error without a terminal, operation error when declined).</summary>
    /// <param name="console">Where to ask.</param>
    /// <param name="yes">The --yes switch.</param>
    /// <param name="question">The question, naming what would be destroyed ("Delete every virtual service?").</param>
    public static void Require(CliConsole console, bool yes, string question)
    {
        if (yes)
        {
            return;
        }

        if (!console.IsInputTerminal)
        {
            throw new UsageException($"refusing without --yes: stdin is not a terminal, so ipvs cannot ask \"{question}\"");
        }

        console.Error.Write(question + " [y/N] ");
        console.Error.Flush();
        var answer = console.In.ReadLine()?.Trim().ToLowerInvariant();
        if (answer is not ("y" or "yes"))
        {
            throw new CliOperationException("not confirmed: nothing was changed");
        }
    }
}
