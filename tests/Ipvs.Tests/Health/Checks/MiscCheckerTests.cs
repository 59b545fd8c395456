using System.Diagnostics;
using System.Net;
using Ipvs.Health.Checks;

namespace Ipvs.Tests.Health.Checks;

/// <summary>MISC_CHECK with small /bin/sh scripts as the checked programs (the checker itself runs an argument array).</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class MiscCheckerTests : IDisposable
{
    private static readonly CheckTarget s_target = new(IPAddress.Loopback, 0, 7);
    private readonly string _directory = Directory.CreateTempSubdirectory("ipvs-misc-").FullName;

    // Another user (the User test's) must reach the scripts.
    public MiscCheckerTests() => File.SetUnixFileMode(_directory, (UnixFileMode)0x1ed /* 0755 */);

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string Script(string body)
    {
        var path = Path.Combine(_directory, $"check-{Guid.NewGuid():N}.sh");
        File.WriteAllText(path, "#!/bin/sh\n" + body + "\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        return path;
    }

    private static MiscCheck Misc(params string[] command) => new() { Command = command, Timeout = TimeSpan.FromSeconds(2) };

    [Theory]
    [InlineData(0, true)]
    [InlineData(1, false)]
    [InlineData(2, false)]
    [InlineData(255, false)]
    public async Task Exit_ZeroIsUp_AnythingElseDown(int status, bool up)
    {
        using var checker = Checkers.Create(Misc(Script($"exit {status}")));
        var result = await checker.CheckAsync(s_target, Token);
        Assert.Equal(up, result.IsUp);
        Assert.Null(result.Weight);
        if (!up)
        {
            Assert.Equal($"exited with status {status}", result.Failure);
        }
    }

    [Theory]
    [InlineData(0, true, 7)]     // the configured weight back
    [InlineData(1, false, null)]
    [InlineData(2, true, 0)]
    [InlineData(12, true, 10)]
    [InlineData(255, true, 253)]
    public async Task Dynamic_ExitSetsTheWeight(int status, bool up, int? weight)
    {
        using var checker = Checkers.Create(Misc(Script($"exit {status}")) with { Dynamic = true });
        var result = await checker.CheckAsync(s_target, Token);
        Assert.Equal(up, result.IsUp);
        Assert.Equal(weight, result.Weight);
    }

    [Fact]
    public async Task Arguments_ArePassedAsAnArray_NotThroughAShell()
    {
        var marker = Path.Combine(_directory, "marker");
        var script = Script("[ \"$#\" = 2 ] && [ \"$1\" = 'a b;touch " + marker + "' ] && [ \"$2\" = '$HOME' ] && exit 0; exit 1");
        using var checker = Checkers.Create(Misc(script, $"a b;touch {marker}", "$HOME"));
        var result = await checker.CheckAsync(s_target, Token);
        Assert.True(result.IsUp, result.Failure);
        Assert.False(File.Exists(marker));
    }

    [Fact]
    public async Task Timeout_EndsTheProgramAndWhatItStarted()
    {
        var pidFile = Path.Combine(_directory, "child.pid");
        // The script ignores nothing; its child (a sleep in the same group) must die too.
        var script = Script($"sleep 30 & echo $! > {pidFile}; wait");
        using var checker = Checkers.Create(Misc(script) with { Timeout = TimeSpan.FromMilliseconds(500) });
        var clock = Stopwatch.StartNew();
        var result = await checker.CheckAsync(s_target, Token);
        Assert.False(result.IsUp);
        Assert.StartsWith("timed out after 500ms", result.Failure, StringComparison.Ordinal);
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(450), TimeSpan.FromSeconds(2));
        var child = int.Parse(File.ReadAllText(pidFile).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        await WaitGoneAsync(child);
    }

    [Fact]
    public async Task Timeout_AProgramIgnoringSigtermIsKilledAfterTheGrace()
    {
        var script = Script("trap '' TERM; while :; do sleep 0.1; done");
        using var checker = Checkers.Create(Misc(script) with { Timeout = TimeSpan.FromMilliseconds(200) });
        var clock = Stopwatch.StartNew();
        var result = await checker.CheckAsync(s_target, Token);
        Assert.False(result.IsUp);
        Assert.StartsWith("timed out after 200ms", result.Failure, StringComparison.Ordinal);
        // keepalived's sequence: SIGTERM at the timeout, SIGKILL two seconds later.
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(2.1), TimeSpan.FromSeconds(2.9));
    }

    [Fact]
    public async Task Signal_IsDown_AndNotMistakenForAnExitStatus()
    {
        using var checker = Checkers.Create(Misc(Script("kill -9 $$")) with { Dynamic = true });
        var result = await checker.CheckAsync(s_target, Token);
        Assert.False(result.IsUp);
        Assert.Equal("killed by signal 9", result.Failure);

        // The same number as an exit status is an exit status: up with weight 135 under misc_dynamic.
        using var exiting = Checkers.Create(Misc(Script("exit 137")) with { Dynamic = true });
        Assert.Equal(135, (await exiting.CheckAsync(s_target, Token)).Weight);
    }

    [Fact]
    public async Task Cancellation_EndsTheProgram_AndIsNotReportedAsAFailure()
    {
        var pidFile = Path.Combine(_directory, "self.pid");
        using var checker = Checkers.Create(Misc(Script($"echo $$ > {pidFile}; exec sleep 30")) with { Timeout = TimeSpan.FromSeconds(20) });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Token);
        stop.CancelAfter(TimeSpan.FromMilliseconds(300));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await checker.CheckAsync(s_target, stop.Token));
        await WaitGoneAsync(int.Parse(File.ReadAllText(pidFile).Trim(), System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task MissingProgram_IsDown()
    {
        using var checker = Checkers.Create(Misc(Path.Combine(_directory, "absent")));
        var result = await checker.CheckAsync(s_target, Token);
        Assert.False(result.IsUp);
        Assert.StartsWith("could not run ", result.Failure, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Output_IsBounded_AndEscaped()
    {
        // A hostile program: escapes, invalid UTF-8, a bidi override, then megabytes of output.
        var script = Script("printf '\\033[2J\\033[31mred\\n\\303\\050\\342\\200\\256x'; head -c 5000000 /dev/zero; exit 1");
        using var checker = Checkers.Create(Misc(script));
        var result = await checker.CheckAsync(s_target, Token);
        Assert.False(result.IsUp);
        Assert.StartsWith("exited with status 1: \\x1b[2J\\x1b[31mred\\n\\xc3(\\u202ex\\x00", result.Failure, StringComparison.Ordinal);
        Hostile.AssertSafe(result.Failure);
        Assert.True(result.Failure!.Length < 1000, result.Failure);
    }

    [Fact]
    public async Task User_RunsTheProgramAsThatUser()
    {
        var script = Script("[ \"$(id -u)\" = 65534 ] && exit 0; echo \"uid $(id -u)\"; exit 1");
        using var asNobody = Checkers.Create(Misc(script) with { User = "nobody" });
        var result = await asNobody.CheckAsync(s_target, Token);
        Assert.True(result.IsUp, result.Failure);

        // The control: as the daemon's own user (root here) the same script fails.
        using var asSelf = Checkers.Create(Misc(script));
        Assert.False((await asSelf.CheckAsync(s_target, Token)).IsUp);
    }

    [Fact]
    public void User_GoesToSetpriv_WithTheUsersIds_AndTheDaemonsOwnUserRunsDirectly()
    {
        static bool Users(string name, out uint uid, out uint gid)
        {
            (uid, gid) = name switch { "www" => (33u, 33u), "root" => (0u, 0u), _ => (0u, 0u) };
            return name is "www" or "root";
        }

        static bool Groups(string name, out uint gid)
        {
            gid = name == "adm" ? 4u : 0u;
            return name == "adm";
        }

        string? error;
        Assert.Equal(["/usr/bin/setpriv", "--reuid", "33", "--regid", "4", "--init-groups", "--", "/bin/check", "x"], RunAs.Wrap("www:adm", ["/bin/check", "x"], Users, Groups, (0, 0), "/usr/bin/setpriv", out _)!);
        Assert.Equal(["/usr/bin/setpriv", "--reuid", "33", "--regid", "33", "--init-groups", "--", "/bin/check"], RunAs.Wrap("www", ["/bin/check"], Users, Groups, (0, 0), "/usr/bin/setpriv", out _)!);
        Assert.Equal(["/bin/check"], RunAs.Wrap("root", ["/bin/check"], Users, Groups, (0, 0), "/usr/bin/setpriv", out _)!);
        Assert.Equal(["/bin/check"], RunAs.Wrap(null, ["/bin/check"], Users, Groups, (0, 0), null, out _)!);
        Assert.Null(RunAs.Wrap("nosuch", ["/bin/check"], Users, Groups, (0, 0), "/usr/bin/setpriv", out error));
        Assert.Contains("no user 'nosuch'", error);
        Assert.Null(RunAs.Wrap("www:nogroup", ["/bin/check"], Users, Groups, (0, 0), "/usr/bin/setpriv", out error));
        Assert.Contains("no group 'nogroup'", error);
        Assert.Null(RunAs.Wrap("www", ["/bin/check"], Users, Groups, (0, 0), null, out error));
        Assert.Contains("setpriv", error);
    }

    private static async Task WaitGoneAsync(int pid)
    {
        for (var i = 0; i < 40 && IsAlive(pid); i++)
        {
            await Task.Delay(50, Token);
        }

        Assert.False(IsAlive(pid), $"process {pid} outlived the timeout");
    }

    // A zombie has exited: count it as gone.
    private static bool IsAlive(int pid) =>
        File.Exists($"/proc/{pid}/stat") && !File.ReadAllText($"/proc/{pid}/stat").Split(") ")[^1].StartsWith('Z');
}
