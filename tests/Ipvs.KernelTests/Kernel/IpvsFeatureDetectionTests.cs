using System.Net;
using Ipvs.Kernel;
using Ipvs.Model;
using Ipvs.Netlink;
using Ipvs.Testing;

namespace Ipvs.KernelTests.Kernel;

public sealed class IpvsFeatureDetectionTests
{
    [Fact]
    public void IpvsFamily_ListsTheMainlineCommands_AndNoLocalAddressCommands()
    {
        KernelLab.Require();
        using var socket = NetlinkSocket.Open(NetlinkConstants.ProtocolGeneric, 1 << 20);

        var family = GenericNetlink.ResolveFamily(socket, IpvsGenl.FamilyName, TestContext.Current.CancellationToken);

        Assert.NotNull(family);
        // GET_DEST (8), GET_DAEMON (11) and FLUSH (17) prove the list was parsed from the real reply.
        Assert.All(new uint[] { 1, 4, 8, 11, 13, 15, 16, 17 }, command => Assert.True(family.Supports(command), $"command {command}"));
        Assert.False(family.Supports(IpvsGenl.CmdNewLocalAddress));
        Assert.False(family.Supports(IpvsGenl.CmdGetLocalAddress));
    }

    [Fact]
    public async Task MainlineKernel_RefusesLocalAddressesAndFullNat_WithoutSendingAnything()
    {
        KernelLab.Require();
        using var ns = new TestNamespace();
        using var client = ns.OpenClient();
        var key = VirtualServiceKey.Parse("tcp/198.18.0.1:80");
        client.AddService(new VirtualService(key) { Scheduler = "rr" }, TestContext.Current.CancellationToken);

        Assert.False(client.SupportsLocalAddresses);
        var list = Assert.Throws<IpvsFeatureNotSupportedException>(() => client.GetLocalAddresses(key, TestContext.Current.CancellationToken));
        Assert.Contains("FULLNAT", list.Message, StringComparison.Ordinal);
        Assert.Throws<IpvsFeatureNotSupportedException>(() => client.Execute(
            [
                IpvsOperation.AddRealServer(key, new RealServer(IPAddress.Parse("198.18.1.1"), 80)),
                IpvsOperation.AddLocalAddress(key, IPAddress.Parse("198.18.2.1")),
            ], TestContext.Current.CancellationToken));
        Assert.Throws<IpvsFeatureNotSupportedException>(() => client.AddRealServer(key, new RealServer(IPAddress.Parse("198.18.1.2"), 80) { ForwardingMethod = ForwardingMethod.FullNat }, TestContext.Current.CancellationToken));

        // The whole batch was refused before the first message: the first real server is not there either.
        Assert.Equal("-A -t 198.18.0.1:80 -s rr\n", ns.Ipvsadm("-Sn"));
    }
}
