using System.Globalization;
using System.Security.Cryptography;

namespace Ipvs.State;

/// <summary>Tells the watch loop that its file may have changed.</summary>
public interface IFileChangeSignal : IDisposable
{
    /// <summary>Completes when a change may have happened since the last wait.</summary>
    Task WaitAsync(CancellationToken cancellationToken);
}

/// <summary>Timing of the watch loop.</summary>
public sealed record IpvsWatchOptions
{
    /// <summary>How often the kernel is compared with the file (drift repair, and a re-read of the file in case a change went unnoticed). Default 10 s.</summary>
    public TimeSpan ResyncInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How often draining servers are checked while some are draining (at most the resync interval). Default 2 s.</summary>
    public TimeSpan DrainPollInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>How long to let a burst of file events settle before reading the file. Default 200 ms.</summary>
    public TimeSpan Debounce { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The clock (timers, log times).</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}

/// <summary>
/// The loop of <c>ipvs apply --watch</c>: applies the file, then again whenever the file changes
/// (its content, not just its time) and at every resync interval, which repairs drift (someone
/// ran <c>ipvsadm -D</c>) and finishes draining. A file that stops being valid is reported and
/// the last valid one stays in force. Every change made is logged.
/// </summary>
public sealed class IpvsStateWatcher
{
    private readonly Func<ReadOnlyMemory<byte>> _readFile;
    private readonly Func<ReadOnlyMemory<byte>, IpvsConfigReadResult> _parse;
    private readonly Func<IpvsConfig, bool, CancellationToken, Task<IpvsReconcileResult>> _apply;
    private readonly IFileChangeSignal _changes;
    private readonly IpvsWatchOptions _options;
    private readonly Action<string> _log;
    private byte[]? _lastHash;
    private IpvsConfig? _config;
    private TimeSpan _readTime;

    /// <summary>Creates the loop.</summary>
    /// <param name="readFile">Reads the file's bytes (throws <see cref="IOException"/> when it cannot).</param>
    /// <param name="parse">Parses and validates them.</param>
    /// <param name="apply">One reconciliation pass (<see cref="IpvsReconciler.ApplyAsync"/>).</param>
    /// <param name="changes">File change notifications.</param>
    /// <param name="options">Timing.</param>
    /// <param name="log">Receives one line per event and per change.</param>
    public IpvsStateWatcher(
        Func<byte[]> readFile,
        Func<byte[], IpvsConfigReadResult> parse,
        Func<IpvsConfig, CancellationToken, Task<IpvsReconcileResult>> apply,
        IFileChangeSignal changes,
        IpvsWatchOptions options,
        Action<string> log)
        : this(Bytes(readFile), parse is null ? null! : bytes => parse(ArrayOf(bytes)), WithoutReason(apply), changes, options, log)
    {
    }

    /// <summary>Creates the loop, telling each pass whether only the file changed since the last one.</summary>
    /// <param name="readFile">Reads the file's bytes (throws <see cref="IOException"/> when it cannot); they are used until the next read only, so the buffer may be reused.</param>
    /// <param name="parse">Parses and validates them (<see cref="IncrementalConfigReader.Parse(ReadOnlySpan{byte})"/>).</param>
    /// <param name="apply">
    /// One reconciliation pass; its second argument is true for a pass made because the file
    /// changed (<see cref="IpvsReconciler.ApplyFileChangeAsync"/>), false for the first pass and
    /// the timed ones (resync, draining), which must look at the whole table.
    /// </param>
    /// <param name="changes">File change notifications.</param>
    /// <param name="options">Timing.</param>
    /// <param name="log">Receives one line per event and per change.</param>
    public IpvsStateWatcher(
        Func<ReadOnlyMemory<byte>> readFile,
        Func<ReadOnlyMemory<byte>, IpvsConfigReadResult> parse,
        Func<IpvsConfig, bool, CancellationToken, Task<IpvsReconcileResult>> apply,
        IFileChangeSignal changes,
        IpvsWatchOptions options,
        Action<string> log)
    {
        _readFile = readFile ?? throw new ArgumentNullException(nameof(readFile));
        _parse = parse ?? throw new ArgumentNullException(nameof(parse));
        _apply = apply ?? throw new ArgumentNullException(nameof(apply));
        _changes = changes ?? throw new ArgumentNullException(nameof(changes));
        _options = options ?? throw new ArgumentNullException(nameof(options));
        if (options.ResyncInterval <= TimeSpan.Zero || options.DrainPollInterval <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "The resync and drain poll intervals must be longer than 0.");
        }

