using Ipvs.Model;

namespace Ipvs.Tests;

public sealed class IpvsBatchResultTests
{
    [Fact]
    public void ThrowIfAnyFailed_CarriesEveryFailure()
    {
        var key = VirtualServiceKey.Parse("tcp/10.0.0.1:80");
        var result = new IpvsBatchResult(
        [
            new IpvsOperationResult(IpvsOperation.AddService(new VirtualService(key)), null),
            new IpvsOperationResult(IpvsOperation.DeleteService(key), IpvsException.Create(IpvsOperationKind.DeleteService, 3, key.ToString())),
            new IpvsOperationResult(IpvsOperation.Flush(), IpvsException.Create(IpvsOperationKind.Flush, 1)),
        ]);

        Assert.Equal((3, 1, 2, false), (result.Count, result.SucceededCount, result.FailedCount, result.AllSucceeded));
        var error = Assert.Throws<AggregateException>(result.ThrowIfAnyFailed);
        Assert.Equal(2, error.InnerExceptions.Count);
        Assert.StartsWith("2 of 3 IPVS operations failed", error.Message, StringComparison.Ordinal);
    }
}
