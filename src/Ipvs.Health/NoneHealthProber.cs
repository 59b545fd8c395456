using System.Net;

namespace Ipvs.Health;

/// <summary>The "none" check: every server is healthy, so the daemon only keeps the table as configured.</summary>
internal sealed class NoneHealthProber : IHealthProber
{
    public static readonly NoneHealthProber Instance = new();

    public string Name => "none";

    public ValueTask<ProbeResult> ProbeAsync(IPAddress address, ushort port, CancellationToken cancellationToken) =>
        ValueTask.FromResult(ProbeResult.Healthy(TimeSpan.Zero));

    public void Dispose()
    {
    }
}
