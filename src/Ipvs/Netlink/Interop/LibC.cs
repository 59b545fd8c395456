using System.Runtime.InteropServices;

namespace Ipvs.Netlink.Interop;

/// <summary>The few libc entry points the netlink layer needs, and their constants.</summary>
/// <remarks>
/// The managed <see cref="System.Net.Sockets.Socket"/> cannot open AF_NETLINK sockets, so the
/// file descriptor is created and driven here. One file per native call group, as in
/// dotnet/runtime's Interop folder.
/// </remarks>
internal static partial class LibC
{
    internal const string Library = "libc";

    internal const int AF_NETLINK = 16;
    internal const int SOCK_RAW = 3;
    internal const int SOCK_CLOEXEC = 0x80000;

    internal const int SOL_SOCKET = 1;
    internal const int SO_SNDBUF = 7;
    internal const int SO_RCVBUF = 8;
    internal const int SO_SNDBUFFORCE = 32;
    internal const int SO_RCVBUFFORCE = 33;

    internal const int SOL_NETLINK = 270;
    internal const int NETLINK_CAP_ACK = 10;
    internal const int NETLINK_EXT_ACK = 11;

    internal const int MSG_DONTWAIT = 0x40;
    internal const int MSG_TRUNC = 0x20;

    internal const short POLLIN = 0x1;

    // errno values and their texts: Ipvs.Errno.
}
