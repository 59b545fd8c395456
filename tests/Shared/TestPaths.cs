namespace Ipvs.Testing;

/// <summary>Where the repository and the published binary are, seen from a test assembly.</summary>
internal static class TestPaths
{
    private static readonly Lazy<string> s_root = new(FindRoot);

    /// <summary>The repository's root (the directory holding Ipvs.slnx).</summary>
    public static string Root => s_root.Value;

    /// <summary>
    /// The published Native AOT binary (dist/ipvs, made by scripts/publish, which ./test.sh runs
    /// first), or the one named by IPVS_BINARY.
    /// </summary>
    public static string IpvsBinary
    {
        get
        {
            var path = Environment.GetEnvironmentVariable("IPVS_BINARY") ?? Path.Combine(Root, "dist", "ipvs");
            return File.Exists(path) ? path : throw new FileNotFoundException($"{path} does not exist: run scripts/publish (./test.sh does) first.", path);
        }
    }

    /// <summary>The binary's link named ipvsadm (dist/ipvsadm).</summary>
    public static string IpvsadmLink => Path.Combine(Path.GetDirectoryName(IpvsBinary)!, "ipvsadm");

    /// <summary>The binary's link named sealctl (dist/sealctl).</summary>
    public static string SealctlLink => Path.Combine(Path.GetDirectoryName(IpvsBinary)!, "sealctl");

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Ipvs.slnx")))
            {
                return directory.FullName;
            }
        }

        throw new DirectoryNotFoundException("The repository root (Ipvs.slnx) was not found above " + AppContext.BaseDirectory);
    }
}
