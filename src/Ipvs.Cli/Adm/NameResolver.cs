using System.Buffers.Binary;
using Ipvs.Cli.Adm.Interop;

namespace Ipvs.Cli.Adm;

/// <summary>
/// Host and service names, through the C library's own resolver (gethostbyname, gethostbyaddr,
/// getservbyname, getservbyport) so /etc/hosts, nsswitch.conf, DNS and /etc/services answer
/// exactly as they answer ipvsadm. Strings hold one byte per character.
/// </summary>
internal static unsafe class NameResolver
{
    private const ushort IpProtoTcp = 6;
    private const ushort IpProtoUdp = 17;
    private const ushort IpProtoSctp = 132;

    /// <summary>ipvsadm's host_to_addr: the first IPv4 address of a name, or false.</summary>
    public static bool TryHostToAddress(string name, out uint address)
    {
        address = 0;
        Span<byte> text = name.Length < 512 ? stackalloc byte[name.Length + 1] : new byte[name.Length + 1];
        WriteCString(name, text);
        fixed (byte* pointer = text)
        {
            var host = AdmLibC.GetHostByName(pointer);
            if (host is null || host->AddressType != AdmLibC.AF_INET || host->Length != 4)
            {
                return false;
            }

            address = BinaryPrimitives.ReadUInt32BigEndian(new ReadOnlySpan<byte>(host->AddressList[0], 4));
            return true;
        }
    }

    /// <summary>ipvsadm's service_to_port: the port of a service name for the protocol, or -1.</summary>
    public static int ServiceToPort(string name, ushort protocol)
    {
        var protocolName = ProtocolName(protocol);
        if (protocolName.IsEmpty)
        {
            return -1;
        }

        Span<byte> text = name.Length < 512 ? stackalloc byte[name.Length + 1] : new byte[name.Length + 1];
        WriteCString(name, text);
        fixed (byte* pointer = text)
        fixed (byte* proto = protocolName)
        {
            var service = AdmLibC.GetServByName(pointer, proto);
            return service is null ? -1 : BinaryPrimitives.ReverseEndianness((ushort)service->Port);
        }
    }

    /// <summary>ipvsadm's addr_to_host: the name gethostbyaddr gives, or null.</summary>
    public static string? AddressToHost(int family, ReadOnlySpan<byte> address)
    {
        var length = family == AdmLibC.AF_INET ? 4 : 16;
        fixed (byte* pointer = address)
        {
            var host = AdmLibC.GetHostByAddr(pointer, (uint)length, family);
            return host is null ? null : FromCString(host->Name);
        }
    }

    /// <summary>ipvsadm's port_to_service: the service name of a port for the protocol, or null.</summary>
    public static string? PortToService(ushort port, ushort protocol)
    {
        var protocolName = ProtocolName(protocol);
        if (protocolName.IsEmpty)
        {
            return null;
        }

        fixed (byte* proto = protocolName)
        {
            var service = AdmLibC.GetServByPort(BinaryPrimitives.ReverseEndianness(port), proto);
            return service is null ? null : FromCString(service->Name);
        }
    }

    /// <summary>
    /// ipvsadm's addrport_to_anyname: ADDRESS:PORT (IPv6 bracketed), numeric or with names, cut
    /// to the 59 characters of its 60-byte buffer.
    /// </summary>
    public static string AddressPortToText(int family, ReadOnlySpan<byte> address, ushort port, ushort protocol, bool numeric)
    {
        string host;
        string portText;
        if (numeric)
        {
            host = CText.InetNtop(family, address);
            portText = CText.Decimal((long)port);
        }
        else
        {
            host = AddressToHost(family, address) ?? CText.InetNtop(family, address);
            portText = PortToService(port, protocol) ?? CText.Decimal((long)port);
        }

        var text = family == AdmLibC.AF_INET ? string.Concat(host, ":", portText) : string.Concat("[", host, "]:", portText);
        return text.Length > 59 ? text[..59] : text;
    }

    private static ReadOnlySpan<byte> ProtocolName(ushort protocol) => protocol switch
    {
        IpProtoTcp => "tcp\0"u8,
        IpProtoUdp => "udp\0"u8,
        IpProtoSctp => "sctp\0"u8,
        _ => default,
    };

    private static void WriteCString(string s, Span<byte> destination)
    {
        for (var i = 0; i < s.Length; i++)
        {
            destination[i] = (byte)s[i];
        }

        destination[s.Length] = 0;
    }

    /// <summary>A NUL-terminated C string as one character per byte.</summary>
    public static string FromCString(byte* text)
    {
        var length = 0;
        while (text[length] != 0)
        {
            length++;
        }

        return string.Create(length, (nint)text, static (span, pointer) =>
        {
            var bytes = (byte*)pointer;
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = (char)bytes[i];
            }
        });
    }
}
