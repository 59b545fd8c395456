using System.Globalization;

namespace Ipvs.ProcFs;

/// <summary>
/// The IPVS sysctls under <c>/proc/sys/net/ipv4/vs/</c> (conntrack, expire_nodest_conn,
/// conn_reuse_mode, run_estimation, …) of the current network namespace.
/// </summary>
public static class IpvsSysctl
{
    /// <summary>The directory of the IPVS sysctls.</summary>
    public const string Directory = "/proc/sys/net/ipv4/vs";

    /// <summary>Reads an integer sysctl, or null when it does not exist.</summary>
    public static int? Read(string name)
    {
        var path = PathOf(name);
        if (!File.Exists(path))
        {
            return null;
        }

        return int.TryParse(File.ReadAllText(path).Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) ? value : null;
    }

    /// <summary>Writes an integer sysctl.</summary>
    /// <exception cref="IOException">It does not exist or cannot be written.</exception>
    public static void Write(string name, int value) =>
        File.WriteAllText(PathOf(name), value.ToString(CultureInfo.InvariantCulture) + "\n");

    private static string PathOf(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (name.Contains('/', StringComparison.Ordinal) || name.Contains("..", StringComparison.Ordinal))
        {
            throw new ArgumentException($"'{name}' is not an IPVS sysctl name.", nameof(name));
        }

        return Path.Combine(Directory, name);
    }
}
