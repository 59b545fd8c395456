using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Numerics;

namespace Ipvs.Model;

/// <summary>
/// Converts the persistence granularity between its kernel form (an IPv4 mask as a number, an
/// IPv6 prefix length) and what people write (255.255.255.0, /24, 64).
/// </summary>
public static class PersistenceNetmask
{
    /// <summary>The netmask that makes each client address its own persistence group.</summary>
    public static uint Full(AddressFamily family) => family == AddressFamily.InterNetworkV6 ? 128u : uint.MaxValue;

    /// <summary>True when <paramref name="netmask"/> is the full mask of the family.</summary>
    public static bool IsFull(AddressFamily family, uint netmask) => netmask == Full(family);

    /// <summary>The kernel form of a prefix length (0 to 32 for IPv4, 1 to 128 for IPv6).</summary>
    public static uint FromPrefixLength(AddressFamily family, int prefixLength)
    {
        if (family == AddressFamily.InterNetworkV6)
        {
            return prefixLength is >= 1 and <= 128
                ? (uint)prefixLength
                : throw new ArgumentOutOfRangeException(nameof(prefixLength), prefixLength, "An IPv6 persistence prefix is 1 to 128.");
        }

        return prefixLength switch
        {
            0 => 0,
            >= 1 and <= 32 => uint.MaxValue << (32 - prefixLength),
            _ => throw new ArgumentOutOfRangeException(nameof(prefixLength), prefixLength, "An IPv4 persistence prefix is 0 to 32."),
        };
    }

    /// <summary>The kernel form of an IPv4 mask such as 255.255.255.0.</summary>
    public static uint FromIPv4Mask(IPAddress mask)
    {
        ArgumentNullException.ThrowIfNull(mask);
        if (mask.AddressFamily != AddressFamily.InterNetwork)
        {
            throw new ArgumentException("An IPv4 mask is expected.", nameof(mask));
        }

        Span<byte> bytes = stackalloc byte[4];
        mask.TryWriteBytes(bytes, out _);
        return BinaryPrimitives.ReadUInt32BigEndian(bytes);
    }

    /// <summary>The prefix length of a netmask, or null when an IPv4 mask is not contiguous.</summary>
    public static int? ToPrefixLength(AddressFamily family, uint netmask)
    {
        if (family == AddressFamily.InterNetworkV6)
        {
            return (int)netmask;
        }

        var ones = BitOperations.PopCount(netmask);
        return FromPrefixLength(family, ones) == netmask ? ones : null;
    }

    /// <summary>How ipvsadm writes it: dotted for IPv4, the prefix length for IPv6.</summary>
    public static string Format(AddressFamily family, uint netmask)
    {
        if (family == AddressFamily.InterNetworkV6)
        {
            return netmask.ToString(CultureInfo.InvariantCulture);
        }

        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, netmask);
        return new IPAddress(bytes).ToString();
    }
}
