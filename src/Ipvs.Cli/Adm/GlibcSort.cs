namespace Ipvs.Cli.Adm;

/// <summary>
/// qsort as glibc 2.36 performs it for ipvsadm's tables: a top-down merge sort (msort) that takes
/// the left element when the comparison is not positive. ipvsadm's comparators are not
/// consistent orders (they subtract unsigned values into an int), so the result depends on the
/// algorithm: this one reproduces glibc's.
/// </summary>
internal static class GlibcSort
{
    public static void Sort<T>(T[] items, Comparison<T> compare)
    {
        if (items.Length <= 1)
        {
            return;
        }

        var temp = new T[items.Length];
        Sort(items, temp, 0, items.Length, compare);
    }

    private static void Sort<T>(T[] b, T[] temp, int start, int n, Comparison<T> compare)
    {
        if (n <= 1)
        {
            return;
        }

        var n1 = n / 2;
        var n2 = n - n1;
        Sort(b, temp, start, n1, compare);
        Sort(b, temp, start + n1, n2, compare);

        var i1 = start;
        var i2 = start + n1;
        var t = 0;
        while (n1 > 0 && n2 > 0)
        {
            if (compare(b[i1], b[i2]) <= 0)
            {
                temp[t++] = b[i1++];
                n1--;
            }
            else
            {
                temp[t++] = b[i2++];
                n2--;
            }
        }

        while (n1 > 0)
        {
            temp[t++] = b[i1++];
            n1--;
        }

        // What is left of the right half is already in place.
        Array.Copy(temp, 0, b, start, t);
    }
}
