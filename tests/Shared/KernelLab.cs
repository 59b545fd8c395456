using Ipvs.Model;

namespace Ipvs.Testing;

/// <summary>
/// Whether a kernel with IPVS is at hand, and the policy when it is not: inside the lab
/// (lab/run sets IPVS_LAB=1) or with IPVS_REQUIRE_KERNEL=1, a kernel test without IPVS fails
/// loudly; in a plain <c>dotnet test</c> on a host without IPVS it is reported as skipped.
/// </summary>
internal static class KernelLab
{
    private static readonly Lazy<string?> s_unavailableReason = new(Probe);

    /// <summary>True when tests must not skip.</summary>
    public static bool IsRequired =>
        Environment.GetEnvironmentVariable("IPVS_LAB") == "1" || Environment.GetEnvironmentVariable("IPVS_REQUIRE_KERNEL") == "1";

    /// <summary>Call first in every kernel test.</summary>
    public static void Require()
    {
        var reason = s_unavailableReason.Value;
        if (reason is null)
        {
            return;
        }

        if (IsRequired)
        {
            Assert.Fail("A kernel with IPVS is required here (IPVS_LAB/IPVS_REQUIRE_KERNEL is set) but: " + reason);
        }

        Assert.Skip("No kernel with IPVS on this host (" + reason + "); run ./test.sh to run kernel tests in the lab.");
    }

    private static string? Probe()
    {
        if (Environment.UserName != "root" && !IsRequired)
        {
            return "not running as root";
        }

        try
        {
            using var client = IpvsClient.Open();
            client.GetInfo();
            return null;
        }
        catch (IpvsException e)
        {
            return e.Message;
        }
    }
}
