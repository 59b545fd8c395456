using Ipvs.Testing;

namespace Ipvs.KernelTests.State;

/// <summary>Runs the published native binary's state commands against a test namespace, with a drain state file of its own.</summary>
internal sealed class IpvsCli : IDisposable
{
    private readonly TestNamespace _ns;

    public IpvsCli(TestNamespace ns)
    {
        _ns = ns;
        Directory = System.IO.Directory.CreateTempSubdirectory("ipvs-state-").FullName;
        StateFile = Path.Combine(Directory, "drain.json");
    }

    public string Directory { get; }

    public string StateFile { get; }

    /// <summary>Writes a file in the test's directory and returns its path.</summary>
    public string Write(string name, string text)
    {
        var path = Path.Combine(Directory, name);
        File.WriteAllText(path, text);
        return path;
    }

    public CommandResult Apply(string file, params string[] extra) =>
        Run(["apply", "-f", file, "--state-file", StateFile, .. extra]);

    public CommandResult Diff(string file, params string[] extra) =>
        Run(["diff", "-f", file, "--state-file", StateFile, .. extra]);

    public CommandResult Export(params string[] extra) => Run(["export", .. extra]);

    public CommandResult Run(IEnumerable<string> arguments) =>
        HostCommand.Run(TestPaths.IpvsBinary, [.. arguments, "--netns", _ns.Name], timeout: TimeSpan.FromMinutes(3));

    /// <summary>ipvsadm -Sn of the namespace, lines sorted (ipvsadm sorts services, not always the same way as the kernel lists dests).</summary>
    public string Saved() => _ns.Ipvsadm("-Sn");

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
}
