using Ipvs.Kernel;
using Ipvs.Model;

namespace Ipvs.State;

/// <summary>How a planned change ended.</summary>
public enum ChangeOutcome
{
    /// <summary>The kernel applied it.</summary>
    Applied,

    /// <summary>The kernel refused it; <see cref="ChangeResult.Error"/> says why.</summary>
    Failed,

    /// <summary>It was not sent: it needed a change that failed (a real server of a service that could not be created).</summary>
    Skipped,
}

/// <summary>What became of one planned change.</summary>
/// <param name="Change">The change.</param>
/// <param name="Outcome">Applied, failed or skipped.</param>
/// <param name="Error">The kernel's refusal, when it failed.</param>
public sealed record ChangeResult(PlannedChange Change, ChangeOutcome Outcome, IpvsException? Error = null)
{
    /// <summary>Why it was skipped, when it was.</summary>
    public string? SkipReason { get; init; }

    /// <summary>The change's line followed by what went wrong, if anything.</summary>
    public override string ToString() => Outcome switch
    {
        ChangeOutcome.Applied => Change.ToString(),
        ChangeOutcome.Failed => Change + ": " + Error!.Reason + (Change.Location is { } l ? " [" + l + "]" : string.Empty),
        _ => Change + ": not sent, " + SkipReason,
    };
}

/// <summary>The outcome of executing a plan: one result per change, in the plan's order.</summary>
public sealed class IpvsApplyResult
{
    internal IpvsApplyResult(IpvsPlan plan, IReadOnlyList<ChangeResult> results, IReadOnlyDictionary<RealServerId, DateTimeOffset> drainState)
    {
        Plan = plan;
        Results = results;
        DrainState = drainState;
        AppliedCount = results.Count(r => r.Outcome == ChangeOutcome.Applied);
        FailedCount = results.Count(r => r.Outcome == ChangeOutcome.Failed);
        SkippedCount = results.Count(r => r.Outcome == ChangeOutcome.Skipped);
    }

    /// <summary>The plan that was executed.</summary>
    public IpvsPlan Plan { get; }

    /// <summary>Every change with its outcome, in the plan's order.</summary>
    public IReadOnlyList<ChangeResult> Results { get; }

    /// <summary>The drain start times to remember: those of the plan whose drain step was applied (or needed none).</summary>
    public IReadOnlyDictionary<RealServerId, DateTimeOffset> DrainState { get; }

    /// <summary>Changes the kernel applied.</summary>
    public int AppliedCount { get; }

    /// <summary>Changes the kernel refused.</summary>
    public int FailedCount { get; }

    /// <summary>Changes not sent because one they depend on failed.</summary>
    public int SkippedCount { get; }

    /// <summary>True when every change was applied.</summary>
    public bool Succeeded => FailedCount == 0 && SkippedCount == 0;
}

/// <summary>
/// Executes a plan through <see cref="IIpvs.Execute(IReadOnlyList{IpvsOperation}, CancellationToken)"/>,
/// pipelined: first every service change in one batch, then every real server change in another,
/// leaving out the servers of services that could not be created (reported as skipped, not sent to
/// fail). The kernel applies each operation on its own, so the result says exactly what was and
/// was not applied.
/// </summary>
public static class IpvsPlanExecutor
{
    /// <summary>
    /// Checks what the kernel cannot be asked in advance: that every scheduler and persistence
    /// engine the plan uses can be loaded. Returns the problems (empty when none); call before
    /// <see cref="Execute"/> so that a missing module refuses the whole plan rather than part of it.
    /// </summary>
    public static IReadOnlyList<string> CheckKernelSupport(IpvsPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var problems = new List<string>();
        var modules = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var change in plan.Changes)
        {
            var service = change.Operation switch
            {
                AddServiceOperation add => add.Service,
                UpdateServiceOperation update => update.Service,
                _ => null,
            };
            if (service is null)
            {
                continue;
            }

            if (service.Scheduler != "none")
            {
                modules.Add("ip_vs_" + service.Scheduler);
            }

            if (!string.IsNullOrEmpty(service.PersistenceEngine))
            {
                modules.Add("ip_vs_pe_" + service.PersistenceEngine);
            }
        }

        foreach (var module in modules)
        {
            if (KernelModules.IsLoaded(module))
            {
                continue;
            }

            var error = KernelModules.TryLoad(module);
            // Without modprobe nothing can be known in advance; the kernel will say.
            if (error is not null && !error.StartsWith("modprobe was not found", StringComparison.Ordinal) && !KernelModules.IsLoaded(module))
            {
                var what = module.StartsWith("ip_vs_pe_", StringComparison.Ordinal)
                    ? $"persistence engine '{module["ip_vs_pe_".Length..]}'"
                    : $"scheduler '{module["ip_vs_".Length..]}'";
                problems.Add($"the {what} is not available in this kernel ({error})");
            }
        }

        return problems;
    }

    /// <summary>Executes the plan; never throws for refused operations (see the result).</summary>
    public static IpvsApplyResult Execute(IIpvs client, IpvsPlan plan, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(plan);
        var results = new ChangeResult?[plan.Changes.Count];
        var serviceIndexes = new List<int>();
        var serverIndexes = new List<int>();
        for (var i = 0; i < plan.Changes.Count; i++)
        {
            (plan.Changes[i].IsServerChange ? serverIndexes : serviceIndexes).Add(i);
        }

        var failedServices = new HashSet<VirtualServiceKey>();
        if (serviceIndexes.Count > 0)
        {
            var batch = client.Execute(serviceIndexes.Select(i => plan.Changes[i].Operation).ToArray(), cancellationToken);
            for (var j = 0; j < serviceIndexes.Count; j++)
            {
                var change = plan.Changes[serviceIndexes[j]];
                var error = batch[j].Error;
                results[serviceIndexes[j]] = new ChangeResult(change, error is null ? ChangeOutcome.Applied : ChangeOutcome.Failed, error);
                if (error is not null && change.Action == ChangeAction.Add)
                {
                    failedServices.Add(change.Service);
                }
            }
        }

        var toSend = new List<int>(serverIndexes.Count);
        foreach (var i in serverIndexes)
        {
            var change = plan.Changes[i];
            if (failedServices.Contains(change.Service))
            {
                results[i] = new ChangeResult(change, ChangeOutcome.Skipped) { SkipReason = "its service could not be created" };
            }
            else
            {
                toSend.Add(i);
            }
        }

        if (toSend.Count > 0)
        {
            var batch = client.Execute(toSend.Select(i => plan.Changes[i].Operation).ToArray(), cancellationToken);
            for (var j = 0; j < toSend.Count; j++)
            {
                var error = batch[j].Error;
                results[toSend[j]] = new ChangeResult(plan.Changes[toSend[j]], error is null ? ChangeOutcome.Applied : ChangeOutcome.Failed, error);
            }
        }

        // Remember drains whose weight-0 step worked (or was not needed); forget the others.
        var drainState = new Dictionary<RealServerId, DateTimeOffset>(plan.DrainState);
        for (var i = 0; i < results.Length; i++)
        {
            var result = results[i]!;
            if (result.Outcome != ChangeOutcome.Applied && result.Change.Drain == DrainStage.Started && result.Change.Server is { } server)
            {
                drainState.Remove(new RealServerId(result.Change.Service, server.Address, server.Port));
            }
        }

        return new IpvsApplyResult(plan, results!, drainState);
    }
}
