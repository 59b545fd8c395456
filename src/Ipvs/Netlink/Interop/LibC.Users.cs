using System.Runtime.InteropServices;

namespace Ipvs.Netlink.Interop;

// Users and groups by name (scripts and MISC checks run as a configured user).
internal static partial class LibC
{
    [LibraryImport(Library, EntryPoint = "getpwnam", StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint GetPwNam(string name);

    [LibraryImport(Library, EntryPoint = "getgrnam", StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint GetGrNam(string name);

    [LibraryImport(Library, EntryPoint = "geteuid")]
    internal static partial uint GetEUid();

    [LibraryImport(Library, EntryPoint = "getegid")]
    internal static partial uint GetEGid();

    /// <summary>The user's id and primary group (struct passwd: two pointers, then pw_uid and pw_gid).</summary>
    internal static bool TryGetUser(string name, out uint uid, out uint gid)
    {
        var entry = GetPwNam(name);
        if (entry == 0)
        {
            uid = gid = 0;
            return false;
        }

        uid = (uint)Marshal.ReadInt32(entry, 2 * IntPtr.Size);
        gid = (uint)Marshal.ReadInt32(entry, (2 * IntPtr.Size) + 4);
        return true;
    }

    /// <summary>The group's id (struct group: two pointers, then gr_gid).</summary>
    internal static bool TryGetGroup(string name, out uint gid)
    {
        var entry = GetGrNam(name);
        gid = entry == 0 ? 0 : (uint)Marshal.ReadInt32(entry, 2 * IntPtr.Size);
        return entry != 0;
    }
}
