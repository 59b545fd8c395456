using Microsoft.Win32.SafeHandles;

namespace Ipvs.Tests.Adm;

/// <summary>A temporary file opened for reading or writing, with its raw file descriptor.</summary>
internal sealed class TempDescriptor : IDisposable
{
    private readonly SafeFileHandle _handle;

    private TempDescriptor(string path, SafeFileHandle handle)
    {
        Path = path;
        _handle = handle;
    }

    public string Path { get; }

    public int Fd => (int)_handle.DangerousGetHandle();

    /// <summary>A file holding these bytes, open for reading.</summary>
    public static TempDescriptor Reading(byte[] content)
    {
        var path = System.IO.Path.GetTempFileName();
        File.WriteAllBytes(path, content);
        return new TempDescriptor(path, File.OpenHandle(path, FileMode.Open, FileAccess.Read));
    }

    /// <summary>An empty file open for writing.</summary>
    public static TempDescriptor Writing()
    {
        var path = System.IO.Path.GetTempFileName();
        return new TempDescriptor(path, File.OpenHandle(path, FileMode.Create, FileAccess.Write));
    }

    public string ReadAll() => System.Text.Encoding.Latin1.GetString(File.ReadAllBytes(Path));

    public void Dispose()
    {
        _handle.Dispose();
        File.Delete(Path);
    }
}
