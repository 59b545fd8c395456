using System.Globalization;
using System.Text.RegularExpressions;

namespace Ipvs.KernelTests.Adm;

/// <summary>
/// Compares ipvsadm's connection listings (<c>-Lc</c>) taken at different moments: every byte
/// equal but the expiry column (MM:SS, the second one), which must lie between the values of a
/// listing taken before and one taken after.
/// </summary>
internal static partial class ConnectionListing
{
    public static void AssertSameBetween(string before, string actual, string after)
    {
        var b = before.Split('\n');
        var a = actual.Split('\n');
        var c = after.Split('\n');

        // Entries may appear or expire between the listings only if the test's connections were
        // near their end: they are not (60 s and more), so the listings have the same lines.
        Assert.True(b.Length == a.Length && a.Length == c.Length, $"the listings differ in length:\n--- ipvsadm before ---\n{before}--- ipvs ---\n{actual}--- ipvsadm after ---\n{after}");
        for (var i = 0; i < a.Length; i++)
        {
            if (a[i] == b[i] || a[i] == c[i])
            {
                continue;
            }

            var mb = Entry().Match(b[i]);
            var ma = Entry().Match(a[i]);
            var mc = Entry().Match(c[i]);
            Assert.True(mb.Success && ma.Success && mc.Success, $"line {i + 1} differs:\n  ipvsadm: {b[i]}\n  ipvs:    {a[i]}");
            Assert.True(ma.Groups["head"].Value == mb.Groups["head"].Value && ma.Groups["tail"].Value == mb.Groups["tail"].Value,
                $"line {i + 1} differs beyond its expiry:\n  ipvsadm: {b[i]}\n  ipvs:    {a[i]}");
            var expiry = Seconds(ma);
            Assert.True(expiry <= Seconds(mb) && expiry >= Seconds(mc),
                $"line {i + 1}: expiry {ma.Groups["mm"].Value}:{ma.Groups["ss"].Value} is not between ipvsadm's listings before ({mb.Groups["mm"].Value}:{mb.Groups["ss"].Value}) and after ({mc.Groups["mm"].Value}:{mc.Groups["ss"].Value})");
        }
    }

    private static int Seconds(Match match) =>
        (int.Parse(match.Groups["mm"].Value, CultureInfo.InvariantCulture) * 60) + int.Parse(match.Groups["ss"].Value, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^(?<head>\S+ )(?<mm>\d\d):(?<ss>\d\d)(?<tail>.*)$")]
    private static partial Regex Entry();
}
