using Ipvs.Testing;

namespace Ipvs.KernelTests.Cli.Address;

/// <summary>Local addresses exist only with the FULLNAT extension; the lab's mainline kernel has none.</summary>
public sealed class CliAddressTests
{
    [Fact]
    public void EveryAddressCommand_OnAMainlineKernel_SaysSoInOneLineAndExitsOne()
    {
        KernelLab.Require();
        using var ns = new TestNamespace();
        ns.IpvsOk("service", "add", "tcp/198.18.0.1:80");
        const string Message = "ipvs: local addresses need a kernel with the FULLNAT extension; this kernel's IPVS has none (its generic netlink family lists no local-address commands)\n";

        foreach (var args in new[]
        {
            new[] { "address", "list", "tcp/198.18.0.1:80" },
            ["a", "a", "tcp/198.18.0.1:80", "--lip", "198.18.2.1,198.18.2.2"],
            ["laddr", "del", "--vip", "198.18.0.1", "--vport", "80", "--lip", "198.18.2.1"],
            ["local-address", "flush", "tcp/198.18.0.1:80", "--yes"],
        })
        {
            var result = ns.Ipvs(args);
            Assert.True(result.ExitCode == 1, result.ToString());
            Assert.Equal(Message, result.StandardError);
        }

        // Bad input is still a usage error, found before the kernel is asked.
        ns.Ipvs("address", "add", "tcp/198.18.0.1:80", "--lip", "nope").AssertFails(2, "--lip: 'nope' is not an IPv4 or IPv6 address");
        Assert.Equal("-A -t 198.18.0.1:80 -s wlc\n", ns.Ipvsadm("-Sn"));
    }

    [Fact]
    public void Version_ReportsTheKernelsIpvs()
    {
        KernelLab.Require();
        using var ns = new TestNamespace();

        var version = ns.IpvsJson("version");

        Assert.Equal("1.2.1", version.GetProperty("ipvs").GetProperty("version").GetString());
        Assert.False(version.GetProperty("ipvs").GetProperty("full_nat").GetBoolean());
        Assert.Matches(@"^ipvs \d+\.\d+\.\d+\nIP Virtual Server version 1\.2\.1 \(size=\d+\)\n$", ns.IpvsOk("--version"));
        Assert.Equal(ns.IpvsOk("-v"), ns.IpvsOk("version"));
    }
}
