using System.Runtime.InteropServices;

namespace Ipvs.Cli.Adm.Interop;

internal static partial class AdmLibC
{
    /// <summary>struct hostent: h_name, h_aliases, h_addrtype, h_length, h_addr_list.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal unsafe struct HostEnt
    {
        public byte* Name;
        public byte** Aliases;
        public int AddressType;
        public int Length;
        public byte** AddressList;
    }

    /// <summary>struct servent: s_name, s_aliases, s_port (network order), s_proto.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal unsafe struct ServEnt
    {
        public byte* Name;
        public byte** Aliases;
        public int Port;
        public byte* Protocol;
    }

    [LibraryImport(Library, EntryPoint = "gethostbyname")]
    internal static unsafe partial HostEnt* GetHostByName(byte* name);

    [LibraryImport(Library, EntryPoint = "gethostbyaddr")]
    internal static unsafe partial HostEnt* GetHostByAddr(byte* address, uint length, int family);

    [LibraryImport(Library, EntryPoint = "getservbyname")]
    internal static unsafe partial ServEnt* GetServByName(byte* name, byte* protocol);

    [LibraryImport(Library, EntryPoint = "getservbyport")]
    internal static unsafe partial ServEnt* GetServByPort(int port, byte* protocol);
}
