using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using Ipvs.Cli.Common;
using Ipvs.State;

namespace Ipvs.Cli.State;

/// <summary>
/// <c>ipvs apply</c>, <c>ipvs diff</c> and <c>ipvs export</c>: the declarative state commands.
/// Exit status: 0 success (diff: no difference), 1 diff: differences / apply: some changes
/// failed, 2 error before any change (bad file, bad flags, IPVS unavailable): so an error found
/// while running is reported here with status 2, not by the tree's handler (which gives 1).
/// </summary>
internal static class StateCommand
{
    public const int ExitOk = 0;
    public const int ExitDifferent = 1;
    public const int ExitPartial = 1;
    public const int ExitError = 2;

    /// <summary>The three commands, registered at the root of the command tree by <see cref="CliRoot"/>.</summary>
    public static IEnumerable<CliCommand> Build(CliContext context) =>
        [ApplyCommand.Create(context), DiffCommand.Create(context), ExportCommand.Create(context)];

    internal static Option<string> FileOption(string description) => new("--file", "-f")
    {
        Description = description,
        Required = true,
        HelpName = "FILE",
    };

    internal static Option<string?> NetnsOption() => new("--netns")
    {
        Description = "Work on the IPVS table of this network namespace (a name under /run/netns, or a path) instead of the current one.",
        HelpName = "NAME",
    };

    internal static Option<bool> PruneOption() => new("--prune")
    {
        Description = "Also remove (after draining) the virtual services that are not in the file. Without it they are left alone.",
    };

    // Nullable so that the help shows "(default 5m)" from the description, not "[default: 00:05:00]".
    internal static Option<TimeSpan?> DrainTimeoutOption() => new("--drain-timeout")
    {
        Description = "How long a removed real server stays at weight 0 while it has connections before it is deleted anyway; 0 deletes at once. Units ms s m h (default 5m).",
        HelpName = "DURATION",
        CustomParser = ParseDuration,
    };

    internal static Option<string?> StateFileOption() => new("--state-file")
    {
        Description = "Where the start of each drain is remembered between runs (default /run/ipvs/drain-<netns>.json).",
        HelpName = "PATH",
    };

    internal static TimeSpan? ParseDuration(ArgumentResult result)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : string.Empty;
        if (ConfigValues.TryParseDuration(text, out var value, out var error))
        {
            return value;
        }

