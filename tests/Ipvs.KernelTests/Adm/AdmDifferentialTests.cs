using System.Globalization;
using Ipvs.Testing;

namespace Ipvs.KernelTests.Adm;

/// <summary>
/// The differential suite of <c>ipvs adm</c>: seeded random sequences of several hundred
/// ipvsadm commands, run through Debian's ipvsadm and through ours, must agree on every
/// command's output, errors, exit status and resulting kernel state.
/// </summary>
/// <remarks>
/// The fixed seed runs in every <c>./test.sh</c>. Other seeds:
/// <c>IPVS_ADM_SEEDS=1,2,3</c> (and <c>IPVS_ADM_COMMANDS=N</c> per seed) with
/// <c>-method '*Differential_SeedsFromEnvironment*'</c>.
/// </remarks>
public sealed class AdmDifferentialTests
{
    /// <summary>The seed every test run uses.</summary>
    public const int FixedSeed = 31_2019;

    private static int CommandCount =>
        int.TryParse(Environment.GetEnvironmentVariable("IPVS_ADM_COMMANDS"), NumberStyles.None, CultureInfo.InvariantCulture, out var count) ? count : 600;

    [Fact]
    public void Differential_FixedSeed_IdenticalToDebianIpvsadm()
    {
        KernelLab.Require();
        RunSeed(FixedSeed, CommandCount, AdmInvocation.Mixed);
    }

    [Fact]
    public void Differential_SeedsFromEnvironment_IdenticalToDebianIpvsadm()
    {
        KernelLab.Require();
        var seeds = Environment.GetEnvironmentVariable("IPVS_ADM_SEEDS");
        if (string.IsNullOrWhiteSpace(seeds))
        {
            // A second, smaller sequence through the link only, so both invocations are covered on their own.
            RunSeed(FixedSeed + 1, 150, AdmInvocation.Link);
            return;
        }

        foreach (var seed in seeds.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            RunSeed(int.Parse(seed, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture), CommandCount, AdmInvocation.Mixed);
        }
    }

    private static void RunSeed(int seed, int count, AdmInvocation invocation)
    {
        var commands = new AdmCommandGenerator(seed).Generate(count);
        var log = new StringWriter(CultureInfo.InvariantCulture);
        var differences = AdmDifferential.Run(commands, TestPaths.IpvsBinary, invocation, log);
        var summary = $"seed {seed}: {commands.Count} commands ({invocation}), {differences.Count} differences; {log}";
        TestContext.Current.TestOutputHelper?.WriteLine(summary);
        if (Environment.GetEnvironmentVariable("IPVS_ADM_VERBOSE") == "1")
        {
            Console.Error.WriteLine(summary);
        }
        Assert.True(
            differences.Count == 0,
            $"seed {seed}: {differences.Count} differences over {commands.Count} commands:\n\n" + string.Join("\n", differences.Take(15)));
    }
}
