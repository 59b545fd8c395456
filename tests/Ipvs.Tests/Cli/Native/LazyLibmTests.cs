using System.Buffers.Binary;
using System.Text;
using Ipvs.Testing;

namespace Ipvs.Tests.Cli.Native;

/// <summary>
/// src/Ipvs.Cli/Native/lazy_libm.c: the published binary does not load libm at start, and the
/// six forwarders that replace it return exactly what libm returns.
/// </summary>
public sealed class LazyLibmTests
{
    [Fact]
    public void Forwarders_LinkedWithoutLibm_LoadItOnFirstCallAndMatchItBitForBit()
    {
        var compiler = FindCompiler();
        var directory = Directory.CreateTempSubdirectory("ipvs-lazy-libm-");
        try
        {
            var program = Path.Combine(directory.FullName, "check");
            HostCommand.Run(compiler,
            [
                "-O2", "-fno-builtin", "-Wall", "-Werror", "-o", program,
                Path.Combine(TestPaths.Root, "tests", "Ipvs.Tests", "Cli", "Native", "lazy_libm_check.c"),
                Path.Combine(TestPaths.Root, "src", "Ipvs.Cli", "Native", "lazy_libm.c"),
            ]).EnsureSuccess();
            Assert.DoesNotContain("libm.so.6", NeededLibraries(program));

            var result = HostCommand.Run(program);

            Assert.True(result.ExitCode == 0, result.ToString());
            Assert.StartsWith("ok ", result.StandardOutput, StringComparison.Ordinal);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public void PublishedBinary_NeedsOnlyLibcAndTheLoader()
    {
        var needed = NeededLibraries(TestPaths.IpvsBinary);

        Assert.Contains("libc.so.6", needed);
        Assert.DoesNotContain("libm.so.6", needed);
    }

    /// <summary>A C compiler, as the Native AOT build itself needs one (clang, else gcc).</summary>
    private static string FindCompiler()
    {
        foreach (var name in new[] { "clang", "gcc", "cc" })
        {
            foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin").Split(':'))
            {
                var path = Path.Combine(directory, name);
                if (File.Exists(path))
                {
                    return path;
                }
            }
        }

        throw new InvalidOperationException("no C compiler (clang or gcc) on PATH: the Native AOT build needs one too (lab/install-deps installs it)");
    }

    /// <summary>The DT_NEEDED entries of a 64-bit little-endian ELF file.</summary>
    private static List<string> NeededLibraries(string path)
    {
        var elf = File.ReadAllBytes(path);
        Assert.True(elf.AsSpan(0, 4).SequenceEqual("\u007fELF"u8) && elf[4] == 2 && elf[5] == 1, path + " is not a 64-bit little-endian ELF file");
        var programHeaders = (int)BinaryPrimitives.ReadUInt64LittleEndian(elf.AsSpan(0x20));
        var entrySize = BinaryPrimitives.ReadUInt16LittleEndian(elf.AsSpan(0x36));
        var entries = BinaryPrimitives.ReadUInt16LittleEndian(elf.AsSpan(0x38));
        var loads = new List<(ulong Address, ulong Offset, ulong Size)>();
        (ulong Offset, ulong Size)? dynamic = null;
        for (var i = 0; i < entries; i++)
        {
            var header = elf.AsSpan(programHeaders + (i * entrySize));
            var type = BinaryPrimitives.ReadUInt32LittleEndian(header);
            var offset = BinaryPrimitives.ReadUInt64LittleEndian(header[8..]);
            var address = BinaryPrimitives.ReadUInt64LittleEndian(header[16..]);
            var fileSize = BinaryPrimitives.ReadUInt64LittleEndian(header[32..]);
            if (type == 1)
            {
                loads.Add((address, offset, fileSize));
            }
            else if (type == 2)
            {
                dynamic = (offset, fileSize);
            }
        }

        Assert.True(dynamic is not null, path + " has no dynamic section");
        var needed = new List<ulong>();
        ulong stringTable = 0;
        for (var position = (int)dynamic.Value.Offset; position < (int)(dynamic.Value.Offset + dynamic.Value.Size); position += 16)
        {
            var tag = BinaryPrimitives.ReadInt64LittleEndian(elf.AsSpan(position));
            var value = BinaryPrimitives.ReadUInt64LittleEndian(elf.AsSpan(position + 8));
            if (tag == 0)
            {
                break;
            }

            if (tag == 1)
            {
                needed.Add(value);
            }
            else if (tag == 5)
            {
                stringTable = value;
            }
        }

        // DT_STRTAB holds an address: find the segment that maps it to a file offset.
        var segment = loads.Single(l => stringTable >= l.Address && stringTable < l.Address + l.Size);
        var tableOffset = (int)(stringTable - segment.Address + segment.Offset);
        return needed.Select(n =>
        {
            var start = tableOffset + (int)n;
            var end = Array.IndexOf(elf, (byte)0, start);
            return Encoding.ASCII.GetString(elf, start, end - start);
        }).ToList();
    }
}
