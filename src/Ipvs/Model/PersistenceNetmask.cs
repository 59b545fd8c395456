using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Numerics;

namespace Ipvs.Model;

/// <summary>
/// The persistence granularity of a service: which client addresses share one persistence
/// group. It carries its address family, because the kernel reads the same attribute as a mask
/// for IPv4 and as a prefix length for IPv6; the codec writes the kernel's form.
/// </summary>
/// <remarks>
/// An IPv4 value is held as its mask, not as a prefix length: the kernel and ipvsadm accept any
/// mask (255.0.255.0 too), and a service read back from the kernel must keep what it has. Such a
/// mask has no <see cref="PrefixLength"/>. An IPv6 value is a prefix length from 1 to 128.
/// <c>default(PersistenceNetmask)</c> has no family and is refused when a service is sent;
/// <see cref="VirtualService.Netmask"/> starts as <see cref="Full(AddressFamily)"/> of its key's family.
/// </remarks>
public readonly record struct PersistenceNetmask
{
    // IPv4: the mask as a number, most significant bit first (0xFFFFFF00 for 255.255.255.0).
    // IPv6: the prefix length. This is also the kernel's value (the codec picks the byte order).
    private readonly uint _value;

    private PersistenceNetmask(AddressFamily family, uint value)
    {
        Family = family;
        _value = value;
    }

    /// <summary>The address family the netmask applies to.</summary>
    public AddressFamily Family { get; }

    /// <summary>The prefix length (0 to 32 for IPv4, 1 to 128 for IPv6), or null for an IPv4 mask that is not contiguous.</summary>
    public int? PrefixLength
    {
        get
        {
            if (Family == AddressFamily.InterNetworkV6)
            {
                return (int)_value;
            }

            var ones = BitOperations.PopCount(_value);
            return Ipv4Mask(ones) == _value ? ones : null;
        }
    }

    /// <summary>True when each client address is its own persistence group (/32 for IPv4, /128 for IPv6).</summary>
    public bool IsFull => Family switch
    {
        AddressFamily.InterNetwork => _value == uint.MaxValue,
        AddressFamily.InterNetworkV6 => _value == 128,
        _ => false,
    };

    /// <summary>The value the kernel takes: the IPv4 mask as a number (sent in network order), or the IPv6 prefix length.</summary>
    internal uint KernelValue => _value;

    /// <summary>The netmask that makes each client address its own persistence group.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="family"/> is neither IPv4 nor IPv6.</exception>
    public static PersistenceNetmask Full(AddressFamily family) => family switch
    {
        AddressFamily.InterNetwork => new(family, uint.MaxValue),
        AddressFamily.InterNetworkV6 => new(family, 128),
        _ => throw new ArgumentOutOfRangeException(nameof(family), family, "A persistence netmask is IPv4 or IPv6."),
    };

    /// <summary>A netmask from a prefix length (0 to 32 for IPv4, 1 to 128 for IPv6).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The prefix length is out of range for the family, or the family is neither IPv4 nor IPv6.</exception>
    public static PersistenceNetmask FromPrefixLength(AddressFamily family, int prefixLength)
    {
        if (family == AddressFamily.InterNetworkV6)
        {
            return prefixLength is >= 1 and <= 128
                ? new(family, (uint)prefixLength)
                : throw new ArgumentOutOfRangeException(nameof(prefixLength), prefixLength, "An IPv6 persistence prefix is 1 to 128.");
        }

        if (family != AddressFamily.InterNetwork)
        {
            throw new ArgumentOutOfRangeException(nameof(family), family, "A persistence netmask is IPv4 or IPv6.");
        }

        return prefixLength is >= 0 and <= 32
            ? new(family, Ipv4Mask(prefixLength))
            : throw new ArgumentOutOfRangeException(nameof(prefixLength), prefixLength, "An IPv4 persistence prefix is 0 to 32.");
    }

    /// <summary>An IPv4 netmask such as 255.255.255.0; like the kernel, any mask is taken, contiguous or not.</summary>
    /// <exception cref="ArgumentException"><paramref name="mask"/> is not an IPv4 address.</exception>
    public static PersistenceNetmask FromIPv4Mask(IPAddress mask)
    {
        ArgumentNullException.ThrowIfNull(mask);
        if (mask.AddressFamily != AddressFamily.InterNetwork)
        {
            throw new ArgumentException("An IPv4 mask is expected.", nameof(mask));
        }

        Span<byte> bytes = stackalloc byte[4];
        mask.TryWriteBytes(bytes, out _);
        return FromIPv4Mask(BinaryPrimitives.ReadUInt32BigEndian(bytes));
    }

    /// <summary>An IPv4 netmask given as a number, most significant bit first (0xFFFFFF00 for 255.255.255.0).</summary>
    public static PersistenceNetmask FromIPv4Mask(uint mask) => new(AddressFamily.InterNetwork, mask);

    /// <summary>
    /// The netmask as an address: 255.255.255.0 for IPv4, ffff:ffff:ffff:ffff:: for an IPv6 /64.
    /// </summary>
    /// <exception cref="InvalidOperationException">The value has no family (<c>default</c>).</exception>
    public IPAddress ToAddress()
    {
        if (Family == AddressFamily.InterNetworkV6)
        {
            Span<byte> v6 = stackalloc byte[16];
            var bits = (int)Math.Min(_value, 128u);
            for (var i = 0; i < 16; i++)
            {
                var take = Math.Clamp(bits - (i * 8), 0, 8);
                v6[i] = (byte)(0xff << (8 - take));
            }

            return new IPAddress(v6);
        }

        if (Family != AddressFamily.InterNetwork)
        {
            throw new InvalidOperationException("This persistence netmask has no address family.");
        }

        Span<byte> v4 = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(v4, _value);
        return new IPAddress(v4);
    }

    /// <summary>How ipvsadm writes it: dotted for IPv4 (255.255.255.0), the prefix length for IPv6 (64).</summary>
    public override string ToString() => Family switch
    {
        AddressFamily.InterNetworkV6 => _value.ToString(CultureInfo.InvariantCulture),
        AddressFamily.InterNetwork => ToAddress().ToString(),
        _ => string.Empty,
    };

    private static uint Ipv4Mask(int prefixLength) => prefixLength == 0 ? 0 : uint.MaxValue << (32 - prefixLength);
}
