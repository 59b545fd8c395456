using Ipvs.Netlink.Interop;

namespace Ipvs.Netlink;

/// <summary>A netlink request failed with an errno from the kernel or from a socket call.</summary>
public sealed class NetlinkException : Exception
{
    /// <summary>A failure with its errno, the kernel's extended-ACK text and what was being done.</summary>
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
public sealed class NetlinkProtocolException : Exception
{
    /// <summary>A reply that could not be parsed, and why.</summary>
    public NetlinkProtocolException(string message)
        : base(message)
    {
    }
}
