namespace Ipvs.Cli.Adm;

/// <summary>
/// ADDRESS:PORT texts for listings, numeric or resolved. Resolved names are remembered for the
/// run: a table lists the same addresses and ports many times, and the resolver would otherwise
/// read /etc/hosts and ask DNS again for each.
/// </summary>
internal sealed class AdmNames
{
    private Dictionary<(int, Int128, ushort, ushort), string>? _resolved;

    public string AddressPort(int family, byte[] address, ushort port, ushort protocol, bool numeric)
    {
        if (numeric)
        {
            return NameResolver.AddressPortToText(family, address, port, protocol, numeric: true);
        }

        _resolved ??= [];
        var key = (family, System.Buffers.Binary.BinaryPrimitives.ReadInt128BigEndian(address), port, protocol);
        if (!_resolved.TryGetValue(key, out var text))
        {
            text = NameResolver.AddressPortToText(family, address, port, protocol, numeric: false);
            _resolved[key] = text;
        }

        return text;
    }
}
