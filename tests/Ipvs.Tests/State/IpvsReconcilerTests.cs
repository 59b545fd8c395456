using System.Net;
using Ipvs.Model;
using Ipvs.State;

namespace Ipvs.Tests.State;

public sealed class IpvsReconcilerTests
{
    // As Linux 6.1 prints them: a closed connection and the persistence template (client port 0) of its client.
    private const string ConnectionTable = """
        Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Expires PEName PEData
        TCP C6120A02 92FA C6121E01 0050 C6121402 1F90 CLOSE             9
        TCP C6120A02 0000 C6121E01 0050 C6121402 1F90 ASSURED          41
        TCP C6120A03 0000 C6121E01 0050 C6121402 1F90 NONE             17
        TCP C6120A04 0000 C6121E01 0050 C6121403 1F90 NONE            300
        """;

    [Fact]
    public void LatestTemplateExpiry_IsTheLongestTemplateOfThatServer()
    {
        var connections = Ipvs.ProcFs.ConnectionTable.Parse(ConnectionTable);
        var id = new RealServerId(VirtualServiceKey.Parse("tcp/198.18.30.1:80"), IPAddress.Parse("198.18.20.2"), 8080);

        Assert.Equal(TimeSpan.FromSeconds(41), IpvsReconciler.LatestTemplateExpiry(id, connections));
        Assert.Null(IpvsReconciler.LatestTemplateExpiry(id with { Service = VirtualServiceKey.Parse("tcp/198.18.30.9:80") }, connections));
    }
}
