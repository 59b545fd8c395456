using System.Net;
using System.Text;
using Ipvs.Health.Checks;

namespace Ipvs.Tests.Health.Checks;

/// <summary>FILE_CHECK: keepalived's track_file rule for a real server.</summary>
public sealed class FileCheckerTests : IDisposable
{
    private static readonly CheckTarget s_target = new(IPAddress.Loopback, 0, 10);
    private readonly string _directory = Directory.CreateTempSubdirectory("ipvs-file-").FullName;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private async Task<CheckResult> CheckAsync(string? content, int weight, bool reverse = false)
    {
        var path = Path.Combine(_directory, "weight");
        if (content is null)
        {
            File.Delete(path);
        }
        else
        {
            await File.WriteAllTextAsync(path, content, Token);
        }

        using var checker = Checkers.Create(new FileCheck { Path = path, Weight = weight, Reverse = reverse });
        return await checker.CheckAsync(s_target, Token);
    }

    [Theory]
    [InlineData("0", false, true)]
    [InlineData("1", false, false)]
    [InlineData("-3", false, false)]
    [InlineData("0", true, false)]   // reverse: zero is the failure
    [InlineData("7", true, true)]
    [InlineData(null, false, true)]  // a missing file reads as 0
    [InlineData("", false, true)]
    [InlineData("up", false, true)]  // no number: 0
    public async Task WeightZero_NonZeroIsDown(string? content, bool reverse, bool up)
    {
        var result = await CheckAsync(content, 0, reverse);
        Assert.Equal(up, result.IsUp);
        Assert.Null(result.Weight);
    }

    [Theory]
    [InlineData("5", 2, false, 20)]      // 10 + 5×2
    [InlineData("5\n", 2, true, 0)]      // 10 − 10
    [InlineData("-3", 1, false, 7)]
    [InlineData("-30", 1, false, 0)]     // bounded at 0 as keepalived's real_weight bounds it
    [InlineData("0x10", 1, false, 26)]   // strtol base 0: hex
    [InlineData("010", 1, false, 18)]    // and octal
    [InlineData("  +4 apples", 1, false, 14)]
    [InlineData("0", 3, false, 10)]
    public async Task Weight_ValueTimesWeightIsAdded(string content, int weight, bool reverse, int expected)
    {
        var result = await CheckAsync(content, weight, reverse);
        Assert.True(result.IsUp, result.Failure);
        Assert.Equal(expected, result.Weight);
    }

    [Fact]
    public async Task Weight_TheFaultLevelIsDown()
    {
        var result = await CheckAsync("-2147483648", 1);
        Assert.False(result.IsUp);
        Assert.Contains("fault", result.Failure, StringComparison.Ordinal);
        Assert.False((await CheckAsync("-1073741824", 2)).IsUp);
        Assert.True((await CheckAsync("-2147483647", 1)).IsUp);
    }

    [Fact]
    public async Task OutOfRange_IsIgnored_TheLastValueStands()
    {
        var path = Path.Combine(_directory, "weight");
        using var checker = Checkers.Create(new FileCheck { Path = path, Weight = 1 });
        await File.WriteAllTextAsync(path, "4", Token);
        Assert.Equal(14, (await checker.CheckAsync(s_target, Token)).Weight);
        await File.WriteAllTextAsync(path, "99999999999", Token);
        Assert.Equal(14, (await checker.CheckAsync(s_target, Token)).Weight);
        await File.WriteAllTextAsync(path, "6", Token);
        Assert.Equal(16, (await checker.CheckAsync(s_target, Token)).Weight);
    }

    [Fact]
    public void StrToL_AsC()
    {
        Assert.Equal(2147483648L, FileChecker.StrToL("2147483648"u8));
        Assert.Null(FileChecker.StrToL("2147483649"u8));
        Assert.Equal(-2147483648L, FileChecker.StrToL("-2147483648"u8));
        Assert.Equal(0L, FileChecker.StrToL("0x"u8));
        Assert.Equal(0L, FileChecker.StrToL("08"u8));
        Assert.Equal(255L, FileChecker.StrToL("\t0XfF\n"u8));
    }

    [Fact]
    public async Task Hostile_HugeFile_OnlyTheStartIsRead()
    {
        var path = Path.Combine(_directory, "huge");
        await using (var file = File.Create(path))
        {
            await file.WriteAsync(Encoding.ASCII.GetBytes("3"), Token);
            file.SetLength(64L << 20);
        }

        using var checker = Checkers.Create(new FileCheck { Path = path, Weight = 1 });
        Assert.Equal(13, (await checker.CheckAsync(s_target, Token)).Weight);
    }

    [Fact]
    public async Task Failure_NamesTheFile_Escaped()
    {
        var path = Path.Combine(_directory, "bad\u001b[31mname");
        await File.WriteAllTextAsync(path, "1", Token);
        using var checker = Checkers.Create(new FileCheck { Path = path, Weight = 0 });
        var result = await checker.CheckAsync(s_target, Token);
        Assert.False(result.IsUp);
        Hostile.AssertSafe(result.Failure);
        Assert.EndsWith("bad\\x1b[31mname holds 1", result.Failure, StringComparison.Ordinal);
    }
}
