using System.Diagnostics.CodeAnalysis;
using Ipvs.Cli.Care;
using Ipvs.Health;
using Ipvs.Model;
using Ipvs.State.Keepalived;

namespace Ipvs.Cli.Import;

/// <summary>
/// keepalived's virtual servers as the services <c>ipvs care -f</c> would keep (the import, then
/// the care file's reader), for commands that look at a keepalived host without writing a file:
/// <c>ipvs doctor -f keepalived.conf</c> and the claims of a running keepalived.
/// </summary>
internal static class KeepalivedServices
{
    /// <summary>
    /// The services of an <c>ipvs apply</c> / <c>ipvs care -f</c> file or, when its name ends in
    /// .conf, of keepalived's configuration (docs/doctor.md).
    /// </summary>
    public static bool TryLoadAny(string path, [NotNullWhen(true)] out IReadOnlyList<CaredService>? services, [NotNullWhen(false)] out string? error) =>
        path.EndsWith(".conf", StringComparison.Ordinal)
            ? TryLoad(path, out services, out error)
            : CareFile.TryLoad(path, VirtualService.DefaultScheduler, new HealthCheckOptions(), out services, out error);

    public static bool TryLoad(string path, [NotNullWhen(true)] out IReadOnlyList<CaredService>? services, [NotNullWhen(false)] out string? error)
    {
        services = null;
        var read = KeepalivedConfigReader.Read(path);
        if (!read.Succeeded)
        {
            error = string.Join("\n", read.Errors.Select(e => ImportCommand.Safe(e.ToString())));
            return false;
        }

        var result = KeepalivedImporter.Import(read.Config!);
        if (result.Errors.Count > 0)
        {
            error = string.Join("\n", result.Errors.Select(ImportCommand.Safe));
            return false;
        }

        // What does not carry over (VRRP, e-mail, SNMP) does not change which services there are.
        return CareFile.TryParse(result.Document!.ToJson(), path, new HealthCheckOptions(), out services, out error);
    }
}
