using System.Text.Json;
using Ipvs.Testing;

namespace Ipvs.KernelTests.Cli;

/// <summary>Runs the published native binary (dist/ipvs) inside a test's network namespace.</summary>
internal static class CliRunner
{
    /// <summary>Runs <c>ipvs ARGS</c> in the namespace.</summary>
    public static CommandResult Ipvs(this TestNamespace ns, params string[] args) => ns.Exec(TestPaths.IpvsBinary, args);

    /// <summary>Runs and requires exit status 0; returns stdout.</summary>
    public static string IpvsOk(this TestNamespace ns, params string[] args)
    {
        var result = ns.Ipvs(args);
        Assert.True(result.ExitCode == 0, $"ipvs {string.Join(' ', args)}: {result}");
        return result.StandardOutput;
    }

    /// <summary>Runs with <c>-o json</c> and parses the output.</summary>
    public static JsonElement IpvsJson(this TestNamespace ns, params string[] args)
    {
        using var document = JsonDocument.Parse(ns.IpvsOk([.. args, "-o", "json"]));
        return document.RootElement.Clone();
    }

    /// <summary>Asserts a failure: the exit status and one stderr line containing <paramref name="message"/>.</summary>
    public static void AssertFails(this CommandResult result, int exitCode, string message)
    {
        Assert.True(result.ExitCode == exitCode, result.ToString());
        Assert.Contains(message, result.StandardError, StringComparison.Ordinal);
        Assert.Empty(result.StandardOutput);
    }
}
