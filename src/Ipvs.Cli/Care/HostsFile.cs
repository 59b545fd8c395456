using System.Net;

namespace Ipvs.Cli.Care;

/// <summary>Reads /etc/hosts the way sealos does to find the route gateway (the <c>lvscare.node.ip</c> entry).</summary>
internal static class HostsFile
{
    /// <summary>The name sealos writes to /etc/hosts for the node's own address (its DefaultLvscareDomain).</summary>
    public const string LvscareNodeName = "lvscare.node.ip";

    public const string DefaultPath = "/etc/hosts";

    /// <summary>The address of the first line of /etc/hosts that names <paramref name="name"/>, or null.</summary>
    public static string? Lookup(string name) => Lookup(DefaultPath, name);

    public static string? Lookup(string path, string name)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        foreach (var raw in lines)
        {
            var hash = raw.IndexOf('#', StringComparison.Ordinal);
            var line = hash >= 0 ? raw[..hash] : raw;
            var fields = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length >= 2 && IPAddress.TryParse(fields[0], out _) && fields.AsSpan(1).Contains(name))
            {
                return fields[0];
            }
        }

        return null;
    }
}
