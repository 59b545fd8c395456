using Ipvs.Testing.Contract;

namespace Ipvs.Tests;

/// <summary>The IPVS contract against <see cref="InMemoryIpvs"/>; the lab runs the same suite against the kernel.</summary>
public sealed class InMemoryIpvsContractTests : IpvsContractTests
{
    private protected override IpvsUnderTest Open() =>
        new(new InMemoryIpvs(new InMemoryIpvsOptions { Interfaces = new Dictionary<string, int>(StringComparer.Ordinal) { ["lo"] = 65536, ["sync0"] = 1500 } }), null);
}
