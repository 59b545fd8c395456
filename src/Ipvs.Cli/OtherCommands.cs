namespace Ipvs.Cli;

/// <summary>
/// The commands Program.cs routes to other parts of ipvs before this command tree sees the
/// arguments. Listed in the root help (and docs/cli.md) so users find them: the one place to edit
/// when that list changes.
/// </summary>
internal static class OtherCommands
{
    public static IReadOnlyList<(string Name, string Description)> All { get; } =
    [
        ("adm", "ipvsadm-compatible interface, byte-exact output (ipvs adm -h; also as a link named ipvsadm)"),
        ("care", "keep a virtual service's real servers healthy, lvscare-compatible (ipvs care -h; also sealctl ipvs)"),
    ];
}
