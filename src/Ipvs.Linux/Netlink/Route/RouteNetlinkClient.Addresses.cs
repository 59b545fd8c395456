using System.Net;

namespace Ipvs.Netlink.Route;

/// <summary>Addresses: bind one to an interface, unbind it (RTM_NEWADDR, RTM_DELADDR).</summary>
public sealed partial class RouteNetlinkClient
{
    /// <summary>Binds <paramref name="address"/>/<paramref name="prefixLength"/> to the interface of index <paramref name="interfaceIndex"/>.</summary>
    /// <returns>True when it was added now, false when it was there already.</returns>
    public bool EnsureAddress(int interfaceIndex, IPAddress address, int prefixLength)
    {
        WriteAddressMessage(RouteNetlink.NewAddress, NetlinkConstants.FlagCreate | NetlinkConstants.FlagExcl, interfaceIndex, address, prefixLength);
        var outcome = Send();
        return outcome.Succeeded || (outcome.Errno == Errno.EEXIST ? false : throw Failure(outcome, $"adding address {address}/{prefixLength} to interface {interfaceIndex}"));
    }

    /// <summary>Removes <paramref name="address"/>/<paramref name="prefixLength"/> from an interface.</summary>
    /// <returns>False when it was not there.</returns>
    public bool DeleteAddress(int interfaceIndex, IPAddress address, int prefixLength)
    {
        WriteAddressMessage(RouteNetlink.DeleteAddress, 0, interfaceIndex, address, prefixLength);
        var outcome = Send();
        return outcome.Succeeded || (IsMissing(outcome.Errno) ? false : throw Failure(outcome, $"removing address {address}/{prefixLength} from interface {interfaceIndex}"));
    }

    private void WriteAddressMessage(ushort type, ushort flags, int interfaceIndex, IPAddress address, int prefixLength)
    {
        var family = RouteNetlink.FamilyOf(address);
        var length = family == RouteNetlink.FamilyInet6 ? 16 : 4;
        _writer.Reset();
        _writer.BeginMessage(type, flags, 0);
        var header = _writer.WriteFixedHeader(RouteNetlink.AddressHeaderLength);
        header[0] = family;
        header[1] = (byte)prefixLength;
        // An address on a dummy device needs no duplicate address detection.
        header[2] = family == RouteNetlink.FamilyInet6 ? RouteNetlink.AddressFlagNoDad : (byte)0;
        header[3] = RouteNetlink.ScopeUniverse;
        HostOrder.WriteU32(header[4..], (uint)interfaceIndex);
        _writer.WriteAddress(RouteNetlink.AddressAttributeLocal, address, length);
        _writer.WriteAddress(RouteNetlink.AddressAttributeAddress, address, length);
        _writer.EndMessage();
    }
}
