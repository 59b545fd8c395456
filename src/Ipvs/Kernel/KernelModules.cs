namespace Ipvs.Kernel;

/// <summary>
/// Loads kernel modules with the system's modprobe, as ipvsadm does for ip_vs. Scheduler and
/// persistence-engine modules are normally loaded by the kernel itself; loading them here first
/// covers systems where the kernel's module helper is disabled.
/// </summary>
internal static class KernelModules
{
    private static readonly string[] s_modprobePaths = ["/sbin/modprobe", "/usr/sbin/modprobe", "/bin/modprobe", "/usr/bin/modprobe"];

    /// <summary>True when the module is loaded (or built in with parameters) according to /sys/module.</summary>
    public static bool IsLoaded(string module) => Directory.Exists("/sys/module/" + module);

    /// <summary>Runs <c>modprobe -- MODULE</c>; returns null on success, else what went wrong.</summary>
    public static string? TryLoad(string module)
    {
        if (!IsValidName(module))
        {
            return $"'{module}' is not a module name";
        }

        var modprobe = Array.Find(s_modprobePaths, File.Exists);
        if (modprobe is null)
        {
            return "modprobe was not found";
        }

        var status = ChildProcess.Run(modprobe, ["--", module], captureError: true, out var standardError, out var error);
        if (status < 0)
        {
            return $"modprobe could not be run: {error}";
        }

        return status == 0 ? null : $"modprobe {module} failed: {standardError.Trim()}";
    }

    /// <summary>Loads <c>ip_vs_NAME</c> for a scheduler (or <c>ip_vs_pe_NAME</c> for an engine) unless it is loaded.</summary>
    public static void EnsureLoaded(string module)
    {
        if (IsValidName(module) && !IsLoaded(module))
        {
            _ = TryLoad(module);
        }
    }

    private static bool IsValidName(string module) =>
        module.Length is > 0 and < 64 && module.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_' or '-');
}
