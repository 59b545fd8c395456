using Ipvs.Kernel;
using Ipvs.Model;
using Ipvs.Testing;

namespace Ipvs.KernelTests.Kernel;

[CollectionDefinition(nameof(KernelModuleCollection), DisableParallelization = true)]
public sealed class KernelModuleCollection;

/// <summary>
/// Module loading, as ipvsadm does it. These tests unload modules of the whole (lab) kernel, so
/// they run alone, and put every module back.
/// </summary>
[Collection(nameof(KernelModuleCollection))]
public sealed class KernelModuleTests
{
    private static readonly string[] s_ipvsModules =
        ["ip_vs_rr", "ip_vs_wrr", "ip_vs_lc", "ip_vs_wlc", "ip_vs_lblc", "ip_vs_lblcr", "ip_vs_dh", "ip_vs_sh", "ip_vs_sed", "ip_vs_nq", "ip_vs_fo", "ip_vs_ovf", "ip_vs_mh", "ip_vs_pe_sip", "ip_vs_ftp"];

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task MissingSchedulerModule_IsLoadedByTheLibrary_EvenWhenTheKernelCannotLoadIt()
    {
        KernelLab.Require();
        HostCommand.Check("modprobe", "-r", "ip_vs_ovf");
        Assert.False(KernelModules.IsLoaded("ip_vs_ovf"));
        // Take the kernel's own module helper away: only the library can load the module now.
        var helper = File.ReadAllText("/proc/sys/kernel/modprobe").Trim();
        File.WriteAllText("/proc/sys/kernel/modprobe", "/bin/true\n");
        try
        {
            using var ns = new TestNamespace();
            using (var noLoading = ns.OpenClient(new IpvsClientOptions { LoadKernelModules = false }))
            {
                Assert.Throws<SchedulerNotFoundException>(() =>
                    noLoading.AddService(new VirtualService(VirtualServiceKey.Parse("tcp/198.18.0.1:80")) { Scheduler = "ovf" }, Token));
            }

            using var client = ns.OpenClient();
            client.AddService(new VirtualService(VirtualServiceKey.Parse("tcp/198.18.0.1:80")) { Scheduler = "ovf" }, Token);

            Assert.True(KernelModules.IsLoaded("ip_vs_ovf"));
            Assert.Equal("-A -t 198.18.0.1:80 -s ovf\n", ns.Ipvsadm("-Sn"));
        }
        finally
        {
            File.WriteAllText("/proc/sys/kernel/modprobe", helper + "\n");
            HostCommand.Run("modprobe", "ip_vs_ovf");
        }
    }

    [Fact]
    public async Task WithoutIpvsInTheKernel_OpenLoadsIt_OrSaysClearlyWhyNot()
    {
        KernelLab.Require();
        foreach (var module in s_ipvsModules)
        {
            HostCommand.Run("modprobe", "-r", module);
        }

        HostCommand.Check("modprobe", "-r", "ip_vs");
        Assert.False(KernelModules.IsLoaded("ip_vs"));
        // The kernel loads ip_vs by itself when a family lookup names IPVS; take its helper away
        // so that what happens is the library's doing.
        var helper = File.ReadAllText("/proc/sys/kernel/modprobe").Trim();
        File.WriteAllText("/proc/sys/kernel/modprobe", "/bin/true\n");
        try
        {
            var error = Assert.Throws<IpvsUnavailableException>(() => IpvsClient.Open(new IpvsClientOptions { LoadKernelModules = false }));
            Assert.Equal(
                "Cannot open IPVS: the kernel has no IP Virtual Server support (no IPVS generic netlink family); loading modules is turned off",
                error.Message);

            using var client = IpvsClient.Open();
            Assert.True(KernelModules.IsLoaded("ip_vs"));
            Assert.Equal(new Version(1, 2, 1), (client.GetInfo(Token)).Version);
        }
        finally
        {
            File.WriteAllText("/proc/sys/kernel/modprobe", helper + "\n");
            HostCommand.Run("modprobe", "ip_vs");
            foreach (var module in s_ipvsModules)
            {
                HostCommand.Run("modprobe", module);
            }
        }
    }
}
