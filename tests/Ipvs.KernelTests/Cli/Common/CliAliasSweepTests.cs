using Ipvs.Testing;

namespace Ipvs.KernelTests.Cli.Common;

/// <summary>
/// The ipvsctl aliases the other lab tests do not already use, once each, from the native binary
/// (every alias is also checked in-process on the host, CommandTreeTests).
/// </summary>
public sealed class CliAliasSweepTests
{
    [Fact]
    public void RemainingIpvsctlAliases_WorkFromTheBinary()
    {
        KernelLab.Require();
        using var ns = new TestNamespace();
        ns.IpvsOk("s", "a", "tcp/198.18.0.1:80");
        ns.IpvsOk("ser", "a", "tcp/198.18.0.1:80", "198.18.1.1:80", "--fwd", "masq");

        foreach (var words in new[]
        {
            "s ls", "svc l", "vs list", "s g tcp/198.18.0.1:80", "s fetch tcp/198.18.0.1:80", "s one tcp/198.18.0.1:80",
            "s c tcp/198.18.0.1:80", "s str tcp/198.18.0.1:80", "s s tcp/198.18.0.1:80", "s z tcp/198.18.0.1:80", "s u tcp/198.18.0.1:80 -s rr",
            "d l", "rs ls tcp/198.18.0.1:80", "d up tcp/198.18.0.1:80 198.18.1.1 -w 2", "dm ls", "daemon get", "t ls", "c show",
            "h", "s h a",
        })
        {
            ns.IpvsOk(words.Split(' '));
        }

        foreach (var words in new[] { "addr ls tcp/198.18.0.1:80", "la l tcp/198.18.0.1:80" })
        {
            ns.Ipvs(words.Split(' ')).AssertFails(1, "local addresses need a kernel with the FULLNAT extension");
        }

        Assert.Equal("-A -t 198.18.0.1:80 -s rr\n-a -t 198.18.0.1:80 -r 198.18.1.1:80 -m -w 2\n", ns.Ipvsadm("-Sn"));
        ns.IpvsOk("s", "delete", "-y", "tcp/198.18.0.1:80");
        ns.IpvsOk("s", "a", "--vip", "198.18.0.2", "--vport", "80");
        ns.IpvsOk("s", "f", "--force");
        Assert.Empty(ns.Ipvsadm("-Sn"));
    }
}
