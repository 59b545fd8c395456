using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Ipvs.Cli.Common;

/// <summary>Parsers for command-line values; each failure says what was expected.</summary>
internal static class CliParse
{
    /// <summary>An IPv4 address in dotted-quad form or an IPv6 address (no brackets).</summary>
    public static bool TryAddress(string text, [NotNullWhen(true)] out IPAddress? address, [NotNullWhen(false)] out string? error)
    {
        var host = text.StartsWith('[') && text.EndsWith(']') ? text[1..^1] : text;
        // IPAddress.TryParse takes "1" as 0.0.0.1 and "10.1" as 10.0.0.1: require four parts.
        if (IPAddress.TryParse(host, out address)
            && (address.AddressFamily == AddressFamily.InterNetworkV6
                || (address.AddressFamily == AddressFamily.InterNetwork && host.Count(c => c == '.') == 3)))
        {
            error = null;
            return true;
        }

        address = null;
        error = $"'{text}' is not an IPv4 or IPv6 address";
        return false;
    }

    /// <summary>A whole number in [min, max].</summary>
    public static bool TryNumber(string text, long min, long max, out long value)
    {
        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value >= min && value <= max;
    }

    /// <summary>The family name used in messages and output.</summary>
    public static string FamilyName(AddressFamily family) => family == AddressFamily.InterNetworkV6 ? "IPv6" : "IPv4";
}
