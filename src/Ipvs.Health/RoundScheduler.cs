namespace Ipvs.Health;

/// <summary>
/// Runs a round every interval, at a fixed rate on a monotonic clock, never two at once: a
/// round that overruns delays the next one (the missed ticks are skipped, not queued).
/// <see cref="Wake"/> starts the next round now (a reload, a test).
/// </summary>
public sealed class RoundScheduler
{
    private readonly TimeSpan _interval;
    private readonly TimeProvider _timeProvider;
    private readonly long _origin;
    private readonly Lock _lock = new();
    private TaskCompletionSource _wake = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _roundStartedAt = -1;
    private long _rounds;

    /// <summary>Creates a scheduler with the given interval and clock.</summary>
    public RoundScheduler(TimeSpan interval, TimeProvider? timeProvider = null)
    {
        if (interval <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(interval), interval, "The interval must be positive.");
        }

        _interval = interval;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _origin = _timeProvider.GetTimestamp();
    }

    /// <summary>Rounds started so far.</summary>
    public long Rounds => Interlocked.Read(ref _rounds);

    /// <summary>Time since the scheduler was created, on its monotonic clock.</summary>
    public TimeSpan Now => _timeProvider.GetElapsedTime(_origin);

    /// <summary>How long the round in progress has been running; null between rounds.</summary>
    public TimeSpan? CurrentRoundAge
    {
        get
        {
            var started = Interlocked.Read(ref _roundStartedAt);
            return started < 0 ? null : _timeProvider.GetElapsedTime(started);
        }
    }

    /// <summary>Runs <paramref name="round"/> every interval until <paramref name="cancellationToken"/> is cancelled.</summary>
    /// <remarks>The round reports its own failures; an exception from it other than cancellation ends the loop.</remarks>
    public async Task RunAsync(Func<CancellationToken, Task> round, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(round);
        var due = Now;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Interlocked.Increment(ref _rounds);
            Interlocked.Exchange(ref _roundStartedAt, _timeProvider.GetTimestamp());
            try
            {
                await round(cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                Interlocked.Exchange(ref _roundStartedAt, -1);
            }

            due += _interval;
            var now = Now;
            if (due < now)
            {
                due = now;
            }

            Task wake;
            lock (_lock)
            {
                wake = _wake.Task;
            }

            if (!wake.IsCompleted && due > now)
            {
                using var delayCancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                var delay = Task.Delay(due - now, _timeProvider, delayCancel.Token);
                var first = await Task.WhenAny(delay, wake).ConfigureAwait(false);
                if (first == wake)
                {
                    delayCancel.Cancel();
                    due = Now;
                }

                await delay.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default).ConfigureAwait(false);
            }
            else if (wake.IsCompleted)
            {
                due = Now;
            }

            lock (_lock)
            {
                if (_wake.Task.IsCompleted)
                {
                    _wake = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                }
            }
        }
    }

    /// <summary>Starts the next round as soon as the current one (if any) ends.</summary>
    public void Wake()
    {
        lock (_lock)
        {
            _wake.TrySetResult();
        }
    }
}
