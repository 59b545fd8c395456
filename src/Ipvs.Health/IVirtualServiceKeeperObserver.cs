using Ipvs.Model;

namespace Ipvs.Health;

/// <summary>Why the keeper changed the kernel's table.</summary>
public enum KernelChangeCause
{
    /// <summary>The first synchronization at start-up (or after a reload).</summary>
    Initial,

    /// <summary>Someone else changed the table (a service or real server deleted, a weight changed): put back.</summary>
    Repair,

    /// <summary>A health state changed, or a drain timeout ran out.</summary>
    Health,
}

/// <summary>
/// What a <see cref="VirtualServiceKeeper"/> reports as it works: for logs and metrics. Calls
/// come from the keeper's round (one at a time per keeper, probes excepted, which may report
/// concurrently). Every member has an empty default.
/// </summary>
public interface IVirtualServiceKeeperObserver
{
    /// <summary>A probe finished.</summary>
    void ProbeCompleted(VirtualServiceKey service, RealServerHealth server, ProbeResult result)
    {
    }

    /// <summary>A server's health state changed.</summary>
    void HealthChanged(VirtualServiceKey service, RealServerHealth server, RealServerHealthState previous, ServiceHealth health)
    {
    }

    /// <summary>The service entered (<paramref name="inPanic"/> true) or left panic.</summary>
    void PanicChanged(VirtualServiceKey service, bool inPanic, ServiceHealth health)
    {
    }

    /// <summary>The keeper sent a change to the kernel; <see cref="IpvsOperationResult.Error"/> says whether it was refused.</summary>
    void KernelChanged(VirtualServiceKey service, IpvsOperationResult result, KernelChangeCause cause)
    {
    }

    /// <summary>A round could not read or change the kernel's table; the next round tries again.</summary>
    void RoundFailed(VirtualServiceKey service, Exception error)
    {
    }

    /// <summary>A round finished.</summary>
    void RoundCompleted(VirtualServiceKey service, TimeSpan duration, ServiceHealth health)
    {
    }
}
