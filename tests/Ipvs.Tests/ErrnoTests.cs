using Ipvs.State;

namespace Ipvs.Tests;

public sealed class ErrnoTests
{
    [Fact]
    public void Describe_GivesTheCLibrarysWords_NotAResourceKey()
    {
        Assert.Equal("No such file or directory", Errno.Describe(new FileNotFoundException()));
        Assert.Equal("No such file or directory", Errno.Describe(new DirectoryNotFoundException()));
        Assert.Equal("Permission denied", Errno.Describe(new UnauthorizedAccessException()));
        Assert.Equal("Device or resource busy", Errno.Describe(new IOException("IO_SharingViolation", Errno.EBUSY)));
        Assert.Equal("plain", Errno.Describe(new InvalidOperationException("plain")));
    }

    [Fact]
    public void MissingConfigFile_IsReportedInWords_AtItsFirstLine()
    {
        var path = Path.Combine(Path.GetTempPath(), "ipvs-missing-" + Guid.NewGuid().ToString("N") + ".yaml");
        File.WriteAllText(path, "services: []\n");
        File.Delete(path);

        var result = IpvsConfigReader.ReadFile(path);

        Assert.Null(result.Config);
        Assert.Equal($"{path}:1:1: error: cannot read the file: No such file or directory", Assert.Single(result.Diagnostics).ToString());
    }

    [Fact]
    public void Names_AreInNumberOrder_AndEachConstantOnce()
    {
        Assert.Equal(Errno.Names.OrderBy(n => n.Number).Select(n => n.Number), Errno.Names.Select(n => n.Number));
        Assert.Equal(Errno.Names.Count, Errno.Names.Select(n => n.Number).Distinct().Count());
    }
}