        _log = log ?? throw new ArgumentNullException(nameof(log));
    }

    /// <summary>The number of reconciliation passes made so far.</summary>
    public int Passes { get; private set; }

    /// <summary>The outcome of the last pass, if any.</summary>
    public IpvsReconcileResult? LastResult { get; private set; }

    /// <summary>Runs until cancelled (then returns normally).</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var time = _options.TimeProvider;
        Task? changeWait = null;
        ReadFile(initial: true);
        var fileChanged = false;
        while (!cancellationToken.IsCancellationRequested)
        {
            if (_config is not null)
            {
                await PassAsync(_config, fileChanged, cancellationToken).ConfigureAwait(false);
            }

            fileChanged = false;

            var wait = _options.ResyncInterval;
            if (LastResult is { Plan.Draining.Count: > 0 } last)
            {
                wait = Min(wait, _options.DrainPollInterval);
                // Wake at the first deadline to come; a passed one was handled by this pass (or failed).
                var earliest = last.Plan.Draining.Min(d => d.Deadline) - time.GetUtcNow();
                if (earliest > TimeSpan.Zero)
                {
                    wait = Min(wait, earliest);
                }
            }

            using var waitCancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            changeWait ??= _changes.WaitAsync(cancellationToken);
            var timer = Task.Delay(wait, time, waitCancel.Token);
            try
            {
                var first = await Task.WhenAny(changeWait, timer).ConfigureAwait(false);
                if (cancellationToken.IsCancellationRequested)
                {
                    break;
                }

                if (first == changeWait)
                {
                    changeWait = null;
                    await waitCancel.CancelAsync().ConfigureAwait(false);
                    // Let a burst of events (an editor's write and rename) settle.
                    await Task.Delay(_options.Debounce, time, cancellationToken).ConfigureAwait(false);
                    fileChanged = ReadFile(initial: false);
                }
                else
                {
                    // Resync: also catches file changes the notifications missed.
                    ReadFile(initial: false);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
        }
    }

    // Reads and parses the file; true when it holds a new valid configuration.
    private bool ReadFile(bool initial)
    {
        var started = _options.TimeProvider.GetTimestamp();
        ReadOnlyMemory<byte> bytes;
        try
        {
            bytes = _readFile();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            if (_lastHash is not null || initial)
            {
                _log("cannot read the file: " + Errno.Describe(e) + (_config is null ? "; waiting for it" : "; keeping the last valid configuration"));
                _lastHash = null;
            }

            return false;
        }

        var hash = SHA256.HashData(bytes.Span);
        if (_lastHash is not null && hash.AsSpan().SequenceEqual(_lastHash))
        {
            return false;
        }

        _lastHash = hash;
        var result = _parse(bytes);
        foreach (var diagnostic in result.Diagnostics)
        {
            _log(diagnostic.ToString());
        }

        if (result.Config is null)
        {
            _log(_config is null ? "the file is not valid; waiting for a valid one" : "the file is not valid; keeping the last valid configuration");
            return false;
        }

        if (!initial)
        {
            _log("the file changed: " + result.Config.Services.Count.ToString(CultureInfo.InvariantCulture) + " services, "
                + result.Config.RealServerCount.ToString(CultureInfo.InvariantCulture) + " real servers");
        }

        _config = result.Config;
        _readTime = _options.TimeProvider.GetElapsedTime(started);
        return true;
    }

    private async Task PassAsync(IpvsConfig config, bool fileChanged, CancellationToken cancellationToken)
    {
        IpvsReconcileResult result;
        var started = _options.TimeProvider.GetTimestamp();
        try
        {
            result = await _apply(config, fileChanged, cancellationToken).ConfigureAwait(false);
        }
        catch (IpvsException e)
        {
            _log("cannot reach IPVS: " + e.Message);
            return;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return;
        }

        // How long it took, from reading the file to the last operation's answer (logging aside).
        var elapsed = _readTime + _options.TimeProvider.GetElapsedTime(started);
        Passes++;
        var previous = LastResult;
        LastResult = result;
        foreach (var warning in result.Warnings)
        {
            _log("warning: " + warning);
        }

        foreach (var refusal in result.Refusals)
        {
            _log("not applied: " + refusal);
        }

        if (result.Execution is { } execution)
        {
            foreach (var change in execution.Results)
            {
                _log(change.ToString());
            }
        }

        // Report draining when it starts or its numbers change, not at every poll.
        var draining = string.Join("; ", result.Plan.Draining.Select(d => d.Id + ": " + d.DescribeConnections()));
        var before = previous is null ? string.Empty : string.Join("; ", previous.Plan.Draining.Select(d => d.Id + ": " + d.DescribeConnections()));
        if (draining != before && draining.Length > 0)
        {
            _log("draining " + draining);
        }

        if (fileChanged || Passes == 1)
        {
            var steps = string.Join(", ", result.Timings.Select(t => t.Key + " " + Milliseconds(t.Value)));
            _log((fileChanged ? "file change applied in " : "first pass done in ") + Milliseconds(elapsed) + ": "
                + (result.Execution?.AppliedCount ?? 0).ToString(CultureInfo.InvariantCulture) + " changes (read and parse the file "
                + Milliseconds(_readTime) + (steps.Length == 0 ? string.Empty : ", " + steps) + ")");
        }
    }

    private static string Milliseconds(TimeSpan time) => time.TotalMilliseconds.ToString("0.0", CultureInfo.InvariantCulture) + " ms";

    private static Func<ReadOnlyMemory<byte>> Bytes(Func<byte[]> readFile)
    {
        ArgumentNullException.ThrowIfNull(readFile);
        return () => readFile();
    }

    // The array behind the memory when it is exactly that (it always is with Bytes), a copy otherwise.
    private static byte[] ArrayOf(ReadOnlyMemory<byte> bytes) =>
        System.Runtime.InteropServices.MemoryMarshal.TryGetArray(bytes, out var segment) && segment.Offset == 0 && segment.Count == segment.Array!.Length
            ? segment.Array
            : bytes.ToArray();

    private static Func<IpvsConfig, bool, CancellationToken, Task<IpvsReconcileResult>> WithoutReason(Func<IpvsConfig, CancellationToken, Task<IpvsReconcileResult>> apply)
    {
        ArgumentNullException.ThrowIfNull(apply);
        return (config, _, cancellationToken) => apply(config, cancellationToken);
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}

/// <summary>File change notifications for one file, from inotify (through <see cref="FileSystemWatcher"/> on its directory, which also sees editors' renames and symbolic link swaps).</summary>
public sealed class FileChangeSignal : IFileChangeSignal
{
    private readonly FileSystemWatcher? _watcher;
    private readonly SemaphoreSlim _signal = new(0, 1);

    /// <summary>Watches <paramref name="path"/>; when the directory cannot be watched, only the resync interval notices changes.</summary>
    public FileChangeSignal(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is null || !Directory.Exists(directory))
        {
            return;
        }

        try
        {
            _watcher = new FileSystemWatcher(directory)
            {
                NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.CreationTime | NotifyFilters.DirectoryName,
                IncludeSubdirectories = false,
            };
            _watcher.Changed += OnEvent;
            _watcher.Created += OnEvent;
            _watcher.Deleted += OnEvent;
            _watcher.Renamed += OnEvent;
            _watcher.EnableRaisingEvents = true;
        }
        catch (Exception e) when (e is IOException or ArgumentException or PlatformNotSupportedException)
        {
            _watcher?.Dispose();
            _watcher = null;
        }
    }

    /// <summary>True when notifications are active.</summary>
    public bool IsWatching => _watcher is not null;

    /// <inheritdoc />
    public Task WaitAsync(CancellationToken cancellationToken) => _signal.WaitAsync(cancellationToken);

    /// <inheritdoc />
    public void Dispose()
    {
        _watcher?.Dispose();
        _signal.Dispose();
    }

    private void OnEvent(object sender, FileSystemEventArgs e)
    {
        if (_signal.CurrentCount == 0)
        {
            try
            {
                _signal.Release();
            }
            catch (SemaphoreFullException)
            {
            }
        }
    }
}
