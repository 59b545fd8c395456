using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Ipvs.Model;

/// <summary>
/// What identifies a virtual service: protocol, address and port, or a firewall mark and an
/// address family. Its text form is the compact one used across the toolkit:
/// <c>tcp/198.51.100.1:80</c>, <c>udp/[2001:db8::1]:53</c>, <c>sctp/198.51.100.1:9</c>,
/// <c>fwmark/42</c> (IPv4) and <c>fwmark6/42</c> (IPv6).
/// </summary>
public sealed record VirtualServiceKey
{
    private VirtualServiceKey(AddressFamily family, IpvsProtocol protocol, IPAddress? address, ushort port, uint firewallMark)
    {
        Family = family;
        Protocol = protocol;
        Address = address;
        Port = port;
        FirewallMark = firewallMark;
    }

    /// <summary>IPv4 (<see cref="AddressFamily.InterNetwork"/>) or IPv6 (<see cref="AddressFamily.InterNetworkV6"/>).</summary>
    public AddressFamily Family { get; }

    /// <summary>The protocol; <see cref="IpvsProtocol.None"/> for a firewall-mark service.</summary>
    public IpvsProtocol Protocol { get; }

    /// <summary>The virtual address; null for a firewall-mark service.</summary>
    public IPAddress? Address { get; }

    /// <summary>The virtual port (0 for a firewall-mark service, and for a persistent service that takes every port).</summary>
    public ushort Port { get; }

    /// <summary>The firewall mark; 0 when the service is identified by protocol, address and port.</summary>
    public uint FirewallMark { get; }

    /// <summary>True for a firewall-mark service.</summary>
    public bool IsFirewallMark => FirewallMark != 0;

    /// <summary>A service identified by protocol, address and port.</summary>
    public static VirtualServiceKey Create(IpvsProtocol protocol, IPAddress address, ushort port)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (protocol is not (IpvsProtocol.Tcp or IpvsProtocol.Udp or IpvsProtocol.Sctp))
        {
            throw new ArgumentOutOfRangeException(nameof(protocol), protocol, "A virtual service's protocol is TCP, UDP or SCTP.");
        }

        if (address.AddressFamily is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6))
        {
            throw new ArgumentException("A virtual service's address is IPv4 or IPv6.", nameof(address));
        }

        return new VirtualServiceKey(address.AddressFamily, protocol, address, port, 0);
    }

    /// <summary>A TCP service.</summary>
    public static VirtualServiceKey Tcp(IPAddress address, ushort port) => Create(IpvsProtocol.Tcp, address, port);

    /// <summary>A UDP service.</summary>
    public static VirtualServiceKey Udp(IPAddress address, ushort port) => Create(IpvsProtocol.Udp, address, port);

    /// <summary>An SCTP service.</summary>
    public static VirtualServiceKey Sctp(IPAddress address, ushort port) => Create(IpvsProtocol.Sctp, address, port);

    /// <summary>A firewall-mark service of the given family.</summary>
    public static VirtualServiceKey ForFirewallMark(uint mark, AddressFamily family = AddressFamily.InterNetwork)
    {
        if (mark == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(mark), mark, "A firewall mark is greater than 0.");
        }

        if (family is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6))
        {
            throw new ArgumentOutOfRangeException(nameof(family), family, "A firewall-mark service is IPv4 or IPv6.");
        }

        return new VirtualServiceKey(family, IpvsProtocol.None, null, 0, mark);
    }

    /// <summary>Parses the compact form (see the type's remarks).</summary>
    /// <exception cref="FormatException">The text is not a service; the message says why.</exception>
    public static VirtualServiceKey Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryParse(text, out var key, out var error) ? key : throw new FormatException(error);
    }

    /// <summary>Parses the compact form, without throwing.</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, [NotNullWhen(true)] out VirtualServiceKey? key) =>
        TryParse(text, out key, out _);

    /// <summary>Parses the compact form; on failure <paramref name="error"/> says what is wrong.</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, [NotNullWhen(true)] out VirtualServiceKey? key, [NotNullWhen(false)] out string? error)
    {
        key = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "empty service";
            return false;
        }

        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0)
        {
            error = $"'{text}' is not a service: expected tcp/ADDRESS:PORT, udp/ADDRESS:PORT, sctp/ADDRESS:PORT or fwmark/MARK";
            return false;
        }

        var kind = text[..slash].ToLowerInvariant();
        var rest = text[(slash + 1)..];
        if (kind is "fwmark" or "fwmark6" or "fwm" or "fwm6")
        {
            if (!uint.TryParse(rest, NumberStyles.None, CultureInfo.InvariantCulture, out var mark) || mark == 0)
            {
                error = $"'{rest}' is not a firewall mark: expected a number from 1 to 4294967295";
                return false;
            }

            key = ForFirewallMark(mark, kind.EndsWith('6') ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork);
            error = null;
            return true;
        }

        var protocol = IpvsNames.ParseProtocol(kind);
        if (protocol == IpvsProtocol.None)
        {
            error = $"'{text[..slash]}' is not a service protocol: expected tcp, udp, sctp or fwmark";
            return false;
        }

        if (!AddressPort.TryParse(rest, out var address, out var port, out error))
        {
            return false;
        }

        key = Create(protocol, address, port);
        return true;
    }

    /// <summary>The compact form, for example <c>tcp/198.51.100.1:80</c> or <c>fwmark/42</c>.</summary>
    public override string ToString()
    {
        if (IsFirewallMark)
        {
            return (Family == AddressFamily.InterNetworkV6 ? "fwmark6/" : "fwmark/") + FirewallMark.ToString(CultureInfo.InvariantCulture);
        }

        var protocol = IpvsNames.Find(Protocol)?.Name ?? ((ushort)Protocol).ToString(CultureInfo.InvariantCulture);
        return protocol + "/" + AddressPort.Format(Address!, Port);
    }
}
