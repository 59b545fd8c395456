using System.Net;
using Ipvs.Model;
using Ipvs.State;

namespace Ipvs.Tests.State;

public sealed class DrainStateStoreTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("ipvs-drain-").FullName;

    [Fact]
    public void SaveThenLoad_RoundTrips_AndNoStateRemovesTheFile()
    {
        var store = new DrainStateStore(Path.Combine(_directory, "sub", "drain.json"));
        var state = new Dictionary<RealServerId, DateTimeOffset>
        {
            [new(VirtualServiceKey.Parse("tcp/198.51.100.1:80"), IPAddress.Parse("192.0.2.1"), 8080)] = new(2025, 1, 1, 12, 0, 0, TimeSpan.Zero),
            [new(VirtualServiceKey.Parse("fwmark6/3"), IPAddress.Parse("2001:db8::1"), 0)] = new(2025, 1, 1, 12, 0, 5, TimeSpan.FromHours(2)),
        };

        Assert.Empty(store.Load());
        store.Save(state);
        Assert.Equal(state.OrderBy(p => p.Key.ToString()), store.Load().OrderBy(p => p.Key.ToString()));
        Assert.DoesNotContain(Directory.GetFiles(Path.Combine(_directory, "sub")), f => f.Contains(".tmp", StringComparison.Ordinal));

        store.Save(new Dictionary<RealServerId, DateTimeOffset>());
        Assert.False(File.Exists(store.Path));
    }

    [Fact]
    public void Load_OfAnotherFile_SaysWhatIsWrong()
    {
        var path = Path.Combine(_directory, "bad.json");
        File.WriteAllText(path, "{\"draining\": [{\"service\": \"tcp/nope\"}]}");

        var error = Assert.Throws<InvalidDataException>(() => new DrainStateStore(path).Load());
        Assert.Contains("is not a drain state file", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DefaultPath_NamesTheNetworkNamespace()
    {
        Assert.Equal("/run/ipvs/drain-netns-blue.json", DrainStateStore.DefaultPath("blue"));
        Assert.Matches(@"^/run/ipvs/drain-net\d+\.json$", DrainStateStore.DefaultPath());
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
