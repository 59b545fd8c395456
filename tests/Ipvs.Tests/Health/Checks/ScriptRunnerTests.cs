using Ipvs.Health.Checks;
using Microsoft.Extensions.Time.Testing;

namespace Ipvs.Tests.Health.Checks;

/// <summary>The scripts of checked services: started with their argument array (no shell between), killed at their timeout.</summary>
public sealed class ScriptRunnerTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("ipvs-scripts-").FullName;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task RunsWithItsArguments_AsGiven()
    {
        var script = Path.Combine(_directory, "notify");
        var output = Path.Combine(_directory, "out");
        File.WriteAllText(script, $"#!/bin/sh\nprintf '%s|' \"$@\" > '{output}'\nexit 3\n");
        Assert.True(OperatingSystem.IsLinux());
        if (OperatingSystem.IsLinux())
        {
            File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.UserWrite);
        }

        var runner = ScriptRunners.Create(new FakeTimeProvider());

        // An argument with spaces and shell syntax arrives as one argument, unexpanded.
        var result = await runner.RunAsync(new ScriptCommand { Arguments = [script, "rs up", "$(id)", "198.18.1.2:80"] }, Token);
        Assert.Equal(new ScriptResult(3, false, null), result);
        Assert.Equal("rs up|$(id)|198.18.1.2:80|", File.ReadAllText(output));
    }

    [Fact]
    public async Task IsKilledAtItsTimeout_OnTheInjectedClock()
    {
        var time = new FakeTimeProvider();
        var runner = ScriptRunners.Create(time);
        var run = runner.RunAsync(new ScriptCommand { Arguments = ["/bin/sleep", "30"], Timeout = TimeSpan.FromSeconds(2) }, Token);
        await Task.Delay(100, Token);
        Assert.False(run.IsCompleted); // control: it runs until the clock says so
        time.Advance(TimeSpan.FromSeconds(2));
        var result = await run.WaitAsync(TimeSpan.FromSeconds(10), Token);
        Assert.True(result.TimedOut);
        Assert.Equal(128 + 9, result.ExitStatus);
    }

    [Fact]
    public async Task AMissingProgram_IsReported()
    {
        var result = await ScriptRunners.Create().RunAsync(new ScriptCommand { Arguments = ["/nonexistent/notify"] }, Token);
        Assert.Equal(-1, result.ExitStatus);
        Assert.Contains("/nonexistent/notify", result.Error, StringComparison.Ordinal);
    }
}
