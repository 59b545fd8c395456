namespace Ipvs.Cli.Adm;

/// <summary>
/// ipvsadm ends the process here: fail(), exit() after a message, usage or version, or a crash.
/// Thrown where ipvsadm would stop, so that what came before still takes effect and is reported
/// in order.
/// </summary>
internal sealed class AdmStopException : Exception
{
    public AdmStopException()
    {
    }

    public AdmStopException(string message)
        : base(message)
    {
    }

    public AdmStopException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    private AdmStopException(int exitCode, string? standardError, string? standardOutput, int signal)
        : base(standardError ?? standardOutput ?? "exit")
    {
        ExitCode = exitCode;
        StandardError = standardError;
        StandardOutput = standardOutput;
        Signal = signal;
    }

    /// <summary>The exit status (0–255).</summary>
    public int ExitCode { get; }

    /// <summary>Text written to standard error before stopping.</summary>
    public string? StandardError { get; }

    /// <summary>Text written to standard output before stopping (usage, version).</summary>
    public string? StandardOutput { get; }

    /// <summary>Non-zero when ipvsadm dies of this signal instead of exiting (it dereferences NULL on <c>-b ,</c>).</summary>
    public int Signal { get; }

    /// <summary>fail(): the message and a newline on standard error, then exit.</summary>
    public static AdmStopException Fail(int exitCode, string message) => new(exitCode, message + "\n", null, 0);

    public static AdmStopException Exit(int exitCode, string? standardError = null, string? standardOutput = null) =>
        new(exitCode, standardError, standardOutput, 0);

    public static AdmStopException Crash(int signal) => new(128 + signal, null, null, signal);
}
