using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Ipvs.Model;

/// <summary>Parses and formats <c>ADDRESS:PORT</c> with brackets around IPv6 (<c>[2001:db8::1]:80</c>).</summary>
public static class AddressPort
{
    /// <summary>Formats an address and port; IPv6 addresses are bracketed.</summary>
    public static string Format(IPAddress address, ushort port)
    {
        ArgumentNullException.ThrowIfNull(address);
        var text = address.ToString();
        return address.AddressFamily == AddressFamily.InterNetworkV6
            ? "[" + text + "]:" + port.ToString(CultureInfo.InvariantCulture)
            : text + ":" + port.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>Parses <c>ADDRESS:PORT</c> or <c>[IPV6]:PORT</c>; on failure <paramref name="error"/> says what is wrong.</summary>
    public static bool TryParse(string text, [NotNullWhen(true)] out IPAddress? address, out ushort port, [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        address = null;
        port = 0;
        string host, portText;
        if (text.StartsWith('['))
        {
            var close = text.IndexOf(']', StringComparison.Ordinal);
            if (close < 0 || close + 1 >= text.Length || text[close + 1] != ':')
            {
                error = $"'{text}' is not ADDRESS:PORT: an IPv6 address is written [ADDRESS]:PORT";
                return false;
            }

            host = text[1..close];
            portText = text[(close + 2)..];
        }
        else
        {
            var colon = text.LastIndexOf(':');
            if (colon < 0)
            {
                error = $"'{text}' has no port: expected ADDRESS:PORT";
                return false;
            }

            if (text.IndexOf(':', StringComparison.Ordinal) != colon)
            {
                error = $"'{text}' is not ADDRESS:PORT: write an IPv6 address in brackets, [ADDRESS]:PORT";
                return false;
            }

            host = text[..colon];
            portText = text[(colon + 1)..];
        }

        if (!IPAddress.TryParse(host, out address) || address.AddressFamily is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6)
            || (address.AddressFamily == AddressFamily.InterNetwork && host.AsSpan().Count('.') != 3))
        {
            address = null;
            error = $"'{host}' is not an IPv4 or IPv6 address";
            return false;
        }

        if (!ushort.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out port))
        {
            address = null;
            error = $"'{portText}' is not a port: expected a number from 0 to 65535";
            return false;
        }

        error = null;
        return true;
    }
}
