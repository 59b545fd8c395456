using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Ipvs.KernelTests.Care;

/// <summary>A line a background process printed, and when the test saw it.</summary>
internal readonly record struct OutputLine(DateTimeOffset At, string Text);

/// <summary>
/// A long-running program (a real server, the client, the daemon) started with an argument
/// array, whose output lines are collected with the time they arrived. Killed on dispose.
/// </summary>
internal sealed partial class BackgroundProcess : IDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<OutputLine> _lines = new();
    private readonly SemaphoreSlim _arrived = new(0);

    private BackgroundProcess(Process process, string description)
    {
        _process = process;
        Description = description;
    }

    public string Description { get; }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public IReadOnlyList<OutputLine> Lines => _lines.ToArray();

    public string Output => string.Join('\n', _lines.Select(l => l.Text));

    public static BackgroundProcess Start(string fileName, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null)
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

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        var process = new Process { StartInfo = start };
        var background = new BackgroundProcess(process, fileName + " " + string.Join(' ', start.ArgumentList));
        process.OutputDataReceived += (_, e) => background.Add(e.Data);
        process.ErrorDataReceived += (_, e) => background.Add(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return background;
    }

    /// <summary>Waits for a line matching <paramref name="predicate"/> (already printed or to come).</summary>
    public OutputLine WaitForLine(Func<string, bool> predicate, TimeSpan timeout)
    {
        var deadline = DateTimeOffset.UtcNow + timeout;
        while (true)
        {
            foreach (var line in _lines)
            {
                if (predicate(line.Text))
                {
                    return line;
                }
            }

            var left = deadline - DateTimeOffset.UtcNow;
            if (left <= TimeSpan.Zero)
            {
                throw new TimeoutException($"{Description}: no matching line within {timeout.TotalSeconds:0.#} s. Output so far:\n{Tail(60)}");
            }

            if (_process.HasExited && _arrived.CurrentCount == 0)
            {
                _process.WaitForExit();
                if (!_lines.Any(l => predicate(l.Text)))
                {
                    throw new InvalidOperationException($"{Description} exited ({_process.ExitCode}) without printing the expected line. Output:\n{Tail(60)}");
                }
            }

            _arrived.Wait(left < TimeSpan.FromMilliseconds(200) ? left : TimeSpan.FromMilliseconds(200));
        }
    }

    /// <summary>Writes a line to the process's standard input.</summary>
    public void WriteLine(string line)
    {
        _process.StandardInput.WriteLine(line);
        _process.StandardInput.Flush();
    }

    /// <summary>Sends a signal to any process.</summary>
    public static void Signal(int pid, int signal)
    {
        if (Kill(pid, signal) != 0)
        {
            throw new InvalidOperationException($"kill -{signal} {pid} failed");
        }
    }

    /// <summary>True while a process of that id exists.</summary>
    public static bool IsAlive(int pid) => Directory.Exists("/proc/" + pid.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public string Tail(int count) => string.Join('\n', _lines.TakeLast(count).Select(l => $"{l.At:HH:mm:ss.fff} {l.Text}"));

    /// <summary>Sends a signal (SIGTERM 15, SIGKILL 9, SIGHUP 1, SIGUSR1 10, SIGUSR2 12).</summary>
    public void Signal(int signal)
    {
        if (!_process.HasExited && Kill(_process.Id, signal) != 0)
        {
            throw new InvalidOperationException($"kill -{signal} {_process.Id} failed");
        }
    }

    public bool WaitForExit(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout))
        {
            return false;
        }

        _process.WaitForExit(); // drain the output
        return true;
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
        }

        _process.Dispose();
        _arrived.Dispose();
    }

    private void Add(string? text)
    {
        if (text is null)
        {
            return;
        }

        _lines.Enqueue(new OutputLine(DateTimeOffset.UtcNow, text));
        _arrived.Release();
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    public const int SIGHUP = 1;
    public const int SIGINT = 2;
    public const int SIGKILL = 9;
    public const int SIGUSR1 = 10;
    public const int SIGUSR2 = 12;
    public const int SIGTERM = 15;
}
