namespace Ipvs.Netlink;

/// <summary>Receives the reply messages of pipelined requests.</summary>
internal interface INetlinkReplyHandler
{
    /// <summary>A reply message for request <paramref name="request"/> (a dump part or a single reply; never an ACK or DONE).</summary>
    void OnMessage(int request, NetlinkMessage message);

    /// <summary>The replies received so far for <paramref name="request"/> are void: its dump was interrupted and it is being sent again.</summary>
    void OnRestart(int request);
}

/// <summary>How one request of a pipelined exchange ended.</summary>
/// <param name="Errno">0 when the kernel accepted it, otherwise the positive errno.</param>
/// <param name="KernelMessage">The extended-ACK text the kernel attached, if any.</param>
internal readonly record struct NetlinkOutcome(int Errno, string? KernelMessage)
{
    public bool Succeeded => Errno == 0;
}
