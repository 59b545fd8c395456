using Ipvs.Kernel;

namespace Ipvs.Tests.Kernel;

public sealed class ChildProcessTests
{
    [Fact]
    public void Run_CapturingErrors_ReturnsStatusAndStandardError()
    {
        var status = ChildProcess.Run("/bin/sh", ["-c", "echo out; echo err >&2; exit 3"], captureError: true, out var standardError, out var error);
        Assert.Null(error);
        Assert.Equal(3, status);
        Assert.Equal("err\n", standardError);
    }

    [Fact]
    public void Run_KilledBySignal_Returns128PlusSignal() =>
        Assert.Equal(128 + 9, ChildProcess.Run("/bin/sh", ["-c", "kill -9 $$"], captureError: true, out _, out _));

    [Fact]
    public void Run_MissingProgram_SaysWhy()
    {
        var status = ChildProcess.Run("/nonexistent/program", [], captureError: false, out _, out var error);
        Assert.True(status == 127 || (status == -1 && error is not null), $"status {status}, error {error}");
    }

    [Fact]
    public void Run_InheritsTheEnvironment()
    {
        var status = ChildProcess.Run("/bin/sh", ["-c", "test -n \"$PATH\" || exit 5; echo \"$PATH\" >&2"], captureError: true, out var standardError, out _);
        Assert.Equal(0, status);
        Assert.NotEmpty(standardError.Trim());
    }

    [Fact]
    public void Run_WithStandardInput_TheProgramReadsItWholeThenEndOfFile()
    {
        // What nft -f - gets from ipvs care: the whole rule set, then end of file.
        var input = string.Concat(Enumerable.Repeat("table ip ipvs-care { }\n", 2000));
        var status = ChildProcess.Run("/bin/sh", ["-c", "wc -c >&2; exit 4"], input, captureError: true, out var standardError, out var error);
        Assert.Null(error);
        Assert.Equal(4, status);
        Assert.Equal(System.Text.Encoding.UTF8.GetByteCount(input).ToString(System.Globalization.CultureInfo.InvariantCulture), standardError.Trim());
    }

    [Fact]
    public void Run_WithStandardInput_AProgramThatDoesNotReadItStillEnds()
    {
        // More than a pipe holds, to a program that exits without reading: the write fails
        // (EPIPE) instead of blocking or killing the process.
        var input = new string('x', 1 << 20);
        var status = ChildProcess.Run("/bin/sh", ["-c", "exit 0"], input, captureError: true, out _, out var error);
        Assert.Null(error);
        Assert.Equal(0, status);
    }
}
