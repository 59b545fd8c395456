using Ipvs.Netlink.Interop;

namespace Ipvs.Netlink.Netfilter;

/// <summary>
/// Asks nf_tables over nfnetlink whether a table exists (NFT_MSG_GETTABLE): a drift check that
/// costs one message instead of running <c>nft</c>. Rules themselves are written by <c>nft -f -</c>.
/// </summary>
public static class NftablesTables
{
    private const int ProtocolNetfilter = 12;          // NETLINK_NETFILTER
    private const ushort SubsystemNftables = 10;       // NFNL_SUBSYS_NFTABLES
    private const ushort MessageGetTable = 1;          // NFT_MSG_GETTABLE
    private const ushort TableAttributeName = 1;       // NFTA_TABLE_NAME
    private const int HeaderLength = 4;                // struct nfgenmsg

    /// <summary>The nftables family <c>inet</c> (NFPROTO_INET).</summary>
    public const byte FamilyInet = 1;

    /// <summary>The nftables family <c>ip</c> (NFPROTO_IPV4).</summary>
    public const byte FamilyIpv4 = 2;

    /// <summary>The nftables family <c>ip6</c> (NFPROTO_IPV6).</summary>
    public const byte FamilyIpv6 = 10;

    /// <summary>True when the table exists in the current network namespace; false when it or nf_tables itself is absent.</summary>
    public static bool Exists(byte family, string name)
    {
        NetlinkSocket socket;
        try
        {
            socket = NetlinkSocket.Open(ProtocolNetfilter, 256 << 10, 64 << 10, TimeSpan.FromSeconds(5));
        }
        catch (NetlinkException)
        {
            return false;
        }

        using (socket)
        {
            using var writer = new NetlinkMessageWriter(256);
            writer.BeginMessage((ushort)((SubsystemNftables << 8) | MessageGetTable), 0, 0);
            var header = writer.WriteFixedHeader(HeaderLength);
            header[0] = family;
            writer.WriteString(TableAttributeName, name);
            writer.EndMessage();
            var outcome = socket.Execute(writer.WrittenSpan, null, CancellationToken.None)[0];
            return outcome.Errno switch
            {
                0 => true,
                Errno.ENOENT or Errno.EAFNOSUPPORT or Errno.EOPNOTSUPP or Errno.EPROTONOSUPPORT => false,
                _ => throw new NetlinkException(outcome.Errno, outcome.KernelMessage, $"looking up nftables table {name}"),
            };
        }
    }
}
