namespace Ipvs.Testing;

/// <summary>
/// A fresh network namespace for one test: an empty IPVS table of its own, removed on dispose.
/// Tests in different namespaces cannot see each other's services, so they may run in parallel.
/// </summary>
internal sealed class TestNamespace : IDisposable
{
    private static int s_counter;

    public TestNamespace()
    {
        Name = $"ipvs-t{Environment.ProcessId}-{Interlocked.Increment(ref s_counter)}";
        HostCommand.Check("ip", "netns", "add", Name);
        HostCommand.Check("ip", "-n", Name, "link", "set", "lo", "up");
    }

    public string Name { get; }

    public string Path => "/run/netns/" + Name;

    /// <summary>A client working on this namespace.</summary>
    public IpvsClient OpenClient(IpvsClientOptions? options = null) =>
        IpvsClient.Open((options ?? new IpvsClientOptions()) with { NetworkNamespace = Path });

    /// <summary>Runs a program inside the namespace (ip netns exec).</summary>
    public CommandResult Exec(string fileName, IEnumerable<string> arguments, string? standardInput = null, TimeSpan? timeout = null) =>
        HostCommand.Run("ip", new[] { "netns", "exec", Name, fileName }.Concat(arguments), standardInput, timeout);

    public CommandResult Exec(string fileName, params string[] arguments) => Exec(fileName, (IEnumerable<string>)arguments);

    /// <summary>Debian's ipvsadm in this namespace; requires exit status 0 and returns stdout.</summary>
    public string Ipvsadm(params string[] arguments)
    {
        var result = Exec("ipvsadm", arguments);
        return result.ExitCode == 0 ? result.StandardOutput : throw new InvalidOperationException($"ipvsadm {string.Join(' ', arguments)}: {result}");
    }

    public void Dispose() => HostCommand.Run("ip", "netns", "delete", Name);
}
