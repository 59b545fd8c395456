using System.Net;

namespace Ipvs.Netlink.Route;

/// <summary>Routes in the main table: add or replace a host route through a gateway, delete it (RTM_NEWROUTE, RTM_DELROUTE).</summary>
public sealed partial class RouteNetlinkClient
{
    /// <summary>
    /// Sets the route <paramref name="destination"/>/<paramref name="prefixLength"/> via
    /// <paramref name="gateway"/> with metric <paramref name="priority"/>, replacing one with the
    /// same destination and metric (so a changed gateway is corrected, and repeating it is harmless).
    /// </summary>
    public void ReplaceRoute(IPAddress destination, int prefixLength, IPAddress gateway, uint priority)
    {
        WriteRouteMessage(RouteNetlink.NewRoute, NetlinkConstants.FlagCreate | NetlinkConstants.FlagReplace, destination, prefixLength, gateway, priority, forDelete: false);
        var outcome = Send();
        if (!outcome.Succeeded)
        {
            var context = $"adding the route {destination}/{prefixLength} via {gateway} metric {priority}";
            throw outcome.Errno == Errno.ENETUNREACH
                ? new NetlinkException(outcome.Errno, outcome.KernelMessage ?? $"no interface reaches the gateway {gateway}", context)
                : Failure(outcome, context);
        }
    }

    /// <summary>Deletes the route <paramref name="destination"/>/<paramref name="prefixLength"/> via <paramref name="gateway"/> with metric <paramref name="priority"/>.</summary>
    /// <returns>False when there was no such route.</returns>
    public bool DeleteRoute(IPAddress destination, int prefixLength, IPAddress gateway, uint priority)
    {
        WriteRouteMessage(RouteNetlink.DeleteRoute, 0, destination, prefixLength, gateway, priority, forDelete: true);
        var outcome = Send();
        return outcome.Succeeded || (IsMissing(outcome.Errno) ? false : throw Failure(outcome, $"deleting the route {destination}/{prefixLength} via {gateway}"));
    }

    /// <summary>
    /// The routing entry that <paramref name="destination"/> matches (RTM_GETROUTE with
    /// RTM_F_FIB_MATCH: the entry itself, not the resolved next hop), or null when nothing routes it.
    /// </summary>
    public RouteInfo? FindRoute(IPAddress destination)
    {
        var family = RouteNetlink.FamilyOf(destination);
        var length = family == RouteNetlink.FamilyInet6 ? 16 : 4;
        _writer.Reset();
        _writer.BeginMessage(RouteNetlink.GetRoute, 0, 0);
        var header = _writer.WriteFixedHeader(RouteNetlink.RouteHeaderLength);
        header[0] = family;
        header[1] = (byte)(length * 8);
        HostOrder.WriteU32(header[8..], RouteNetlink.FlagFibMatch);
        _writer.WriteAddress(RouteNetlink.RouteAttributeDestination, destination, length);
        _writer.EndMessage();
        var handler = new RouteHandler(family == RouteNetlink.FamilyInet6);
        var outcome = Send(handler);
        if (!outcome.Succeeded)
        {
            return outcome.Errno is Errno.ENETUNREACH or Errno.ESRCH or Errno.ENOENT or Errno.EINVAL
                ? null
                : throw Failure(outcome, $"looking up the route to {destination}");
        }

        return handler.Route;
    }

    private void WriteRouteMessage(ushort type, ushort flags, IPAddress destination, int prefixLength, IPAddress gateway, uint priority, bool forDelete)
    {
        var family = RouteNetlink.FamilyOf(destination);
        if (RouteNetlink.FamilyOf(gateway) != family)
        {
            throw new ArgumentException($"the gateway {gateway} is not of the same address family as {destination}", nameof(gateway));
        }

        var length = family == RouteNetlink.FamilyInet6 ? 16 : 4;
        _writer.Reset();
        _writer.BeginMessage(type, flags, 0);
        var header = _writer.WriteFixedHeader(RouteNetlink.RouteHeaderLength);
        header[0] = family;
        header[1] = (byte)prefixLength;
        header[4] = RouteNetlink.TableMain;
        header[5] = forDelete ? (byte)0 : RouteNetlink.ProtocolStatic;
        header[6] = forDelete ? RouteNetlink.ScopeNowhere : RouteNetlink.ScopeUniverse;
        header[7] = forDelete ? (byte)0 : RouteNetlink.TypeUnicast;
        _writer.WriteAddress(RouteNetlink.RouteAttributeDestination, destination, length);
        _writer.WriteAddress(RouteNetlink.RouteAttributeGateway, gateway, length);
        _writer.WriteU32(RouteNetlink.RouteAttributePriority, priority);
        _writer.EndMessage();
    }

    private sealed class RouteHandler(bool ipv6) : INetlinkReplyHandler
    {
        public RouteInfo? Route { get; private set; }

        public void OnMessage(int request, NetlinkMessage message)
        {
            if (message.Type != RouteNetlink.NewRoute || message.Payload.Length < RouteNetlink.RouteHeaderLength)
            {
                return;
            }

            var prefixLength = message.Payload[1];
            uint table = message.Payload[4];
            var type = message.Payload[7];
            IPAddress? destination = null, gateway = null;
            uint priority = 0;
            var attributes = message.Attributes(RouteNetlink.RouteHeaderLength);
            while (attributes.TryRead(out var attribute, out var value))
            {
                switch (attribute)
                {
                    case RouteNetlink.RouteAttributeDestination:
                        destination = NetlinkAttributeReader.ReadAddress(value, ipv6);
                        break;
                    case RouteNetlink.RouteAttributeGateway:
                        gateway = NetlinkAttributeReader.ReadAddress(value, ipv6);
                        break;
                    case RouteNetlink.RouteAttributePriority:
                        priority = NetlinkAttributeReader.ReadU32(value);
                        break;
                    case RouteNetlink.RouteAttributeTable:
                        table = NetlinkAttributeReader.ReadU32(value);
                        break;
                }
            }

            Route = new RouteInfo(destination, prefixLength, gateway, priority, table, type);
        }

        public void OnRestart(int request) => Route = null;
    }
}

/// <summary>A routing table entry as rtnetlink reports it.</summary>
/// <param name="Destination">The destination prefix's address (null for a default route).</param>
/// <param name="PrefixLength">The prefix length.</param>
/// <param name="Gateway">The next hop, or null for a directly connected or local route.</param>
/// <param name="Priority">The metric.</param>
/// <param name="Table">The table (254 main, 255 local).</param>
/// <param name="Type">The route type (1 unicast, 2 local, …).</param>
public sealed record RouteInfo(IPAddress? Destination, int PrefixLength, IPAddress? Gateway, uint Priority, uint Table, byte Type);
