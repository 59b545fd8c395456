using Ipvs.Cli;
using Ipvs.Cli.Common;

namespace Ipvs.Tests.Cli;

/// <summary>What a CLI run printed and returned, in-process.</summary>
internal sealed record CliRun(int ExitCode, string Out, string Error, bool KernelTouched);

/// <summary>
/// Runs the command tree in-process with a captured console. On the host the kernel must not be
/// touched: the client factory records the attempt and throws, so a test can prove that bad
/// input is refused before anything reaches IPVS.
/// </summary>
internal static class CliHarness
{
    public static CliRun Run(params string[] args) => Execute(terminalInput: null, args);

    /// <summary>Runs as if at a terminal, answering prompts with <paramref name="answers"/>.</summary>
    public static CliRun RunAtTerminal(string answers, params string[] args) => Execute(answers, args);

    private static CliRun Execute(string? terminalInput, string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var touched = false;
        var console = new CliConsole(output, error, new StringReader(terminalInput ?? string.Empty), isInputTerminal: terminalInput is not null);
        var environment = new CliEnvironment(console, new IpvsClientOptions())
        {
            ClientFactory = () =>
            {
                touched = true;
                throw new KernelTouchedException();
            },
        };
        int exitCode;
        try
        {
            exitCode = CliRoot.Run(args, environment);
        }
        catch (KernelTouchedException)
        {
            exitCode = -1;
        }

        return new CliRun(exitCode, output.ToString(), error.ToString(), touched);
    }

    /// <summary>Thrown by the host's client factory: the command got as far as opening IPVS.</summary>
    private sealed class KernelTouchedException : Exception
    {
        public KernelTouchedException()
            : base("The command tried to open IPVS.")
        {
        }
    }
}
