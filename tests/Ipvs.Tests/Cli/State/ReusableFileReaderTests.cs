using Ipvs.Cli.State;

namespace Ipvs.Tests.Cli.State;

public sealed class ReusableFileReaderTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), "ipvs-reader-" + Guid.NewGuid().ToString("N") + ".yaml");

    [Fact]
    public void Read_ReturnsExactlyTheFile_AsItShrinksAndGrows_ReusingItsBuffer()
    {
        var reader = new ReusableFileReader(_path);
        var random = new Random(7);
        byte[]? previousBuffer = null;
        foreach (var size in new[] { 10_000, 3, 0, 9_000, 70_000, 1, 200_000 })
        {
            var content = new byte[size];
            random.NextBytes(content);
            File.WriteAllBytes(_path, content);

            var read = reader.Read();

            Assert.Equal(content, read.ToArray());
            Assert.True(System.Runtime.InteropServices.MemoryMarshal.TryGetArray(read, out var segment));
            if (size == 9_000)
            {
                Assert.Same(previousBuffer, segment.Array); // smaller than the buffer: no new array
            }

            previousBuffer = segment.Array;
        }
    }

    [Fact]
    public void Read_OfAMissingFile_ThrowsIOException()
    {
        Assert.ThrowsAny<IOException>(() => new ReusableFileReader(_path).Read());
    }

    public void Dispose() => File.Delete(_path);
}
