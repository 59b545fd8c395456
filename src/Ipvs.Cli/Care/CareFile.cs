using System.Diagnostics.CodeAnalysis;
using Ipvs.Health;

namespace Ipvs.Cli.Care;

/// <summary>Loads the virtual services of <c>ipvs care -f FILE</c>.</summary>
internal static class CareFile
{
    public static bool TryLoad(string path, string defaultScheduler, HealthCheckOptions defaultHealth, [NotNullWhen(true)] out IReadOnlyList<CaredService>? services, [NotNullWhen(false)] out string? error)
    {
        _ = defaultScheduler;
        _ = defaultHealth;
        services = null;
        error = $"{path}: configuration files are not supported yet";
        return false;
    }
}
