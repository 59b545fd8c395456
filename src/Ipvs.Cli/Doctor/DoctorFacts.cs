using System.Net;
using Ipvs.Model;

namespace Ipvs.Cli.Doctor;

/// <summary>How bad a finding is: the command exits 1 when any is an error.</summary>
internal enum Severity
{
    Ok,
    Info,
    Warning,
    Error,
}

/// <summary>One thing the doctor saw: what, how bad, the evidence, and the command that fixes it.</summary>
internal sealed record Finding(Severity Severity, string Check, string Subject, string Message, string Evidence, string? Fix = null);

/// <summary>A virtual service with its real servers, as the kernel (or a file) has them.</summary>
internal sealed record ServiceFacts(VirtualService Service, IReadOnlyList<RealServer> Servers);

/// <summary>An address of this host and the interface it is on.</summary>
internal sealed record HostAddress(IPAddress Address, int PrefixLength, string Interface);

/// <summary>How this host routes an address: local, on a connected link, through a gateway, or not at all.</summary>
internal enum RouteKind
{
    None,
    Local,
    Connected,
    Gateway,
}

/// <summary>Another program that manages the IPVS table, and the virtual addresses (with ports, when known) it claims.</summary>
internal sealed record TableManager(string Name, int ProcessId, string CommandLine, IReadOnlyList<string> Claims);

/// <summary>
/// Everything the checks look at, read once (<see cref="DoctorFactsReader"/>); the checks are
/// pure functions of it, so host tests give them faults without a kernel.
/// </summary>
internal sealed record DoctorFacts
{
    /// <summary>The running kernel's release (/proc/sys/kernel/osrelease), e.g. 6.1.0-26-amd64.</summary>
    public required string KernelRelease { get; init; }

    /// <summary>IPVS's version and connection table size, or null when IPVS is not available.</summary>
    public (Version Version, int TableSize)? Ipvs { get; init; }

    /// <summary>Why IPVS is not available.</summary>
    public string? IpvsError { get; init; }

    public IReadOnlyList<ServiceFacts> Services { get; init; } = [];

    /// <summary>Services of the file given with --file, not yet in the kernel perhaps.</summary>
    public IReadOnlyList<ServiceFacts> Configured { get; init; } = [];

    /// <summary>Kernel modules loaded or built in.</summary>
    public IReadOnlySet<string> Modules { get; init; } = new HashSet<string>();

    /// <summary>Modules the kernel can load (modules.dep of /lib/modules/RELEASE), or null when that list is not readable (a container without /lib/modules).</summary>
    public IReadOnlySet<string>? Loadable { get; init; }

    /// <summary>Sysctls by their dotted name (net.ipv4.ip_forward); a missing one was not readable.</summary>
    public IReadOnlyDictionary<string, string> Sysctls { get; init; } = new Dictionary<string, string>();

    public IReadOnlyList<HostAddress> Addresses { get; init; } = [];

    /// <summary>How each address of interest (virtual addresses, real servers) is routed.</summary>
    public IReadOnlyDictionary<IPAddress, RouteKind> Routes { get; init; } = new Dictionary<IPAddress, RouteKind>();

    /// <summary>Network links by name (kube-ipvs0, tunl0, ...).</summary>
    public IReadOnlySet<string> Links { get; init; } = new HashSet<string>();

    /// <summary>Persistence templates of the connection table.</summary>
    public IReadOnlyList<IpvsConnection> Templates { get; init; } = [];

    public IReadOnlyList<TableManager> Managers { get; init; } = [];

    /// <summary>The kernel's major.minor, or null when the release does not start with one.</summary>
    public Version? KernelVersion
    {
        get
        {
            var parts = KernelRelease.Split('.', '-');
            return parts.Length >= 2 && int.TryParse(parts[0], out var major) && int.TryParse(parts[1], out var minor) ? new Version(major, minor) : null;
        }
    }

    public int? Sysctl(string name) => Sysctls.TryGetValue(name, out var text) && int.TryParse(text.Trim(), out var value) ? value : null;

    public RouteKind RouteOf(IPAddress address) => Routes.TryGetValue(address, out var kind) ? kind : RouteKind.None;
}