        result.AddError($"'{text}' is not a duration ({error}); write 30s, 5m, 1h30m or a number of seconds");
        return TimeSpan.Zero;
    }

    /// <summary>The namespace path for --netns NAME (a bare name is under /run/netns).</summary>
    internal static string? NamespacePath(string? netns) =>
        string.IsNullOrEmpty(netns) ? null : netns.Contains('/', StringComparison.Ordinal) ? netns : "/run/netns/" + netns;

    internal static string DefaultStateFile(string? netns) =>
        DrainStateStore.DefaultPath(string.IsNullOrEmpty(netns) ? null : Path.GetFileName(netns));

    /// <summary>Reads and validates the file, printing every diagnostic; null when it is refused.</summary>
    internal static IpvsConfig? ReadConfig(string file, TextWriter error)
    {
        // The ha section (docs/ha.md) is part of the schema everywhere; apply --watch follows it.
        var result = Ipvs.Ha.HaSectionReader.ReadFile(file);
        PrintDiagnostics(result, file, error);
        return result.Config;
    }

    internal static void PrintDiagnostics(IpvsConfigReadResult result, string file, TextWriter error)
    {
        const int Limit = 200;
        var shown = 0;
        foreach (var diagnostic in result.Diagnostics)
        {
            if (shown++ < Limit)
            {
                error.WriteLine(diagnostic.ToString());
            }
        }

        if (shown > Limit)
        {
            error.WriteLine($"... and {shown - Limit} more");
        }

        if (!result.Succeeded)
        {
            var errors = result.Diagnostics.Count(d => d.Severity == ConfigSeverity.Error);
            error.WriteLine($"ipvs: {file}: {errors} error{(errors == 1 ? string.Empty : "s")}; nothing was changed");
        }
    }

    internal static IpvsClient? OpenClient(CliEnvironment environment, string? netns, TextWriter error)
    {
        try
        {
            return environment.OpenClient(NamespacePath(netns));
        }
        catch (IpvsException e)
        {
            error.WriteLine("ipvs: " + e.Message);
            return null;
        }
    }

    /// <summary>The console's output, buffered: flush before writing to the error stream, to keep the order.</summary>
    internal static BufferedOutput StandardOutput(CliConsole console) => new(console.Out);

    /// <summary>One line about a server that stays draining.</summary>
    internal static string DescribeDraining(DrainingServer draining, DateTimeOffset now)
    {
        var left = draining.Deadline - now;
        var text = "server " + draining.Id + " draining since " + ConfigValues.FormatDuration(now - draining.Since) + " ago: "
            + draining.DescribeConnections() + "; deleted when they end, at the latest in " + ConfigValues.FormatDuration(left < TimeSpan.Zero ? TimeSpan.Zero : left);
        if (draining.TemplatesExpireIn is { } templates)
        {
            text += " (its persistence templates expire within " + ConfigValues.FormatDuration(templates) + ")";
        }

        return text;
    }

    /// <summary>With IPVS_TIMING=1, how long each step took, printed on standard error (for benchmarks).</summary>
    internal sealed class StepTimer
    {
        private readonly List<KeyValuePair<string, TimeSpan>> _steps = [];
        private readonly long _start = System.Diagnostics.Stopwatch.GetTimestamp();
        private long _last;

        public StepTimer()
        {
            _last = _start;
        }

        public static bool Enabled { get; } = Environment.GetEnvironmentVariable("IPVS_TIMING") == "1";

        public void Mark(string step)
        {
            var now = System.Diagnostics.Stopwatch.GetTimestamp();
            _steps.Add(new(step, System.Diagnostics.Stopwatch.GetElapsedTime(_last, now)));
            _last = now;
        }

        public void Add(IEnumerable<KeyValuePair<string, TimeSpan>> steps)
        {
            _steps.AddRange(steps);
            _last = System.Diagnostics.Stopwatch.GetTimestamp();
        }

        public void Print(TextWriter error)
        {
            if (!Enabled)
            {
                return;
            }

            var total = System.Diagnostics.Stopwatch.GetElapsedTime(_start);
            error.WriteLine("timing: " + string.Join(", ", _steps.Select(s => $"{s.Key} {s.Value.TotalMilliseconds:0.0} ms"))
                + $"; total {total.TotalMilliseconds:0.0} ms since main, process {ProcessAgeMilliseconds():0} ms, RSS {ResidentMegabytes()} MB");
        }

        // From /proc rather than System.Diagnostics.Process, whose mere presence in the binary
        // costs every command's start-up (see ChildProcess).
        private static double ProcessAgeMilliseconds()
        {
            try
            {
                // Field 22 of /proc/self/stat: start time in clock ticks (USER_HZ, 100) after boot.
                var started = double.Parse(StatFields()[19], CultureInfo.InvariantCulture) / 100;
                var uptime = double.Parse(File.ReadAllText("/proc/uptime").Split(' ')[0], CultureInfo.InvariantCulture);
                return (uptime - started) * 1000;
            }
            catch (Exception e) when (e is IOException or FormatException or IndexOutOfRangeException)
            {
                return double.NaN;
            }
        }

        /// <summary>Collections of each generation and minor page faults so far, for the watch loop's log: " [GC 12/3/1, faults 4567]".</summary>
        public static string Counters()
        {
            var faults = "?";
            try
            {
                // Field 10 of /proc/self/stat: minor faults.
                faults = StatFields()[7];
            }
            catch (Exception e) when (e is IOException or IndexOutOfRangeException)
            {
            }

            return $" [GC {GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)}, faults {faults}, RSS {ResidentMegabytes()} MB]";
        }

        // The fields of /proc/self/stat after the command name (field 3 first), which may hold spaces.
        private static string[] StatFields()
        {
            var stat = File.ReadAllText("/proc/self/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        }

        private static long ResidentMegabytes()
        {
            try
            {
                foreach (var line in File.ReadLines("/proc/self/status"))
                {
                    if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                    {
                        return long.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture) / 1024;
                    }
                }
            }
            catch (Exception e) when (e is IOException or FormatException)
            {
            }

            return -1;
        }
    }
}
