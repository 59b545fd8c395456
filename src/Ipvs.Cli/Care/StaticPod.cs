using System.Globalization;
using System.Text;

namespace Ipvs.Cli.Care;

/// <summary>
/// The Kubernetes static pod that runs the daemon on a node, shaped as the one sealos generates
/// for lvscare (<c>sealctl static-pod lvscare</c>): host network, privileged, /lib/modules
/// mounted read-only, priority class system-node-critical, in kube-system.
/// </summary>
internal static class StaticPod
{
    public const string Name = "ipvs-care";
    public const string Command = "/usr/sbin/ipvs";

    /// <summary>The pod's YAML (fields in the order the Kubernetes serializer writes them).</summary>
    public static string Render(IReadOnlyList<string> arguments, string image, string? configFile)
    {
        var yaml = new StringBuilder();
        yaml.Append("apiVersion: v1\n");
        yaml.Append("kind: Pod\n");
        yaml.Append("metadata:\n");
        yaml.Append("  creationTimestamp: null\n");
        yaml.Append("  name: ").Append(Name).Append('\n');
        yaml.Append("  namespace: kube-system\n");
        yaml.Append("spec:\n");
        yaml.Append("  containers:\n");
        yaml.Append("  - args:\n");
        foreach (var argument in arguments)
        {
            yaml.Append("    - ").Append(Scalar(argument)).Append('\n');
        }

        yaml.Append("    command:\n");
        yaml.Append("    - ").Append(Command).Append('\n');
        yaml.Append("    image: ").Append(Scalar(image)).Append('\n');
        yaml.Append("    imagePullPolicy: IfNotPresent\n");
        yaml.Append("    name: ").Append(Name).Append('\n');
        yaml.Append("    resources: {}\n");
        yaml.Append("    securityContext:\n");
        yaml.Append("      privileged: true\n");
        yaml.Append("    volumeMounts:\n");
        if (configFile is not null)
        {
            yaml.Append("    - mountPath: ").Append(Scalar(Path.GetDirectoryName(configFile) ?? "/")).Append('\n');
            yaml.Append("      name: config\n");
            yaml.Append("      readOnly: true\n");
        }

        yaml.Append("    - mountPath: /lib/modules\n");
        yaml.Append("      name: lib-modules\n");
        yaml.Append("      readOnly: true\n");
        yaml.Append("  hostNetwork: true\n");
        yaml.Append("  priorityClassName: system-node-critical\n");
        yaml.Append("  volumes:\n");
        if (configFile is not null)
        {
            yaml.Append("  - hostPath:\n");
            yaml.Append("      path: ").Append(Scalar(Path.GetDirectoryName(configFile) ?? "/")).Append('\n');
            yaml.Append("      type: Directory\n");
            yaml.Append("    name: config\n");
        }

        yaml.Append("  - hostPath:\n");
        yaml.Append("      path: /lib/modules\n");
        yaml.Append("      type: \"\"\n");
        yaml.Append("    name: lib-modules\n");
        yaml.Append("status: {}\n");
        return yaml.ToString();
    }

    /// <summary>A YAML scalar: plain when it reads back as the same string, double-quoted otherwise.</summary>
    internal static string Scalar(string value)
    {
        if (IsPlainSafe(value))
        {
            return value;
        }

        return Output.YamlWriter.Quote(value);
    }

    private static bool IsPlainSafe(string value)
    {
        if (value.Length == 0 || char.IsWhiteSpace(value[0]) || char.IsWhiteSpace(value[^1]))
        {
            return false;
        }

        // Indicators that may not start a plain scalar.
        if ("-?:,[]{}#&*!|>'\"%@`".Contains(value[0], StringComparison.Ordinal) && !(value[0] == '-' && value.Length > 1 && value[1] != ' '))
        {
            return false;
        }

        if (value.Contains(": ", StringComparison.Ordinal) || value.Contains(" #", StringComparison.Ordinal) || value.EndsWith(':') || value.Any(char.IsControl))
        {
            return false;
        }

        // What YAML 1.1 (Go's yaml.v2) would read as another type.
        var lower = value.ToLowerInvariant();
        if (lower is "true" or "false" or "yes" or "no" or "on" or "off" or "y" or "n" or "null" or "~" or ".nan" or ".inf" or "-.inf" or "+.inf")
        {
            return false;
        }

        if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out _) || value.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            || (value.All(c => char.IsAsciiDigit(c) || c == ':') && value.Contains(':', StringComparison.Ordinal)))
        {
            return false;
        }

        return true;
    }
}
