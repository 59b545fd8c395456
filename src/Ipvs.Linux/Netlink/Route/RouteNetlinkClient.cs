using Ipvs.Netlink.Interop;

namespace Ipvs.Netlink.Route;

/// <summary>
/// The few rtnetlink calls the care daemon needs — dummy links, addresses, routes — without the
/// <c>ip</c> command. One call group per file (Links, Addresses, Routes). Not thread-safe.
/// </summary>
public sealed partial class RouteNetlinkClient : IDisposable
{
    private readonly NetlinkSocket _socket;
    private readonly NetlinkMessageWriter _writer = new(1024);

    private RouteNetlinkClient(NetlinkSocket socket)
    {
        _socket = socket;
    }

    /// <summary>Opens an rtnetlink socket in the current network namespace, or in the one at <paramref name="networkNamespace"/>.</summary>
    public static RouteNetlinkClient Open(string? networkNamespace = null)
    {
        // Small buffers: these exchanges are a few hundred bytes.
        var socket = networkNamespace is null
            ? NetlinkSocket.Open(NetlinkConstants.ProtocolRoute, 1 << 20, 256 << 10)
            : NetworkNamespace.Run(networkNamespace, () => NetlinkSocket.Open(NetlinkConstants.ProtocolRoute, 1 << 20, 256 << 10));
        return new RouteNetlinkClient(socket);
    }

    /// <summary>Closes the route netlink socket.</summary>
    public void Dispose()
    {
        _socket.Dispose();
        _writer.Dispose();
    }

    private NetlinkOutcome Send(INetlinkReplyHandler? handler = null) =>
        _socket.Execute(_writer.WrittenSpan, handler, CancellationToken.None)[0];

    private static NetlinkException Failure(NetlinkOutcome outcome, string context) =>
        new(outcome.Errno, outcome.KernelMessage, context);

    private static bool IsMissing(int errno) => errno is Errno.ENODEV or Errno.ESRCH or Errno.ENOENT or Errno.EADDRNOTAVAIL;
}
