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
}
