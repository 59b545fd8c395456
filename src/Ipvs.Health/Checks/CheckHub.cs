namespace Ipvs.Health.Checks;

/// <summary>
/// One <see cref="CheckRunner"/> per distinct check and target (the definition by value, the
/// address and port, and for a file check the configured weight), shared by every service that names it: a real server
/// behind twenty services is checked once per interval, not twenty times (keepalived checks it
/// once per service). Runners are counted by their subscribers and stop with the last one, so a
/// reload that subscribes the new services before releasing the old keeps the runners (and
/// their state) of every check that did not change.
/// </summary>
public sealed class CheckHub : IDisposable
{
    private readonly Func<CheckDefinition, IChecker> _factory;
    private readonly TimeProvider _timeProvider;
    private readonly Func<TimeSpan, TimeSpan> _random;
    private readonly Lock _lock = new();
    private readonly Dictionary<(CheckDefinition, CheckTarget), CheckRunner> _runners = [];

    /// <summary>Creates a hub.</summary>
    /// <param name="factory">Creates the checker of a definition (<see cref="Checkers.Create"/>; tests give fakes).</param>
    /// <param name="timeProvider">The clock of every runner.</param>
    /// <param name="randomDelay">A random delay from zero up to its argument (the warmup); default uniform.</param>
    public CheckHub(Func<CheckDefinition, IChecker> factory, TimeProvider? timeProvider = null, Func<TimeSpan, TimeSpan>? randomDelay = null)
    {
        _factory = factory ?? throw new ArgumentNullException(nameof(factory));
        _timeProvider = timeProvider ?? TimeProvider.System;
        _random = randomDelay ?? (max => TimeSpan.FromTicks((long)(Random.Shared.NextDouble() * max.Ticks)));
    }

    /// <summary>How many runners are running (distinct checks and targets).</summary>
    public int RunnerCount
    {
        get
        {
            lock (_lock)
            {
                return _runners.Count;
            }
        }
    }

    internal IReadOnlyList<CheckRunner> Runners
    {
        get
        {
            lock (_lock)
            {
                return [.. _runners.Values];
            }
        }
    }

    /// <summary>Subscribes to the runner of <paramref name="definition"/> and <paramref name="target"/>, starting it when new.</summary>
    /// <exception cref="NotSupportedException">The factory has no checker for this kind.</exception>
    internal CheckSubscription Subscribe(CheckDefinition definition, CheckTarget target, Action<CheckRunner, CheckResult> changed)
    {
        lock (_lock)
        {
            var key = KeyOf(definition, target);
            if (!_runners.TryGetValue(key, out var runner))
            {
                runner = new CheckRunner(definition, target, _factory(definition), _timeProvider, _random);
                _runners.Add(key, runner);
            }

            var subscription = new CheckSubscription(this, runner, changed);
            runner.Add(subscription);
            runner.Start();
            return subscription;
        }
    }

    internal void Release(CheckSubscription subscription)
    {
        lock (_lock)
        {
            var runner = subscription.Runner;
            var key = KeyOf(runner.Definition, runner.Target);
            if (runner.Remove(subscription) && _runners.TryGetValue(key, out var held) && ReferenceEquals(held, runner))
            {
                _runners.Remove(key);
                runner.Dispose();
            }
        }
    }

    // Only a FILE_CHECK's result depends on the server's configured weight (its value is added to
    // it): other checks of the same endpoint are shared whatever weight each service gives it.
    // Alpha only says how a subscriber reads a runner that has not run yet: not part of the key.
    private static (CheckDefinition, CheckTarget) KeyOf(CheckDefinition definition, CheckTarget target) =>
        (definition with { Alpha = null }, definition is FileCheck ? target : target with { Weight = 0 });

    /// <summary>Stops every runner.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            foreach (var runner in _runners.Values)
            {
                runner.Dispose();
            }

            _runners.Clear();
        }
    }
}
