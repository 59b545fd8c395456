using System.Globalization;
using System.Net;
using Ipvs.Model;

namespace Ipvs.ProcFs;

/// <summary>
/// Reads the kernel's IPVS connection table from <c>/proc/net/ip_vs_conn</c> (there is no netlink
/// command for it). IPv4 lines carry addresses as 8 hex digits, IPv6 lines in full colon form;
/// a persistence engine adds its name and data at the end of the line. Kernels with the FULLNAT
/// extension insert the local address and port before the destination (11 columns and more).
/// </summary>
public static class ConnectionTable
{
    /// <summary>Where the kernel publishes the table.</summary>
    public const string DefaultPath = "/proc/net/ip_vs_conn";

    /// <summary>Reads and parses the table.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist (IPVS is not loaded).</exception>
    public static async Task<IReadOnlyList<IpvsConnection>> ReadAsync(string path = DefaultPath, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var reader = new StreamReader(path);
        var connections = new List<IpvsConnection>();
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            if (TryParseLine(line, out var connection))
            {
                connections.Add(connection);
            }
        }

        return connections;
    }

    /// <summary>Parses every entry of the table's text (the header line is skipped).</summary>
    public static IReadOnlyList<IpvsConnection> Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var connections = new List<IpvsConnection>();
        foreach (var line in text.Split('\n'))
        {
            if (TryParseLine(line, out var connection))
            {
                connections.Add(connection);
            }
        }

        return connections;
    }

    /// <summary>Parses one line; false for the header and for anything that is not an entry.</summary>
    public static bool TryParseLine(string line, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out IpvsConnection? connection)
    {
        ArgumentNullException.ThrowIfNull(line);
        connection = null;
        var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length < 9 || fields[0] == "Pro")
        {
            return false;
        }

        // FULLNAT: "Pro CIP CPrt VIP VPrt LIP LPrt DIP DPrt State Expires": the eighth column is an
        // address where mainline has the state (state names are never 8 hex digits or contain ':').
        IPAddress? local = null;
        ushort localPort = 0;
        var at = 5;
        if (fields.Length >= 11 && TryParseAddress(fields[7], out _) && TryParseHexPort(fields[8], out _))
        {
            if (!TryParseAddress(fields[5], out local) || !TryParseHexPort(fields[6], out localPort))
            {
                return false;
            }

            at = 7;
        }

        if (!TryParseAddress(fields[1], out var client) || !TryParseHexPort(fields[2], out var clientPort)
            || !TryParseAddress(fields[3], out var virtualAddress) || !TryParseHexPort(fields[4], out var virtualPort)
            || !TryParseAddress(fields[at], out var destination) || !TryParseHexPort(fields[at + 1], out var destinationPort)
            || !uint.TryParse(fields[at + 3], NumberStyles.None, CultureInfo.InvariantCulture, out var expires))
        {
            return false;
        }

        connection = new IpvsConnection
        {
            Protocol = fields[0],
            ClientAddress = client,
            ClientPort = clientPort,
            VirtualAddress = virtualAddress,
            VirtualPort = virtualPort,
            LocalAddress = local,
            LocalPort = localPort,
            DestinationAddress = destination,
            DestinationPort = destinationPort,
            State = fields[at + 2],
            Expires = TimeSpan.FromSeconds(expires),
            PersistenceEngine = fields.Length > at + 4 ? fields[at + 4] : null,
            PersistenceEngineData = fields.Length > at + 5 ? string.Join(' ', fields, at + 5, fields.Length - at - 5) : null,
        };
        return true;
    }

    private static bool TryParseAddress(string text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out IPAddress? address)
    {
        if (text.Contains(':', StringComparison.Ordinal))
        {
            return IPAddress.TryParse(text, out address);
        }

        address = null;
        if (text.Length != 8 || !uint.TryParse(text, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var value))
        {
            return false;
        }

        // The kernel prints the address as a host-order number of the network-order value.
        address = new IPAddress([(byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value]);
        return true;
    }

    private static bool TryParseHexPort(string text, out ushort port) =>
        ushort.TryParse(text, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out port);
}
