using Ipvs.Testing;
using Ipvs.Testing.Contract;

namespace Ipvs.KernelTests.Kernel;

/// <summary>The IPVS contract against the kernel, each test in a fresh network namespace; the host runs the same suite against <see cref="InMemoryIpvs"/>.</summary>
public sealed class KernelIpvsContractTests : IpvsContractTests
{
    private protected override IpvsUnderTest Open()
    {
        KernelLab.Require();
        var ns = new TestNamespace();
        try
        {
            ns.Exec("ip", "link", "add", "sync0", "mtu", "1500", "type", "dummy").EnsureSuccess();
            ns.Exec("ip", "link", "set", "sync0", "up").EnsureSuccess();
            return new IpvsUnderTest(ns.OpenClient(), ns);
        }
        catch
        {
            ns.Dispose();
            throw;
        }
    }
}
