using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Ipvs.Cli.Adm;

namespace Ipvs.Tests.Adm;

/// <summary>
/// ipvsadm sorts with glibc's qsort and comparators that subtract unsigned values into an int
/// (not a consistent order). Our merge sort must leave such input in exactly glibc's order:
/// checked against this machine's qsort.
/// </summary>
public sealed unsafe partial class GlibcSortTests
{
    [LibraryImport("libc", EntryPoint = "qsort")]
    private static partial void QSort(void* items, nuint count, nuint size, delegate* unmanaged<Entry*, Entry*, int> compare);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(7)]
    [InlineData(64)]
    [InlineData(1000)]
    public void Sort_WrappingComparator_SameOrderAsGlibcQsort(int count)
    {
        var random = new Random(count);
        for (var round = 0; round < 20; round++)
        {
            var entries = new Entry[count];
            for (var i = 0; i < count; i++)
            {
                // Keys far apart (so the subtraction wraps) and duplicates (so stability shows).
                entries[i] = new Entry { Key = random.Next(4) == 0 ? (uint)random.Next(3) : (uint)random.NextInt64(uint.MaxValue), Index = i };
            }

            var ours = entries.ToArray();
            GlibcSort.Sort(ours, static (a, b) => unchecked((int)(a.Key - b.Key)));

            fixed (Entry* p = entries)
            {
                QSort(p, (nuint)entries.Length, (nuint)sizeof(Entry), &Compare);
            }

            Assert.Equal(entries.Select(e => e.Index), ours.Select(e => e.Index));
        }
    }

    [UnmanagedCallersOnly]
    private static int Compare(Entry* a, Entry* b) => unchecked((int)(a->Key - b->Key));

    /// <summary>Larger than 32 bytes, like ipvsadm's entries, so glibc sorts indirectly as it does for them.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct Entry
    {
        public uint Key;
        public int Index;
        public Padding Pad;
    }

    [InlineArray(5)]
    private struct Padding
    {
        private long _element;
    }
}
