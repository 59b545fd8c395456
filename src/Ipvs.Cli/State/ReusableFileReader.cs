namespace Ipvs.Cli.State;

/// <summary>
/// Reads a file into a buffer kept for the next read. The watch loop reads a file of megabytes at
/// every change; a fresh array each time would be garbage the size of the file, per change.
/// </summary>
internal sealed class ReusableFileReader(string path)
{
    private byte[] _buffer = [];

    /// <summary>The file's content, valid until the next call.</summary>
    public ReadOnlyMemory<byte> Read()
    {
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        // Room for the file as it is now, and a little more to notice that it grew meanwhile.
        var expected = RandomAccess.GetLength(handle);
        if (expected >= Array.MaxLength - 4096)
        {
            throw new IOException($"{path} is too large");
        }

        if (_buffer.Length < expected + 1)
        {
            _buffer = new byte[expected + 4096];
        }

        var total = 0;
        while (true)
        {
            if (total == _buffer.Length)
            {
                Array.Resize(ref _buffer, checked(_buffer.Length * 2));
            }

            var read = RandomAccess.Read(handle, _buffer.AsSpan(total), total);
            if (read == 0)
            {
                return _buffer.AsMemory(0, total);
            }

            total += read;
        }
    }
}
