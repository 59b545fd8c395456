using Ipvs.Cli;
using Ipvs.Cli.Common;
using Ipvs.Testing;

namespace Ipvs.KernelTests.Cli.Common;

/// <summary>
/// The terminal path of destructive commands, in-process with an injected console (a real
/// terminal cannot be had in the lab) against the real kernel of a test namespace.
/// </summary>
public sealed class CliTerminalTests
{
    private static (int ExitCode, string Error) Run(TestNamespace ns, string answers, params string[] args)
    {
        var error = new StringWriter();
        var console = new CliConsole(new StringWriter(), error, new StringReader(answers), isInputTerminal: true);
        var exitCode = CliRoot.Run(args, new CliEnvironment(console, new IpvsClientOptions { NetworkNamespace = ns.Path }));
        return (exitCode, error.ToString());
    }

    [Fact]
    public void DeletingAServiceWithRealServers_AsksFirst()
    {
        KernelLab.Require();
        using var ns = new TestNamespace();
        ns.Ipvsadm("-A", "-t", "198.18.0.1:80");
        ns.Ipvsadm("-a", "-t", "198.18.0.1:80", "-r", "198.18.1.1:80");
        ns.Ipvsadm("-a", "-t", "198.18.0.1:80", "-r", "198.18.1.2:80");

        var declined = Run(ns, "n\n", "service", "del", "tcp/198.18.0.1:80");

        Assert.Equal(1, declined.ExitCode);
        Assert.Contains("Service tcp/198.18.0.1:80 has 2 real servers: delete it with them? [y/N] ", declined.Error, StringComparison.Ordinal);
        Assert.Contains("ipvs: not confirmed: nothing was changed", declined.Error, StringComparison.Ordinal);
        Assert.Equal(3, ns.Ipvsadm("-Sn").Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);

        var confirmed = Run(ns, "y\n", "service", "del", "tcp/198.18.0.1:80");

        Assert.Equal(0, confirmed.ExitCode);
        Assert.Empty(ns.Ipvsadm("-Sn"));
    }

    [Fact]
    public void Flush_AtATerminal_AsksAndFlushesOnYes()
    {
        KernelLab.Require();
        using var ns = new TestNamespace();
        ns.Ipvsadm("-A", "-t", "198.18.0.1:80");

        Assert.Equal(1, Run(ns, "no\n", "flush").ExitCode);
        Assert.NotEmpty(ns.Ipvsadm("-Sn"));

        Assert.Equal(0, Run(ns, "yes\n", "flush").ExitCode);
        Assert.Empty(ns.Ipvsadm("-Sn"));
    }
}
