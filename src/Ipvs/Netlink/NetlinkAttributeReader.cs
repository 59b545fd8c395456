using System.Buffers.Binary;
using System.Net;
using System.Text;

namespace Ipvs.Netlink;

/// <summary>Iterates the attributes of a message or of a nested attribute, without allocating.</summary>
internal ref struct NetlinkAttributeReader
{
    private ReadOnlySpan<byte> _remaining;

    public NetlinkAttributeReader(ReadOnlySpan<byte> attributes)
    {
        _remaining = attributes;
    }

    /// <summary>Reads the next attribute; its type has the nested and byte-order bits removed.</summary>
    public bool TryRead(out ushort type, out ReadOnlySpan<byte> payload)
    {
        while (_remaining.Length >= NetlinkConstants.AttributeHeaderLength)
        {
            var length = HostOrder.ReadU16(_remaining);
            if (length < NetlinkConstants.AttributeHeaderLength || length > _remaining.Length)
            {
                throw new NetlinkProtocolException($"Malformed netlink attribute: length {length} with {_remaining.Length} bytes left.");
            }

            type = (ushort)(HostOrder.ReadU16(_remaining[2..]) & NetlinkConstants.AttributeTypeMask);
            payload = _remaining[NetlinkConstants.AttributeHeaderLength..length];
            var advance = Math.Min(NetlinkConstants.Align(length), _remaining.Length);
            _remaining = _remaining[advance..];
            return true;
        }

        type = 0;
        payload = default;
        return false;
    }

    public static byte ReadU8(ReadOnlySpan<byte> payload) => payload.Length >= 1 ? payload[0] : throw Short(1, payload);

    public static ushort ReadU16(ReadOnlySpan<byte> payload) => payload.Length >= 2 ? HostOrder.ReadU16(payload) : throw Short(2, payload);

    public static uint ReadU32(ReadOnlySpan<byte> payload) => payload.Length >= 4 ? HostOrder.ReadU32(payload) : throw Short(4, payload);

    public static ulong ReadU64(ReadOnlySpan<byte> payload) => payload.Length >= 8 ? HostOrder.ReadU64(payload) : throw Short(8, payload);

    /// <summary>An unsigned value of whatever width the kernel sent (4 or 8 bytes): counters change width between the legacy and 64-bit sets.</summary>
    public static ulong ReadUnsigned(ReadOnlySpan<byte> payload) => payload.Length switch
    {
        >= 8 => HostOrder.ReadU64(payload),
        >= 4 => HostOrder.ReadU32(payload),
        >= 2 => HostOrder.ReadU16(payload),
        1 => payload[0],
        _ => throw Short(1, payload),
    };

    public static ushort ReadBigEndianU16(ReadOnlySpan<byte> payload) =>
        payload.Length >= 2 ? BinaryPrimitives.ReadUInt16BigEndian(payload) : throw Short(2, payload);

    public static uint ReadBigEndianU32(ReadOnlySpan<byte> payload) =>
        payload.Length >= 4 ? BinaryPrimitives.ReadUInt32BigEndian(payload) : throw Short(4, payload);

    /// <summary>A NUL-terminated (or unterminated) string.</summary>
    public static string ReadString(ReadOnlySpan<byte> payload)
    {
        var end = payload.IndexOf((byte)0);
        return Encoding.UTF8.GetString(end >= 0 ? payload[..end] : payload);
    }

    /// <summary>An address of the given family from a payload that may be longer (IPVS sends the 16-byte union).</summary>
    public static IPAddress ReadAddress(ReadOnlySpan<byte> payload, bool ipv6)
    {
        var length = ipv6 ? 16 : 4;
        return payload.Length >= length ? new IPAddress(payload[..length]) : throw Short(length, payload);
    }

    private static NetlinkProtocolException Short(int expected, ReadOnlySpan<byte> payload) =>
        new($"Netlink attribute too short: {payload.Length} bytes where {expected} were expected.");
}
