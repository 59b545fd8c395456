namespace Ipvs.Netlink.Route;

/// <summary>Links: create a dummy device, find one, delete one (RTM_NEWLINK, RTM_GETLINK, RTM_DELLINK).</summary>
public sealed partial class RouteNetlinkClient
{
    /// <summary>Creates a dummy link named <paramref name="name"/> unless one of that name exists.</summary>
    /// <returns>True when it was created now.</returns>
    /// <exception cref="InvalidOperationException">A link of that name exists and is not a dummy.</exception>
    public bool EnsureDummyLink(string name)
    {
        ValidateName(name);
        _writer.Reset();
        _writer.BeginMessage(RouteNetlink.NewLink, NetlinkConstants.FlagCreate | NetlinkConstants.FlagExcl, 0);
        _writer.WriteFixedHeader(RouteNetlink.LinkHeaderLength);
        _writer.WriteString(RouteNetlink.LinkAttributeName, name);
        var info = _writer.BeginNested(RouteNetlink.LinkAttributeLinkInfo);
        _writer.WriteString(RouteNetlink.LinkInfoKind, "dummy");
        _writer.EndNested(info);
        _writer.EndMessage();
        var outcome = Send();
        if (outcome.Succeeded)
        {
            return true;
        }

        if (outcome.Errno != Errno.EEXIST)
        {
            throw Failure(outcome, $"creating the dummy interface {name}");
        }

        var existing = FindLink(name);
        if (existing is { Kind: not "dummy" })
        {
            throw new InvalidOperationException($"interface {name} exists and is not a dummy interface (it is {existing.Kind ?? "a physical device"}); choose another name with --iface");
        }

        return false;
    }

    /// <summary>The index and kind of the link named <paramref name="name"/>, or null when there is none.</summary>
    public LinkInfo? FindLink(string name)
    {
        ValidateName(name);
        _writer.Reset();
        _writer.BeginMessage(RouteNetlink.GetLink, 0, 0);
        _writer.WriteFixedHeader(RouteNetlink.LinkHeaderLength);
        _writer.WriteString(RouteNetlink.LinkAttributeName, name);
        _writer.EndMessage();
        var handler = new LinkHandler();
        var outcome = Send(handler);
        if (!outcome.Succeeded)
        {
            return IsMissing(outcome.Errno) ? null : throw Failure(outcome, $"looking up interface {name}");
        }

        return handler.Link;
    }

    /// <summary>Deletes the link named <paramref name="name"/>.</summary>
    /// <returns>False when there was none.</returns>
    public bool DeleteLink(string name)
    {
        ValidateName(name);
        _writer.Reset();
        _writer.BeginMessage(RouteNetlink.DeleteLink, 0, 0);
        _writer.WriteFixedHeader(RouteNetlink.LinkHeaderLength);
        _writer.WriteString(RouteNetlink.LinkAttributeName, name);
        _writer.EndMessage();
        var outcome = Send();
        return outcome.Succeeded || (IsMissing(outcome.Errno) ? false : throw Failure(outcome, $"deleting interface {name}"));
    }

    /// <summary>Interface names are 1 to 15 bytes, without '/', ':' or white space (the kernel's dev_valid_name).</summary>
    public static bool IsValidName(string name) =>
        name.Length is > 0 and < 16 && name is not "." and not ".." && name.All(c => c > ' ' && c < 127 && c != '/' && c != ':');

    private static void ValidateName(string name)
    {
        if (!IsValidName(name))
        {
            throw new ArgumentException($"'{name}' is not an interface name: 1 to 15 characters, no '/', ':' or spaces", nameof(name));
        }
    }

    private sealed class LinkHandler : INetlinkReplyHandler
    {
        public LinkInfo? Link { get; private set; }

        public void OnMessage(int request, NetlinkMessage message)
        {
            if (message.Type != RouteNetlink.NewLink || message.Payload.Length < RouteNetlink.LinkHeaderLength)
            {
                return;
            }

            var index = (int)HostOrder.ReadU32(message.Payload[4..]);
            string? name = null, kind = null;
            var attributes = message.Attributes(RouteNetlink.LinkHeaderLength);
            while (attributes.TryRead(out var type, out var value))
            {
                if (type == RouteNetlink.LinkAttributeName)
                {
                    name = NetlinkAttributeReader.ReadString(value);
                }
                else if (type == RouteNetlink.LinkAttributeLinkInfo)
                {
                    var nested = new NetlinkAttributeReader(value);
                    while (nested.TryRead(out var infoType, out var infoValue))
                    {
                        if (infoType == RouteNetlink.LinkInfoKind)
                        {
                            kind = NetlinkAttributeReader.ReadString(infoValue);
                        }
                    }
                }
            }

            Link = new LinkInfo(index, name ?? string.Empty, kind);
        }

        public void OnRestart(int request) => Link = null;
    }
}

/// <summary>A network interface as rtnetlink reports it.</summary>
/// <param name="Index">The interface index.</param>
/// <param name="Name">The interface name.</param>
/// <param name="Kind">The link kind (<c>dummy</c>, <c>veth</c>, …), null for a physical device.</param>
public sealed record LinkInfo(int Index, string Name, string? Kind);
