using System.Net;
using Ipvs.Health.Checks;

namespace Ipvs.Tests.Health.Checks;

/// <summary>A 1 GB body is not read whole, and not buffered. Alone in its collection, so that the process's allocations are the checker's.</summary>
[Collection(nameof(HttpCheckerHugeBodyTests))]
public sealed class HttpCheckerHugeBodyTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Hostile_OneGigabyteBody_IsNotReadWhole(bool digest)
    {
        const long gigabyte = 1L << 30;
        await using var server = new LoopbackTcpServer(async (c, ct) =>
        {
            await c.ReadUntilAsync("\r\n\r\n", ct);
            await c.SendAsync($"HTTP/1.0 200 OK\r\nContent-Length: {gigabyte}\r\n\r\n", ct);
            var chunk = new byte[64 * 1024];
            for (long sent = 0; sent < gigabyte && !ct.IsCancellationRequested; sent += chunk.Length)
            {
                await c.SendAsync(chunk, ct);
            }
        });
        using var checker = Checkers.Create(HttpCheckerTests.s_check with { Timeout = TimeSpan.FromSeconds(2), Urls = [new HttpCheckUrl { Path = "/", Digest = digest ? HttpCheckerTests.HelloDigest : null }] });
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var result = await checker.CheckAsync(new CheckTarget(IPAddress.Loopback, server.Port, 1), TestContext.Current.CancellationToken);
        Assert.Equal(!digest, result.IsUp);
        if (digest)
        {
            Assert.Equal("body longer than 16 MiB: not digested", result.Failure);
        }

        // What the server got out is what the checker read plus the sockets' buffers: far below 1 GB.
        Assert.InRange(server.BytesSent, HttpChecker.MaxBodyBytes, HttpChecker.MaxBodyBytes + (48L << 20));
        // Streamed, not buffered: the whole process allocated far less than the 16 MiB read.
        Assert.InRange(GC.GetTotalAllocatedBytes(precise: true) - allocated, 0, 8L << 20);
    }
}

/// <summary>Runs its tests with no other test beside them.</summary>
[CollectionDefinition(nameof(HttpCheckerHugeBodyTests), DisableParallelization = true)]
public sealed class HttpCheckerHugeBodyCollection
{
}
