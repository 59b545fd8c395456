using System.CommandLine;
using System.Globalization;
using Ipvs.Cli.Common;
using Ipvs.State;

namespace Ipvs.Cli.State;

/// <summary><c>ipvs apply -f FILE [--prune] [--dry-run] [--watch]</c>.</summary>
internal static class ApplyCommand
{
    public static CliCommand Create(CliContext context)
    {
        var file = StateCommand.FileOption("The desired state, YAML or JSON (docs/config.md); - reads standard input.");
        var prune = StateCommand.PruneOption();
        var dryRun = new Option<bool>("--dry-run") { Description = "Print the plan and change nothing." };
        var drainTimeout = StateCommand.DrainTimeoutOption();
        var stateFile = StateCommand.StateFileOption();
        var watch = new Option<bool>("--watch") { Description = "Keep running: apply again when the file changes and at every resync (repairs drift, finishes draining). Stop with Ctrl-C or SIGTERM." };
        var resync = new Option<TimeSpan?>("--resync")
        {
            Description = "With --watch: how often the kernel is compared with the file (default 10s).",
            HelpName = "DURATION",
            CustomParser = StateCommand.ParseDuration,
        };
        var netns = StateCommand.NetnsOption();
        var quiet = new Option<bool>("--quiet", "-q") { Description = "Do not print each change; only problems and the summary." };
        var haNode = new Option<string?>("--ha-node")
        {
            Description = "With --watch and an ha section: which node of the pair this is (default: the node whose address is local, else the host name).",
            HelpName = "NAME",
        };
        var command = new CliCommand("apply", "Make the kernel's IPVS table match a file (YAML or JSON) with the fewest changes, draining removed real servers")
        {
            file, prune, dryRun, drainTimeout, stateFile, watch, resync, netns, quiet, haNode,
        };
        command.StopsGracefully = true;
        command.WithNotes(
            "Make the kernel's IPVS table match FILE with the fewest changes, sent in pipelined netlink batches. The whole file is validated first: any error, and nothing is changed.",
            "Services in the file get exactly the file's settings and real servers; a real server that leaves the file is drained first (weight 0) and deleted once it has no connections, or after --drain-timeout. Services not in the file are left alone unless --prune.",
            "Exit status: 0 applied, 1 some changes failed (each is reported), 2 nothing done (error).");
        command.WithExamples(
            "apply -f /etc/ipvs/services.yaml",
            "apply -f services.yaml --prune --drain-timeout 2m",
            "apply -f services.yaml --dry-run",
            "apply -f services.yaml --watch --resync 30s");
        command.SetAction((result, cancellationToken) => RunAsync(
            new Settings(
                result.GetValue(file)!,
                result.GetValue(prune),
                result.GetValue(dryRun),
                result.GetValue(drainTimeout) ?? IpvsPlanOptions.DefaultDrainTimeout,
                result.GetValue(stateFile),
                result.GetValue(watch),
                result.GetValue(resync) ?? TimeSpan.FromSeconds(10),
                result.GetValue(netns),
                result.GetValue(quiet),
                result.GetValue(haNode)),
            context.Environment,
            cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(Settings settings, CliEnvironment environment, CancellationToken cancellationToken)
    {
        // Flags that do not go together are usage errors, reported by the tree (status 2).
        if (settings.Watch && settings.DryRun)
        {
            throw new UsageException("--watch and --dry-run do not go together; use 'ipvs diff' to look without changing");
        }

        if (settings.Watch && settings.File == IpvsConfigReader.StandardInputName)
        {
            throw new UsageException("--watch needs a file to watch, not standard input");
        }

        if (settings.Resync <= TimeSpan.Zero)
        {
            throw new UsageException("--resync must be longer than 0");
        }

        var console = environment.Console;
        var error = console.Error;

        var timer = new StateCommand.StepTimer();
        var config = StateCommand.ReadConfig(settings.File, error);
        timer.Mark("read file");
        if (config is null && !settings.Watch)
        {
            return StateCommand.ExitError;
        }

        using var client = StateCommand.OpenClient(environment, settings.Netns, error);
        if (client is null)
        {
            return StateCommand.ExitError;
        }

        timer.Mark("open");

        var stateFile = settings.StateFile ?? StateCommand.DefaultStateFile(settings.Netns);
        using var applyLock = settings.DryRun ? null : ApplyLock.TryAcquire(stateFile, error);
        if (applyLock is null && !settings.DryRun)
        {
            return StateCommand.ExitError;
        }

        var reconciler = new IpvsReconciler(client, new IpvsReconcilerOptions
        {
            Prune = settings.Prune,
            DrainTimeout = settings.DrainTimeout,
            DrainStateFile = stateFile,
            NetworkNamespace = StateCommand.NamespacePath(settings.Netns),
            ReuseTable = settings.Watch,
        });
        if (settings.Watch)
        {
            return await WatchAsync(settings, reconciler, client, config, console, cancellationToken).ConfigureAwait(false);
        }

        using var output = StateCommand.StandardOutput(console);
        try
        {
            if (settings.DryRun)
            {
                var planned = await reconciler.PlanAsync(config!, cancellationToken).ConfigureAwait(false);
                timer.Add(planned.Timings);
                PrintWarnings(planned.Warnings, error);
                if (!settings.Quiet)
                {
                    foreach (var change in planned.Plan.Changes)
                    {
                        output.WriteLine(change.ToString());
                    }
                }

                output.Flush();
                PrintDraining(planned.Plan, error);
                error.WriteLine(planned.Plan.IsEmpty
                    ? $"dry run: nothing to change ({Count(config!)})"
                    : $"dry run: {Changes(planned.Plan.Changes.Count)} planned, none made");
                timer.Print(error);
                return StateCommand.ExitOk;
            }

            var applied = await reconciler.ApplyAsync(config!, cancellationToken).ConfigureAwait(false);
            timer.Add(applied.Timings);
            PrintWarnings(applied.Warnings, error);
            if (applied.Refusals.Count > 0)
            {
                foreach (var refusal in applied.Refusals)
                {
                    error.WriteLine("ipvs: " + refusal);
                }

                error.WriteLine("ipvs: nothing was changed");
                return StateCommand.ExitError;
            }

            var status = Report(applied, config!, settings.Quiet, output, error);
            timer.Mark("report");
            timer.Print(error);
            return status;
        }
        catch (IpvsException e)
        {
            output.Flush();
            error.WriteLine("ipvs: " + e.Message);
            return StateCommand.ExitError;
        }
    }

    private static int Report(IpvsReconcileResult applied, IpvsConfig config, bool quiet, TextWriter output, TextWriter error)
    {
        var plan = applied.Plan;
        if (applied.Execution is not { } execution)
        {
            output.Flush();
            PrintDraining(plan, error);
            error.WriteLine($"nothing to change: the kernel matches the file ({Count(config)})"
                + (plan.Draining.Count > 0 ? $", but {Servers(plan.Draining.Count)} still draining" : string.Empty));
            return StateCommand.ExitOk;
        }

        foreach (var result in execution.Results)
        {
            if (result.Outcome == ChangeOutcome.Applied)
            {
                if (!quiet)
                {
                    output.WriteLine(result.Change.ToString());
                }
            }
        }

        output.Flush();
        foreach (var result in execution.Results)
        {
            if (result.Outcome == ChangeOutcome.Failed)
            {
                error.WriteLine("failed: " + result);
            }
        }

        var skipped = execution.Results.Where(r => r.Outcome == ChangeOutcome.Skipped).ToList();
        foreach (var group in skipped.GroupBy(r => r.Change.Service))
        {
            error.WriteLine($"not sent: {Changes(group.Count())} to the real servers of {group.Key} ({group.First().SkipReason})");
        }

        PrintDraining(plan, error);
        if (execution.Succeeded)
        {
            error.WriteLine($"applied {Changes(execution.AppliedCount)}"
                + (plan.Draining.Count > 0 ? $"; {Servers(plan.Draining.Count)} still draining: run 'ipvs apply' again (or 'ipvs apply --watch') to finish" : string.Empty));
            return StateCommand.ExitOk;
        }

        error.WriteLine($"ipvs: partly applied: {execution.AppliedCount} of {Changes(execution.Results.Count)} applied, {execution.FailedCount} failed, {execution.SkippedCount} not sent");
        return StateCommand.ExitPartial;
    }

    private static async Task<int> WatchAsync(Settings settings, IpvsReconciler reconciler, IpvsClient client, IpvsConfig? initial, CliConsole console, CancellationToken cancellationToken)
    {
        var time = TimeProvider.System;
        var output = console.Out;
        var outputLock = new Lock();
        void Log(string line)
        {
            lock (outputLock)
            {
                output.WriteLine(time.GetUtcNow().ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture) + " " + line
                    + (StateCommand.StepTimer.Enabled && line.Contains(" in ", StringComparison.Ordinal) && line.Contains(" ms: ", StringComparison.Ordinal) ? StateCommand.StepTimer.Counters() : string.Empty));
                output.Flush();
            }
        }

        // The ha section: checked on this host before the first change, then followed while watching.
        var ha = initial is null ? null : Ipvs.Ha.HaSectionReader.Of(initial);
        if (ha is not null && settings.Netns is not null)
        {
            console.Error.WriteLine("ipvs: an ha section needs ipvs to run inside the director's network namespace (ip netns exec), not --netns: its sysctls and addresses are the namespace's; nothing was changed");
            return StateCommand.ExitError;
        }

        string? haError = null;
        await using var haRuntime = ha is null ? null : Cli.Ha.HaRuntime.Prepare(ha, settings.HaNode, Ipvs.Ha.HaPaths.DefaultRunDirectory, client, Log, time, out haError);
        if (ha is not null && haRuntime is null)
        {
            console.Error.WriteLine(haError!.Contains(": error: ", StringComparison.Ordinal) ? haError : "ipvs: " + haError);
            console.Error.WriteLine($"ipvs: {settings.File}: the ha section cannot work on this host; nothing was changed");
            return StateCommand.ExitError;
        }

        if (haRuntime is not null && !await haRuntime.StartAsync(cancellationToken).ConfigureAwait(false))
        {
            return StateCommand.ExitError;
        }

        using var changes = new FileChangeSignal(settings.File);
        // Successive versions of one file: only the services whose text changed are parsed again
        // (a file with an ha section is read whole each time: extension sections are).
        var reader = new IncrementalConfigReader(settings.File, ha is null ? null : Ipvs.Ha.HaSectionReader.AddTo(IpvsConfigReaderOptions.Default));
        var file = new ReusableFileReader(settings.File);
        var watcher = new IpvsStateWatcher(
            file.Read,
            bytes => ha is null ? reader.Parse(bytes.Span) : Ipvs.Ha.HaSectionReader.Complete(reader.Parse(bytes.Span)),
            (config, fileChanged, cancel) => fileChanged ? reconciler.ApplyFileChangeAsync(config, cancel) : reconciler.ApplyAsync(config, cancel),
            changes,
            new IpvsWatchOptions { ResyncInterval = settings.Resync, TimeProvider = time },
            Log);
        Log($"watching {settings.File} (resync every {ConfigValues.FormatDuration(settings.Resync)}"
            + (changes.IsWatching ? string.Empty : ", no file notifications here") + ")");
        await watcher.RunAsync(cancellationToken).ConfigureAwait(false);
        Log("stopped");
        return StateCommand.ExitOk;
    }

    private static void PrintWarnings(IReadOnlyList<string> warnings, TextWriter error)
    {
        foreach (var warning in warnings)
        {
            error.WriteLine("warning: " + warning);
        }
    }

    private static void PrintDraining(IpvsPlan plan, TextWriter error)
    {
        var now = DateTimeOffset.UtcNow;
        foreach (var draining in plan.Draining)
        {
            error.WriteLine(StateCommand.DescribeDraining(draining, now));
        }
    }

    private static string Count(IpvsConfig config) =>
        $"{config.Services.Count} service{(config.Services.Count == 1 ? string.Empty : "s")}, {Servers(config.RealServerCount)}";

    private static string Servers(int count) => count + (count == 1 ? " real server" : " real servers");

    private static string Changes(int count) => count + (count == 1 ? " change" : " changes");

    private sealed record Settings(string File, bool Prune, bool DryRun, TimeSpan DrainTimeout, string? StateFile, bool Watch, TimeSpan Resync, string? Netns, bool Quiet, string? HaNode);

    /// <summary>
    /// One apply at a time per drain state (per namespace): two would fight over weights and the
    /// drain memory. An advisory lock (flock) on STATEFILE.lock, held for the whole run (a watch
    /// holds it while it runs); the kernel releases it when the process ends, however it ends.
    /// The holder's pid goes to STATEFILE.lock.pid, for the message of whoever finds it taken.
    /// </summary>
    private sealed class ApplyLock : IDisposable
    {
        private readonly FileStream _stream;
        private readonly string _pidFile;

        private ApplyLock(FileStream stream, string pidFile)
        {
            _stream = stream;
            _pidFile = pidFile;
        }

        public static ApplyLock? TryAcquire(string stateFile, TextWriter error)
        {
            var path = stateFile + ".lock";
            var pidFile = path + ".pid";
            try
            {
                var directory = Path.GetDirectoryName(Path.GetFullPath(path));
                if (!string.IsNullOrEmpty(directory))
                {
                    Directory.CreateDirectory(directory);
                }

                var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
                File.WriteAllText(pidFile, Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "\n");
                return new ApplyLock(stream, pidFile);
            }
            catch (IOException)
            {
                var holder = string.Empty;
                try
                {
                    holder = File.ReadAllText(pidFile).Trim();
                }
                catch (IOException)
                {
                }

                error.WriteLine($"ipvs: another 'ipvs apply'{(holder.Length > 0 ? " (pid " + holder + ")" : string.Empty)} is working on this namespace (lock {path}); nothing was changed");
                return null;
            }
            catch (UnauthorizedAccessException e)
            {
                error.WriteLine($"ipvs: cannot take the lock {path}: {Errno.Describe(e)}; use --state-file to put the drain state elsewhere");
                return null;
            }
        }

        public void Dispose()
        {
            try
            {
                File.Delete(_pidFile);
            }
            catch (IOException)
            {
            }

            _stream.Dispose();
        }
    }
}
