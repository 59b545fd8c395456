namespace Ipvs.Netlink;

/// <summary>A view of one netlink message inside a received datagram.</summary>
internal readonly ref struct NetlinkMessage
{
    public NetlinkMessage(ushort type, ushort flags, uint sequence, uint portId, ReadOnlySpan<byte> payload)
    {
        Type = type;
        Flags = flags;
        Sequence = sequence;
        PortId = portId;
        Payload = payload;
    }

    public ushort Type { get; }

    public ushort Flags { get; }

    public uint Sequence { get; }

    public uint PortId { get; }

    /// <summary>Everything after the 16-byte netlink header.</summary>
    public ReadOnlySpan<byte> Payload { get; }

    public bool IsMultipart => (Flags & NetlinkConstants.FlagMulti) != 0;

    /// <summary>The generic netlink command of this message (first payload byte).</summary>
    public byte GenericCommand => Payload.Length >= 4 ? Payload[0] : (byte)0;

    /// <summary>The attributes after a fixed header of <paramref name="headerLength"/> bytes (4 for generic netlink).</summary>
    public NetlinkAttributeReader Attributes(int headerLength) =>
        new(Payload.Length >= headerLength ? Payload[NetlinkConstants.Align(headerLength)..] : default);
}

/// <summary>Iterates the messages packed in one datagram.</summary>
internal ref struct NetlinkMessageReader
{
    private ReadOnlySpan<byte> _remaining;

    public NetlinkMessageReader(ReadOnlySpan<byte> datagram)
    {
        _remaining = datagram;
    }

    public bool TryRead(out NetlinkMessage message)
    {
        if (_remaining.Length < NetlinkConstants.HeaderLength)
        {
            message = default;
            return false;
        }

        var length = (int)HostOrder.ReadU32(_remaining);
        if (length < NetlinkConstants.HeaderLength || length > _remaining.Length)
        {
            throw new NetlinkProtocolException($"Malformed netlink message: length {length} with {_remaining.Length} bytes left.");
        }

        message = new NetlinkMessage(
            HostOrder.ReadU16(_remaining[4..]),
            HostOrder.ReadU16(_remaining[6..]),
            HostOrder.ReadU32(_remaining[8..]),
            HostOrder.ReadU32(_remaining[12..]),
            _remaining[NetlinkConstants.HeaderLength..length]);
        var advance = Math.Min(NetlinkConstants.Align(length), _remaining.Length);
        _remaining = _remaining[advance..];
        return true;
    }
}
