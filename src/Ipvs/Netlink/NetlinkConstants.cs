namespace Ipvs.Netlink;

/// <summary>Netlink protocol numbers, message types and flags (linux/netlink.h).</summary>
internal static class NetlinkConstants
{
    internal const int ProtocolRoute = 0;
    internal const int ProtocolGeneric = 16;

    internal const int HeaderLength = 16;
    internal const int AttributeHeaderLength = 4;
    internal const int Alignment = 4;

    internal const ushort TypeNoop = 1;
    internal const ushort TypeError = 2;
    internal const ushort TypeDone = 3;
    internal const ushort TypeOverrun = 4;

    internal const ushort FlagRequest = 0x1;
    internal const ushort FlagMulti = 0x2;
    internal const ushort FlagAck = 0x4;
    internal const ushort FlagEcho = 0x8;
    internal const ushort FlagDumpInterrupted = 0x10;
    internal const ushort FlagRoot = 0x100;
    internal const ushort FlagMatch = 0x200;
    internal const ushort FlagDump = FlagRoot | FlagMatch;
    internal const ushort FlagReplace = 0x100;
    internal const ushort FlagExcl = 0x200;
    internal const ushort FlagCreate = 0x400;

    // On NLMSG_ERROR: the original request was capped (NETLINK_CAP_ACK) and TLVs follow (NETLINK_EXT_ACK).
    internal const ushort FlagCapped = 0x100;
    internal const ushort FlagAckTlvs = 0x200;

    internal const ushort AttributeNested = 0x8000;
    internal const ushort AttributeNetByteOrder = 0x4000;
    internal const ushort AttributeTypeMask = 0x3fff;

    // NLMSGERR_ATTR_*
    internal const ushort ErrorAttributeMessage = 1;

    internal static int Align(int length) => (length + Alignment - 1) & ~(Alignment - 1);
}
