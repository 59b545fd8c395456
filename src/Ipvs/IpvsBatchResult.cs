using System.Collections;

namespace Ipvs;

/// <summary>How one operation of a batch ended.</summary>
/// <param name="Operation">The operation.</param>
/// <param name="Error">Why the kernel refused it, or null when it was applied.</param>
public sealed record IpvsOperationResult(IpvsOperation Operation, IpvsException? Error)
{
    /// <summary>True when the kernel applied the operation.</summary>
    public bool Succeeded => Error is null;
}

/// <summary>The results of a batch, one per operation, in the order they were given.</summary>
/// <remarks>The kernel applies each operation on its own: a failure does not undo or stop the others.</remarks>
public sealed class IpvsBatchResult : IReadOnlyList<IpvsOperationResult>
{
    private readonly IpvsOperationResult[] _results;

    internal IpvsBatchResult(IpvsOperationResult[] results)
    {
        _results = results;
        FailedCount = results.Count(r => !r.Succeeded);
    }

    /// <summary>The number of operations.</summary>
    public int Count => _results.Length;

    /// <summary>The number of operations the kernel refused.</summary>
    public int FailedCount { get; }

    /// <summary>The number of operations the kernel applied.</summary>
    public int SucceededCount => _results.Length - FailedCount;

    /// <summary>True when every operation was applied.</summary>
    public bool AllSucceeded => FailedCount == 0;

    /// <summary>The refused operations, in order.</summary>
    public IEnumerable<IpvsOperationResult> Failures => _results.Where(r => !r.Succeeded);

    /// <inheritdoc />
    public IpvsOperationResult this[int index] => _results[index];

    /// <summary>Throws an <see cref="AggregateException"/> of every refusal, if there was any.</summary>
    public void ThrowIfAnyFailed()
    {
        if (FailedCount > 0)
        {
            throw new AggregateException(
                $"{FailedCount} of {Count} IPVS operations failed; the others were applied.",
                Failures.Select(f => f.Error!));
        }
    }

    /// <inheritdoc />
    public IEnumerator<IpvsOperationResult> GetEnumerator() => ((IEnumerable<IpvsOperationResult>)_results).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
