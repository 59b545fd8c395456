namespace Ipvs.Cli.Adm.Interop;

/// <summary>
/// The libc entry points the ipvsadm layer needs beyond the netlink library's: raw standard
/// streams (so output is byte-exact and buffered as stdio buffers it), the resolver of
/// /etc/hosts, DNS and /etc/services (so names resolve exactly as ipvsadm resolves them), and
/// signals (so the deaths ipvsadm dies are died the same way).
/// </summary>
internal static partial class AdmLibC
{
    internal const string Library = "libc";

    internal const int AF_INET = 2;
    internal const int AF_INET6 = 10;

    internal const int SIGSEGV = 11;
    internal const int SIGPIPE = 13;
}
