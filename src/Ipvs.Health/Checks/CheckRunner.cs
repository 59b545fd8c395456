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

    private Task LoopAsync(Task firstDelay, CancellationToken cancellationToken) =>
        _checker is IStepwiseChecker stepwise ? UrlLoopAsync(stepwise, firstDelay, cancellationToken) : AttemptLoopAsync(firstDelay, cancellationToken);

    private async Task AttemptLoopAsync(Task firstDelay, CancellationToken cancellationToken)
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
                    Notify(result);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>
    /// keepalived's HTTP_GET/SSL_GET timing (check_http.c's epilog): one URL per timer tick, the
    /// next URL a delay_loop after a pass; a failure while up (or before the first verdict) is
    /// retried on the same URL delay_before_retry apart and, past the retries, the check is down
    /// with that URL marked failed; while down the failed URL alone is tried, without retries,
    /// every max(delay_before_retry, delay_loop); once it passes every URL is checked again from
    /// the first, and the check is up when all of them have passed.
    /// </summary>
    private async Task UrlLoopAsync(IStepwiseChecker stepwise, Task firstDelay, CancellationToken cancellationToken)
    {
        var urls = Math.Max(1, stepwise.StepCount);
        int? url = 0;
        int? failedUrl = null;
        var retryIt = Definition.Retry;
        var delay = TimeSpan.Zero;
        var wait = firstDelay;
        try
        {
            while (true)
            {
                await (wait ?? Task.Delay(delay, _timeProvider, cancellationToken)).ConfigureAwait(false);
                wait = null;
                if (!AnyEnabled())
                {
                    delay = Definition.Interval;
                    continue;
                }

                var step = url ?? 0;
                var result = await AttemptAsync(token => stepwise.CheckStepAsync(Target, step, token), cancellationToken).ConfigureAwait(false);
                Interlocked.Increment(ref _attempts);
                CheckResult? verdict = null;
                lock (_lock)
                {
                    LastResult = result;
                    bool passed = result.IsUp, retry = false;
                    if (passed)
                    {
                        url = step + 1 < urls ? step + 1 : null;
                        retryIt = 0;
                    }
                    else if (IsUp || !HasRun)
                    {
                        retry = true;
                        retryIt++;
                    }

                    if (passed && url is null && failedUrl is null)
                    {
                        // Every URL passed.
                        if (!IsUp || !HasRun)
                        {
                            verdict = result;
                        }

                        url = 0;
                    }
                    else if (retry && retryIt > Definition.Retry)
                    {
                        if (IsUp || !HasRun)
                        {
                            verdict = result;
                        }

                        failedUrl = step;
                    }
                    else if (passed && failedUrl is not null)
                    {
                        // The failed URL answers again: check them all from the first.
                        failedUrl = null;
                        url = 0;
                    }

                    if (passed)
                    {
                        delay = Definition.Interval;
                        if (!HasRun && verdict is null)
                        {
                            retryIt = Definition.Retry;
                        }
                    }
                    else
                    {
                        delay = failedUrl is not null ? Max(Definition.EffectiveDelayBeforeRetry, Definition.Interval) : Definition.EffectiveDelayBeforeRetry;
                    }

                    if (!passed && failedUrl is not null)
                    {
                        url = failedUrl;
                    }

                    if (verdict is { } v)
                    {
                        HasRun = true;
                        IsUp = v.IsUp;
                        Weight = v.IsUp ? v.Weight : Weight;
                    }
                }

                if (verdict is { } changed)
                {
                    Notify(changed);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    // Outside the lock: a subscriber re-evaluates its service and may call back into the runner.
    private void Notify(CheckResult verdict)
    {
        CheckSubscription[] subscribers;
        lock (_lock)
        {
            subscribers = [.. _subscriptions];
        }

        foreach (var subscriber in subscribers)
        {
            subscriber.Notify(this, verdict);
        }
    }

    private ValueTask<CheckResult> AttemptAsync(CancellationToken cancellationToken) =>
        AttemptAsync(token => _checker.CheckAsync(Target, token), cancellationToken);

    private async ValueTask<CheckResult> AttemptAsync(Func<CancellationToken, ValueTask<CheckResult>> attempt, CancellationToken cancellationToken)
    {
        var started = _timeProvider.GetTimestamp();
        try
        {
            return await attempt(cancellationToken).ConfigureAwait(false);
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
