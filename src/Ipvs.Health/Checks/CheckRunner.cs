namespace Ipvs.Health.Checks;

/// <summary>
/// Runs one check against one target on its own timer, as a keepalived checker thread does:
/// the first attempt after 1 s plus a random part of the warmup, then one every interval after
/// the previous ended; a failed attempt is retried <see cref="CheckDefinition.Retry"/> times,
/// <see cref="CheckDefinition.EffectiveDelayBeforeRetry"/> apart, before the check counts as
/// failed; one pass counts as up. The very first failure counts at once (keepalived starts a
/// checker with its retries used up). Shared by every service that names the same check and
/// target (<see cref="CheckHub"/>).
/// </summary>
internal sealed class CheckRunner : IDisposable
{
    /// <summary>keepalived's BOOTSTRAP_DELAY: no checker starts before one second.</summary>
    internal static readonly TimeSpan BootstrapDelay = TimeSpan.FromSeconds(1);

    private readonly IChecker _checker;
    private readonly TimeProvider _timeProvider;
    private readonly Func<TimeSpan, TimeSpan> _random;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _lock = new();
    private readonly List<CheckSubscription> _subscriptions = [];
    private Task? _loop;
    private long _attempts;
    private int _disposed;

    public CheckRunner(CheckDefinition definition, CheckTarget target, IChecker checker, TimeProvider timeProvider, Func<TimeSpan, TimeSpan> random)
    {
        Definition = definition;
        Target = target;
        _checker = checker;
        _timeProvider = timeProvider;
        _random = random;
    }

    public CheckDefinition Definition { get; }

    public CheckTarget Target { get; }

    /// <summary>True once a verdict was reached (keepalived's has_run).</summary>
    public bool HasRun { get; private set; }

    /// <summary>The last verdict; meaningful only when <see cref="HasRun"/>.</summary>
    public bool IsUp { get; private set; }

    /// <summary>The weight the last passing verdict set (dynamic checks); null for none.</summary>
    public int? Weight { get; private set; }

    /// <summary>The last attempt's result, or null before the first.</summary>
    public CheckResult? LastResult { get; private set; }

    /// <summary>Attempts so far (retries included).</summary>
    public long Attempts => Interlocked.Read(ref _attempts);

    internal int SubscriberCount
    {
        get
        {
            lock (_lock)
            {
                return _subscriptions.Count;
            }
        }
    }

    internal void Add(CheckSubscription subscription)
    {
        lock (_lock)
        {
            _subscriptions.Add(subscription);
        }
    }

    /// <returns>True when it was the last subscription.</returns>
    internal bool Remove(CheckSubscription subscription)
    {
        lock (_lock)
        {
            _subscriptions.Remove(subscription);
            return _subscriptions.Count == 0;
        }
    }

    public void Start()
    {
        if (_loop is null)
        {
            // The first timer is set now, not when a thread-pool thread gets to it: the warmup counts from the start.
            var warmup = Definition.Warmup ?? Definition.Interval;
            var first = Task.Delay(BootstrapDelay + (warmup > TimeSpan.Zero ? _random(warmup) : TimeSpan.Zero), _timeProvider, _stop.Token);
            _loop = LoopAsync(first, _stop.Token);
        }
    }

    private bool AnyEnabled()
    {
        lock (_lock)
        {
            return _subscriptions.Exists(s => s.Enabled);
        }
    }

    private async Task LoopAsync(Task firstDelay, CancellationToken cancellationToken)
    {
        var delay = TimeSpan.Zero;
        var retryIt = Definition.Retry;
        var wait = firstDelay;
        try
        {
            while (true)
            {
                await (wait ?? Task.Delay(delay, _timeProvider, cancellationToken)).ConfigureAwait(false);
                wait = null;
                if (!AnyEnabled())
                {
                    // ha_suspend everywhere: not checked, state kept (keepalived's disabled checker).
                    delay = Definition.Interval;
                    continue;
                }

                var result = await AttemptAsync(cancellationToken).ConfigureAwait(false);
                Interlocked.Increment(ref _attempts);
                var changed = false;
                lock (_lock)
                {
                    LastResult = result;
                    if (result.IsUp || retryIt >= Definition.Retry)
                    {
                        delay = Definition.Interval;
                        retryIt = 0;
                        var weight = result.IsUp ? result.Weight : Weight;
                        changed = !HasRun || IsUp != result.IsUp || weight != Weight;
                        HasRun = true;
                        IsUp = result.IsUp;
                        Weight = weight;
                    }
                    else
                    {
                        delay = Definition.EffectiveDelayBeforeRetry;
                        retryIt++;
                    }
                }

                if (changed)
                {
                    CheckSubscription[] subscribers;
                    lock (_lock)
                    {
                        subscribers = [.. _subscriptions];
                    }

                    foreach (var subscriber in subscribers)
                    {
                        subscriber.Notify(this, result);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private async Task<CheckResult> AttemptAsync(CancellationToken cancellationToken)
    {
        var started = _timeProvider.GetTimestamp();
        try
        {
            return await _checker.CheckAsync(Target, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A checker bug must not stop the loop: a failed attempt.
            return CheckResult.Down(_timeProvider.GetElapsedTime(started), SafeText.From(e.Message));
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _stop.Cancel();
        var loop = _loop;
        if (loop is not null)
        {
            // The loop ends at its next await; the checker is released after it.
            _ = loop.ContinueWith(_ => { _checker.Dispose(); _stop.Dispose(); }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
        else
        {
            _checker.Dispose();
            _stop.Dispose();
        }
    }
}

/// <summary>A service's hold on a shared <see cref="CheckRunner"/>; disposing it releases the runner when it was the last.</summary>
internal sealed class CheckSubscription : IDisposable
{
    private readonly CheckHub _hub;
    private readonly Action<CheckRunner, CheckResult> _changed;
    private int _disposed;

    internal CheckSubscription(CheckHub hub, CheckRunner runner, Action<CheckRunner, CheckResult> changed)
    {
        _hub = hub;
        Runner = runner;
        _changed = changed;
    }

    public CheckRunner Runner { get; }

    /// <summary>True once this subscriber was told of a verdict.</summary>
    public bool SawVerdict { get; set; }

    /// <summary>False while the service is suspended (ha_suspend): the runner checks only while one subscriber is enabled.</summary>
    public volatile bool Enabled = true;

    internal void Notify(CheckRunner runner, CheckResult result)
    {
        if (Volatile.Read(ref _disposed) == 0)
        {
            _changed(runner, result);
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _hub.Release(this);
        }
    }
}
