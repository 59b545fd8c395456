using System.Buffers.Binary;
using System.Net;
using System.Text;

namespace Ipvs.Netlink;

/// <summary>
/// Builds one or more netlink messages back to back in a reusable buffer, so many requests can
/// go to the kernel in a single send. Writes attributes straight into the buffer: nothing is
/// allocated per attribute.
/// </summary>
internal sealed class NetlinkMessageWriter : IDisposable
{
    private byte[] _buffer;
    private int _length;
    private int _messageStart = -1;

    public NetlinkMessageWriter(int initialCapacity = 4096)
    {
        // Not pooled: a short-lived command should not pay for setting up the shared pool.
        _buffer = GC.AllocateUninitializedArray<byte>(initialCapacity);
    }

    /// <summary>Bytes written so far (every complete message).</summary>
    public int Length => _length;

    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _length);

    public ReadOnlyMemory<byte> WrittenMemory => _buffer.AsMemory(0, _length);

    public void Reset()
    {
        _length = 0;
        _messageStart = -1;
    }

    /// <summary>Starts a message; returns its offset in the buffer.</summary>
    public int BeginMessage(ushort type, ushort flags, uint sequence, uint portId = 0)
    {
        if (_messageStart >= 0)
        {
            throw new InvalidOperationException("The previous netlink message was not ended.");
        }

        _messageStart = _length;
        var header = Reserve(NetlinkConstants.HeaderLength);
        HostOrder.WriteU16(header[4..], type);
        HostOrder.WriteU16(header[6..], flags);
        HostOrder.WriteU32(header[8..], sequence);
        HostOrder.WriteU32(header[12..], portId);
        return _messageStart;
    }

    /// <summary>Writes the generic netlink header (command, version) after the netlink header.</summary>
    public void WriteGenericHeader(byte command, byte version)
    {
        var span = Reserve(4);
        span[0] = command;
        span[1] = version;
        span[2] = 0;
        span[3] = 0;
    }

    /// <summary>Writes a fixed family header (for example rtnetlink's ifaddrmsg) and returns it to fill in.</summary>
    public Span<byte> WriteFixedHeader(int length)
    {
        var span = Reserve(NetlinkConstants.Align(length));
        span.Clear();
        return span[..length];
    }

    public void EndMessage()
    {
        if (_messageStart < 0)
        {
            throw new InvalidOperationException("No netlink message was begun.");
        }

        HostOrder.WriteU32(_buffer.AsSpan(_messageStart), (uint)(_length - _messageStart));
        _messageStart = -1;
    }

    /// <summary>Discards the message being written (used when a request turns out to be invalid).</summary>
    public void AbandonMessage()
    {
        if (_messageStart >= 0)
        {
            _length = _messageStart;
            _messageStart = -1;
        }
    }

    public int BeginNested(ushort type)
    {
        var start = _length;
        var span = Reserve(NetlinkConstants.AttributeHeaderLength);
        HostOrder.WriteU16(span[2..], (ushort)(type | NetlinkConstants.AttributeNested));
        return start;
    }

    public void EndNested(int start)
    {
        HostOrder.WriteU16(_buffer.AsSpan(start), (ushort)(_length - start));
    }

    public void WriteU8(ushort type, byte value) => WriteAttributeHeader(type, 1)[0] = value;

    public void WriteU16(ushort type, ushort value) => HostOrder.WriteU16(WriteAttributeHeader(type, 2), value);

    public void WriteU32(ushort type, uint value) => HostOrder.WriteU32(WriteAttributeHeader(type, 4), value);

    public void WriteU64(ushort type, ulong value)
    {
        HostOrder.WriteU64(WriteAttributeHeader(type, 8), value);
    }

    /// <summary>A 16-bit value in network byte order (ports).</summary>
    public void WriteBigEndianU16(ushort type, ushort value) =>
        BinaryPrimitives.WriteUInt16BigEndian(WriteAttributeHeader(type, 2), value);

    /// <summary>A 32-bit value in network byte order.</summary>
    public void WriteBigEndianU32(ushort type, uint value) =>
        BinaryPrimitives.WriteUInt32BigEndian(WriteAttributeHeader(type, 4), value);

    public void WriteBytes(ushort type, ReadOnlySpan<byte> value) => value.CopyTo(WriteAttributeHeader(type, value.Length));

    /// <summary>An address as raw bytes, padded with zeros to <paramref name="length"/> (IPVS expects the 16-byte union).</summary>
    public void WriteAddress(ushort type, IPAddress address, int length)
    {
        var span = WriteAttributeHeader(type, length);
        span.Clear();
        if (!address.TryWriteBytes(span, out _))
        {
            throw new ArgumentException("The address does not fit the attribute.", nameof(address));
        }
    }

    /// <summary>A NUL-terminated string.</summary>
    public void WriteString(ushort type, string value)
    {
        var byteCount = Encoding.UTF8.GetByteCount(value);
        var span = WriteAttributeHeader(type, byteCount + 1);
        Encoding.UTF8.GetBytes(value, span);
        span[byteCount] = 0;
    }

    public void WriteFlag(ushort type) => WriteAttributeHeader(type, 0);

    public void Dispose()
    {
        _buffer = [];
        _length = 0;
    }

    private Span<byte> WriteAttributeHeader(ushort type, int payloadLength)
    {
        var total = NetlinkConstants.AttributeHeaderLength + payloadLength;
        var span = Reserve(NetlinkConstants.Align(total));
        HostOrder.WriteU16(span, (ushort)total);
        HostOrder.WriteU16(span[2..], type);
        // Zero the alignment padding so messages are deterministic (golden byte tests rely on it).
        span[total..].Clear();
        return span.Slice(NetlinkConstants.AttributeHeaderLength, payloadLength);
    }

    private Span<byte> Reserve(int length)
    {
        if (_length + length > _buffer.Length)
        {
            Grow(_length + length);
        }

        var span = _buffer.AsSpan(_length, length);
        _length += length;
        return span;
    }

    private void Grow(int required)
    {
        var newBuffer = GC.AllocateUninitializedArray<byte>(Math.Max(required, _buffer.Length * 2));
        _buffer.AsSpan(0, _length).CopyTo(newBuffer);
        _buffer = newBuffer;
    }
}
