using Ipvs.Model;

namespace Ipvs.Health.Checks;

/// <summary>
/// What a <see cref="CheckedServiceKeeper"/> reports, for logs and metrics. Calls for one keeper
/// come one at a time (scripts excepted, which end on their own). Every member has an empty
/// default. Texts from servers (<see cref="CheckResult.Failure"/>) are already safe.
/// </summary>
public interface ICheckedServiceObserver
{
    /// <summary>A check of <paramref name="server"/> reached a new verdict (or its first, or a new dynamic weight).</summary>
    void CheckChanged(VirtualServiceKey service, CheckedServerState server, CheckDefinition check, CheckResult result)
    {
    }

    /// <summary>A server came up, went down, or its effective weight changed.</summary>
    void ServerChanged(VirtualServiceKey service, CheckedServerState server, bool wasAlive, int previousWeight)
    {
    }

    /// <summary>The service gained (<paramref name="up"/>) or lost quorum.</summary>
    void QuorumChanged(VirtualServiceKey service, bool up, long liveWeight, long threshold, bool sorryServerInUse)
    {
    }

    /// <summary>Checks were suspended (the virtual address is not local; ha_suspend) or resumed.</summary>
    void SuspendChanged(VirtualServiceKey service, bool suspended)
    {
    }

    /// <summary>The keeper sent a change to the kernel.</summary>
    void KernelChanged(VirtualServiceKey service, IpvsOperationResult result, KernelChangeCause cause)
    {
    }

    /// <summary>A script ended; <paramref name="what"/> says which (on-up 198.18.1.2:80, on-quorum-down).</summary>
    void ScriptFinished(VirtualServiceKey service, string what, ScriptCommand script, ScriptResult result)
    {
    }

    /// <summary>The kernel's table could not be read or changed; the next round tries again.</summary>
    void RoundFailed(VirtualServiceKey service, Exception error)
    {
    }
}
