namespace Ipvs.Tests.State.Keepalived;

/// <summary>A temporary directory of files for configuration tests, deleted at the end.</summary>
internal sealed class TempTree : IDisposable
{
    public TempTree() => Directory.CreateDirectory(Root);

    public string Root { get; } = Path.Combine(Path.GetTempPath(), "ipvs-kad-" + Guid.NewGuid().ToString("N"));

    /// <summary>Writes a file (the text's margin is the caller's raw string literal's) and returns its full path.</summary>
    public string Write(string relative, string text)
    {
        var path = Path.Combine(Root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
