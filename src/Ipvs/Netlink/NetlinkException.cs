using Ipvs.Netlink.Interop;

namespace Ipvs.Netlink;

/// <summary>A netlink request failed with an errno from the kernel or from a socket call.</summary>
internal sealed class NetlinkException : Exception
{
    public NetlinkException(int errno, string? kernelMessage = null, string? context = null)
        : base(BuildMessage(errno, kernelMessage, context))
    {
        Errno = errno;
        KernelMessage = kernelMessage;
    }

    /// <summary>The positive errno value.</summary>
    public int Errno { get; }

    /// <summary>The extended-ACK text the kernel attached, if any.</summary>
    public string? KernelMessage { get; }

    private static string BuildMessage(int errno, string? kernelMessage, string? context)
    {
        var text = Ipvs.Errno.StrError(errno);
        if (!string.IsNullOrEmpty(kernelMessage))
        {
            text += " (" + kernelMessage + ")";
        }

        return context is null ? text : context + ": " + text;
    }
}

/// <summary>The kernel sent something this code cannot parse.</summary>
internal sealed class NetlinkProtocolException : Exception
{
    public NetlinkProtocolException(string message)
        : base(message)
    {
    }
}
