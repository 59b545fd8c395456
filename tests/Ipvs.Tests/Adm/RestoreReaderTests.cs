using System.Text;
using Ipvs.Cli.Adm;

namespace Ipvs.Tests.Adm;

/// <summary>config_stream_read's way of cutting -R input into command lines, edges included.</summary>
public sealed class RestoreReaderTests
{
    [Theory]
    [InlineData("-A -t 1.2.3.4:80\n", "[-A|-t|1.2.3.4:80]")]
    [InlineData("-A -t 1.2.3.4:80", "[-A|-t|1.2.3.4:80]")]
    [InlineData("-A -t 1.2.3.4:80 \t", "")]
    [InlineData("-C\n-Z \t", "[-C]")]
    [InlineData("\n\n-C\n", "[][][-C]")]
    [InlineData("ipvsadm -A ipvsadm -t x\n", "[-A|-t|x]")]
    [InlineData("ipvsadm\n-C\n", "[][-C]")]
    [InlineData("-C\r\n-Z\r\n", "[-C][-Z]")]
    [InlineData("# a comment\n", "[#|a|comment]")]
    [InlineData("   -C   -n  \n", "[-C|-n]")]
    [InlineData("a\0b c\n", "[a|c]")]
    [InlineData("a\vb\n", "[a\vb]")]
    [InlineData("", "")]
    public void ReadLine_SplitsAsIpvsadm(string input, string expected) => Assert.Equal(expected, ReadAll(input));

    [Fact]
    public void ReadLine_TokenLongerThan4096_IsSplit()
    {
        var token = new string('x', 5000);
        Assert.Equal($"[{new string('x', 4096)}|{new string('x', 904)}]", ReadAll(token + "\n"));
    }

    [Fact]
    public void ReadLine_AppliesPendingWorkBeforeEachRead()
    {
        using var input = TempDescriptor.Reading(Encoding.Latin1.GetBytes("-C\n"));
        var reads = 0;
        var reader = new RestoreReader(input.Fd, () => reads++);
        Assert.NotNull(reader.ReadLine("ipvsadm"));
        Assert.Null(reader.ReadLine("ipvsadm"));
        Assert.Equal(2, reads);
    }

    private static string ReadAll(string input)
    {
        using var file = TempDescriptor.Reading(Encoding.Latin1.GetBytes(input));
        var reader = new RestoreReader(file.Fd, () => { });
        var result = new StringBuilder();
        while (reader.ReadLine("ipvsadm") is { } words)
        {
            Assert.Equal("ipvsadm", words[0]);
            result.Append('[').Append(string.Join('|', words.Skip(1))).Append(']');
        }

        return result.ToString();
    }
}
