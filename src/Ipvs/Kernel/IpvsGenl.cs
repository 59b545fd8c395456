namespace Ipvs.Kernel;

/// <summary>The IPVS generic netlink interface (include/uapi/linux/ip_vs.h).</summary>
internal static class IpvsGenl
{
    internal const string FamilyName = "IPVS";
    internal const byte Version = 1;

    // IPVS_CMD_*
    internal const byte CmdNewService = 1;
    internal const byte CmdSetService = 2;
    internal const byte CmdDelService = 3;
    internal const byte CmdGetService = 4;
    internal const byte CmdNewDest = 5;
    internal const byte CmdSetDest = 6;
    internal const byte CmdDelDest = 7;
    internal const byte CmdGetDest = 8;
    internal const byte CmdNewDaemon = 9;
    internal const byte CmdDelDaemon = 10;
    internal const byte CmdGetDaemon = 11;
    internal const byte CmdSetConfig = 12;
    internal const byte CmdGetConfig = 13;
    internal const byte CmdSetInfo = 14;
    internal const byte CmdGetInfo = 15;
    internal const byte CmdZero = 16;
    internal const byte CmdFlush = 17;

    // The FULLNAT extension (Alibaba's LVS kernels, not mainline): local addresses of a service.
    internal const byte CmdNewLocalAddress = 18;
    internal const byte CmdDelLocalAddress = 19;
    internal const byte CmdGetLocalAddress = 20;

    // IPVS_CMD_ATTR_*
    internal const ushort AttrService = 1;
    internal const ushort AttrDest = 2;
    internal const ushort AttrDaemon = 3;
    internal const ushort AttrTimeoutTcp = 4;
    internal const ushort AttrTimeoutTcpFin = 5;
    internal const ushort AttrTimeoutUdp = 6;
    internal const ushort AttrLocalAddress = 7; // FULLNAT extension

    // IPVS_LADDR_ATTR_* (FULLNAT extension)
    internal const ushort LocalAddressAddr = 1;
    internal const ushort LocalAddressPortConflicts = 2;
    internal const ushort LocalAddressConnections = 3;

    // IPVS_SVC_ATTR_*
    internal const ushort SvcAf = 1;
    internal const ushort SvcProtocol = 2;
    internal const ushort SvcAddr = 3;
    internal const ushort SvcPort = 4;
    internal const ushort SvcFwmark = 5;
    internal const ushort SvcSchedName = 6;
    internal const ushort SvcFlags = 7;
    internal const ushort SvcTimeout = 8;
    internal const ushort SvcNetmask = 9;
    internal const ushort SvcStats = 10;
    internal const ushort SvcPeName = 11;
    internal const ushort SvcStats64 = 12;

    // IPVS_DEST_ATTR_*
    internal const ushort DestAddr = 1;
    internal const ushort DestPort = 2;
    internal const ushort DestFwdMethod = 3;
    internal const ushort DestWeight = 4;
    internal const ushort DestUThresh = 5;
    internal const ushort DestLThresh = 6;
    internal const ushort DestActiveConns = 7;
    internal const ushort DestInactConns = 8;
    internal const ushort DestPersistConns = 9;
    internal const ushort DestStats = 10;
    internal const ushort DestAddrFamily = 11;
    internal const ushort DestStats64 = 12;
    internal const ushort DestTunType = 13;
    internal const ushort DestTunPort = 14;
    internal const ushort DestTunFlags = 15;

    // IPVS_DAEMON_ATTR_*
    internal const ushort DaemonState = 1;
    internal const ushort DaemonMcastIfn = 2;
    internal const ushort DaemonSyncId = 3;
    internal const ushort DaemonSyncMaxLen = 4;
    internal const ushort DaemonMcastGroup = 5;
    internal const ushort DaemonMcastGroup6 = 6;
    internal const ushort DaemonMcastPort = 7;
    internal const ushort DaemonMcastTtl = 8;

    // IPVS_STATS_ATTR_*: the values of Ipvs.Model.IpvsCounter.

    // IPVS_INFO_ATTR_*
    internal const ushort InfoVersion = 1;
    internal const ushort InfoConnTabSize = 2;

    internal const uint ForwardMask = 0x7;
    internal const ushort AfInet = 2;
    internal const ushort AfInet6 = 10;
    internal const int AddressLength = 16;
    internal const int NameMaxLength = 15;
}
