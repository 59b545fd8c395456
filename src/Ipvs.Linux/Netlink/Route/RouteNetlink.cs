namespace Ipvs.Netlink.Route;

/// <summary>rtnetlink message types, fixed-header sizes and attributes (linux/rtnetlink.h, if_link.h, if_addr.h).</summary>
internal static class RouteNetlink
{
    internal const ushort NewLink = 16;
    internal const ushort DeleteLink = 17;
    internal const ushort GetLink = 18;
    internal const ushort NewAddress = 20;
    internal const ushort DeleteAddress = 21;
    internal const ushort GetAddress = 22;
    internal const ushort NewRoute = 24;
    internal const ushort DeleteRoute = 25;
    internal const ushort GetRoute = 26;

    // struct ifinfomsg, ifaddrmsg, rtmsg.
    internal const int LinkHeaderLength = 16;
    internal const int AddressHeaderLength = 8;
    internal const int RouteHeaderLength = 12;

    internal const ushort LinkAttributeName = 3;            // IFLA_IFNAME
    internal const ushort LinkAttributeLinkInfo = 18;       // IFLA_LINKINFO
    internal const ushort LinkInfoKind = 1;                 // IFLA_INFO_KIND

    internal const ushort AddressAttributeAddress = 1;      // IFA_ADDRESS
    internal const ushort AddressAttributeLocal = 2;        // IFA_LOCAL
    internal const byte AddressFlagNoDad = 0x02;            // IFA_F_NODAD

    internal const ushort RouteAttributeDestination = 1;    // RTA_DST
    internal const ushort RouteAttributeOutputInterface = 4; // RTA_OIF
    internal const ushort RouteAttributeGateway = 5;        // RTA_GATEWAY
    internal const ushort RouteAttributePriority = 6;       // RTA_PRIORITY
    internal const ushort RouteAttributeTable = 15;         // RTA_TABLE

    internal const byte TableMain = 254;                    // RT_TABLE_MAIN
    internal const byte ProtocolStatic = 4;                 // RTPROT_STATIC
    internal const byte ScopeUniverse = 0;                  // RT_SCOPE_UNIVERSE
    internal const byte ScopeNowhere = 255;                 // RT_SCOPE_NOWHERE: matches any scope on delete
    internal const byte TypeUnicast = 1;                    // RTN_UNICAST
    internal const uint FlagFibMatch = 0x2000;              // RTM_F_FIB_MATCH (kernel 4.13)

    internal const byte FamilyUnspecified = 0;
    internal const byte FamilyInet = 2;
    internal const byte FamilyInet6 = 10;

    internal static byte FamilyOf(System.Net.IPAddress address) =>
        address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? FamilyInet6 : FamilyInet;
}
