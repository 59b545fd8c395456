using System.Runtime.InteropServices;
using Ipvs.Netlink.Interop;

namespace Ipvs.Netlink;

/// <summary>Owns a netlink socket's file descriptor.</summary>
internal sealed class NetlinkSafeHandle : SafeHandle
{
    public NetlinkSafeHandle(int fd)
        : base(invalidHandleValue: -1, ownsHandle: true)
    {
        SetHandle(fd);
    }

    public override bool IsInvalid => handle == -1;

    protected override bool ReleaseHandle() => LibC.Close((int)handle) == 0;
}
