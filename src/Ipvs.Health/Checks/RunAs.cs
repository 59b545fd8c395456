using System.Globalization;
using Ipvs.Netlink.Interop;

namespace Ipvs.Health.Checks;

/// <summary>
/// The argument array that runs a program as USER[:GROUP] (keepalived's script user): util-linux's
/// <c>setpriv</c> with the user's ids and supplementary groups. Not runuser: it opens a PAM session
/// on every run, seconds on a loaded host, which a 3 s misc_timeout does not survive. A program for
/// the daemon's own user and group runs directly.
/// </summary>
internal static class RunAs
{
    internal static readonly string[] SetprivPaths = ["/usr/bin/setpriv", "/bin/setpriv"];

    /// <summary><paramref name="argv"/> as <paramref name="user"/>; null with <paramref name="error"/> when it cannot be.</summary>
    public static string[]? Wrap(string? user, IReadOnlyList<string> argv, out string? error) =>
        Wrap(user, argv, LibC.TryGetUser, LibC.TryGetGroup, (LibC.GetEUid(), LibC.GetEGid()), SetprivPaths.FirstOrDefault(File.Exists), out error);

    internal delegate bool UserLookup(string name, out uint uid, out uint gid);

    internal delegate bool GroupLookup(string name, out uint gid);

    internal static string[]? Wrap(string? user, IReadOnlyList<string> argv, UserLookup users, GroupLookup groups, (uint Uid, uint Gid) self, string? setpriv, out string? error)
    {
        error = null;
        if (string.IsNullOrEmpty(user))
        {
            return [.. argv];
        }

        var parts = user.Split(':', 2);
        if (!users(parts[0], out var uid, out var gid))
        {
            error = $"no user '{parts[0]}' to run {argv.FirstOrDefault()} as";
            return null;
        }

        if (parts.Length == 2 && !groups(parts[1], out gid))
        {
            error = $"no group '{parts[1]}' to run {argv.FirstOrDefault()} as";
            return null;
        }

        if (uid == self.Uid && gid == self.Gid)
        {
            return [.. argv];
        }

        if (setpriv is null)
        {
            error = "setpriv (util-linux) is needed to run a program as " + user;
            return null;
        }

        return [setpriv, "--reuid", uid.ToString(CultureInfo.InvariantCulture), "--regid", gid.ToString(CultureInfo.InvariantCulture), "--init-groups", "--", .. argv];
    }
}
