using Ipvs.Testing;

namespace Ipvs.Tests.Adm;

/// <summary>
/// The published binary next to Debian's ipvsadm on this machine, whatever its kernel offers:
/// without IPVS both must fail to initialize with the same words (after trying modprobe); with
/// it, both list the same table.
/// </summary>
public sealed class AdmHostTests
{
    [Theory]
    [InlineData("-Ln")]
    [InlineData("--bogus")]
    [InlineData("-L --timeout")]
    public void Start_OnThisMachine_SameAsDebianIpvsadm(string line)
    {
        var args = line.Split(' ');
        var expected = HostCommand.Run("ipvsadm", args);
        var actual = HostCommand.Run(TestPaths.IpvsBinary, ["adm", .. args]);
        Assert.Equal(expected, actual);
    }
}
