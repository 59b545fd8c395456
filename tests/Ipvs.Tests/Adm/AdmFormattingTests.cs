using Ipvs.Cli.Adm;

namespace Ipvs.Tests.Adm;

/// <summary>ipvsadm's print_largenum and its stdio buffering, as our listings reproduce them.</summary>
public sealed class AdmFormattingTests
{
    [Theory]
    [InlineData(0UL, false, "        0")]
    [InlineData(99_999_999UL, false, " 99999999")]
    [InlineData(100_000_000UL, false, "  100000K")]
    [InlineData(999_999_999UL, false, "  999999K")]
    [InlineData(1_000_000_000UL, false, "    1000M")]
    [InlineData(99_999_999_999UL, false, "   99999M")]
    [InlineData(100_000_000_000UL, false, "     100G")]
    [InlineData(100_000_000_000_000UL, false, "     100T")]
    [InlineData(ulong.MaxValue, false, "18446744T")]
    [InlineData(5UL, true, "        5")]
    [InlineData(12_345_678UL, true, " 12345678")]
    [InlineData(123_456_789UL, true, " 123456789")]
    [InlineData(ulong.MaxValue, true, " 18446744073709551615")]
    public void LargeNumber_IsPrintLargenum(ulong value, bool exact, string expected) =>
        Assert.Equal(expected, AdmListing.LargeNumber(value, exact));

    [Fact]
    public void Output_ToAFile_IsWrittenInBlocksAtExit()
    {
        using var file = TempDescriptor.Writing();
        var output = AdmOutput.ForDescriptor(file.Fd, unbuffered: false);
        output.Write(new string('a', 5000));
        Assert.Equal(4096, new FileInfo(file.Path).Length);
        output.WriteLeft("x", 3);
        output.WriteRight(42UL, 5);
        output.Flush();
        Assert.Equal(new string('a', 5000) + "x     42", file.ReadAll());
    }

    [Fact]
    public void Output_Discard_LosesWhatIsBuffered()
    {
        using var file = TempDescriptor.Writing();
        var output = AdmOutput.ForDescriptor(file.Fd, unbuffered: false);
        output.Write("lost\n");
        output.Discard();
        output.Flush();
        Assert.Equal(string.Empty, file.ReadAll());
    }
}
