using System.Diagnostics;

namespace Ipvs.Testing;

/// <summary>What a process printed and how it exited.</summary>
internal sealed record CommandResult(int ExitCode, string StandardOutput, string StandardError)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout ---\n{StandardOutput}--- stderr ---\n{StandardError}";

    /// <summary>Throws unless the exit status is 0; returns this result.</summary>
    public CommandResult EnsureSuccess() =>
        ExitCode == 0 ? this : throw new InvalidOperationException("command failed: " + this);
}

/// <summary>Runs real system tools (ipvsadm, ip, the published ipvs binary) with argument arrays, never through a shell.</summary>
internal static class HostCommand
{
    public static CommandResult Run(string fileName, IEnumerable<string> arguments, string? standardInput = null, TimeSpan? timeout = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        if (environment is not null)
        {
            foreach (var (name, value) in environment)
            {
                start.Environment[name] = value;
            }
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{fileName} did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (standardInput is not null)
        {
            process.StandardInput.Write(standardInput);
        }

        process.StandardInput.Close();
        if (!process.WaitForExit(timeout ?? TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} {string.Join(' ', start.ArgumentList)} did not finish in time");
        }

        return new CommandResult(process.ExitCode, stdout.GetAwaiter().GetResult(), stderr.GetAwaiter().GetResult());
    }

    public static CommandResult Run(string fileName, params string[] arguments) => Run(fileName, (IEnumerable<string>)arguments);

    /// <summary>Runs and requires exit status 0.</summary>
    public static string Check(string fileName, params string[] arguments)
    {
        var result = Run(fileName, arguments);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"{fileName} {string.Join(' ', arguments)} failed: {result}");
        }

        return result.StandardOutput;
    }
}
