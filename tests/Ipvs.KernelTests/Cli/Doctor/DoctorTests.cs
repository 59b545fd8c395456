using System.Text.Json;
using Ipvs.KernelTests.Care;
using Ipvs.Testing;

namespace Ipvs.KernelTests.Cli.Doctor;

/// <summary>
/// <c>ipvs doctor</c> against the lab kernel: each check with its fault present, then absent, in
/// a namespace of its own (its sysctls, addresses and IPVS table are the namespace's). The faults
/// a 6.1 kernel cannot show (no IPVS, conn_reuse_mode before 5.9) are host tests (DoctorChecksTests).
/// </summary>
public sealed class DoctorTests
{
    private const string Vip = "198.18.9.1";

    /// <summary>A director: the VIP on lo, a link to the real servers' network, forwarding on.</summary>
    private static TestNamespace Director()
    {
        KernelLab.Require();
        var ns = new TestNamespace();
        Run(ns, "ip", "link", "set", "lo", "up");
        Run(ns, "ip", "address", "add", Vip + "/32", "dev", "lo");
        Run(ns, "ip", "link", "add", "eth0", "type", "dummy");
        Run(ns, "ip", "address", "add", "198.18.10.1/24", "dev", "eth0");
        Run(ns, "ip", "link", "set", "eth0", "up");
        Sysctl(ns, "net.ipv4.ip_forward=1");
        return ns;
    }

    private static void Run(TestNamespace ns, string program, params string[] arguments)
    {
        var result = ns.Exec(program, arguments);
        Assert.True(result.ExitCode == 0, $"{program} {string.Join(' ', arguments)}: {result}");
    }

    private static void Sysctl(TestNamespace ns, params string[] settings) => Run(ns, "sysctl", ["-qw", .. settings]);

    private static (int ExitCode, List<(string Severity, string Check, string Subject)> Findings) Doctor(TestNamespace ns, params string[] arguments)
    {
        var result = ns.Ipvs(["doctor", .. arguments, "-o", "json"]);
        Assert.True(result.ExitCode is 0 or 1, result.ToString());
        using var document = JsonDocument.Parse(result.StandardOutput);
        var findings = document.RootElement.GetProperty("findings").EnumerateArray()
            .Select(f => (f.GetProperty("severity").GetString()!, f.GetProperty("check").GetString()!, f.GetProperty("subject").GetString()!))
            .ToList();
        return (result.ExitCode, findings);
    }

    private static bool Has(List<(string Severity, string Check, string Subject)> findings, string severity, string check) =>
        findings.Any(f => f.Severity == severity && f.Check == check);

    [Fact]
    public void AHealthyDirector_ExitsZeroWithNoErrorOrWarning()
    {
        using var ns = Director();
        ns.IpvsOk("service", "add", $"tcp/{Vip}:80", "-s", "rr");
        ns.IpvsOk("server", "add", $"tcp/{Vip}:80", "198.18.10.2:80", "--fwd", "masq");

        var (exit, findings) = Doctor(ns);

        Assert.Equal(0, exit);
        Assert.DoesNotContain(findings, f => f.Severity is "error" or "warning");
        Assert.True(Has(findings, "ok", "ipvs.available") && Has(findings, "ok", "sysctl.ip_forward") && Has(findings, "ok", "service.address"));
    }

    [Fact]
    public void IpForwardOff_WithNat_IsAnError_UntilTurnedOn()
    {
        using var ns = Director();
        ns.IpvsOk("service", "add", $"tcp/{Vip}:80");
        ns.IpvsOk("server", "add", $"tcp/{Vip}:80", "198.18.10.2:80", "--fwd", "masq");
        Sysctl(ns, "net.ipv4.ip_forward=0");

        var (exit, findings) = Doctor(ns);
        Assert.Equal(1, exit);
        Assert.True(Has(findings, "error", "sysctl.ip_forward"));

        Sysctl(ns, "net.ipv4.ip_forward=1");
        (exit, findings) = Doctor(ns);
        Assert.Equal(0, exit);
        Assert.True(Has(findings, "ok", "sysctl.ip_forward"));
    }

    [Fact]
    public void EveryWeightZero_IsAnError_UntilOneServerHasWeight()
    {
        using var ns = Director();
        ns.IpvsOk("service", "add", $"tcp/{Vip}:80");
        ns.IpvsOk("server", "add", $"tcp/{Vip}:80", "198.18.10.2:80", "--fwd", "masq", "-w", "0");

        Assert.True(Has(Doctor(ns, "--vs", $"tcp/{Vip}:80").Findings, "error", "service.weights"));

        ns.IpvsOk("server", "update", $"tcp/{Vip}:80", "198.18.10.2:80", "--fwd", "masq", "-w", "1");
        Assert.False(Has(Doctor(ns, "--vs", $"tcp/{Vip}:80").Findings, "error", "service.weights"));
    }

    [Fact]
    public void DirectRoutingThroughAGateway_IsAnError_NatThroughItIsNot()
    {
        using var ns = Director();
        Run(ns, "ip", "route", "add", "198.18.60.0/24", "via", "198.18.10.254");
        ns.IpvsOk("service", "add", $"tcp/{Vip}:80");
        ns.IpvsOk("server", "add", $"tcp/{Vip}:80", "198.18.60.2:80", "--fwd", "dr");

        Assert.True(Has(Doctor(ns).Findings, "error", "server.route"));

        ns.IpvsOk("server", "update", $"tcp/{Vip}:80", "198.18.60.2:80", "--fwd", "masq");
        Assert.False(Has(Doctor(ns).Findings, "error", "server.route"));
    }

    [Fact]
    public void AVirtualAddressNotOnThisHost_IsAWarning_UntilAdded()
    {
        using var ns = Director();
        ns.IpvsOk("service", "add", "tcp/198.18.10.50:80");
        ns.IpvsOk("server", "add", "tcp/198.18.10.50:80", "198.18.10.2:80", "--fwd", "masq");

        Assert.True(Has(Doctor(ns).Findings, "warning", "service.address"));

        Run(ns, "ip", "address", "add", "198.18.10.50/32", "dev", "lo");
        Assert.True(Has(Doctor(ns).Findings, "ok", "service.address"));
    }

    [Fact]
    public void PersistenceWithoutExpireQuiescentTemplate_IsAWarning_UntilSet()
    {
        using var ns = Director();
        ns.IpvsOk("service", "add", $"tcp/{Vip}:443", "--timeout", "300");
        ns.IpvsOk("server", "add", $"tcp/{Vip}:443", "198.18.10.2:443", "--fwd", "masq");
        Sysctl(ns, "net.ipv4.vs.expire_quiescent_template=0");

        Assert.True(Has(Doctor(ns).Findings, "warning", "sysctl.expire_quiescent_template"));

        Sysctl(ns, "net.ipv4.vs.expire_quiescent_template=1");
        Assert.False(Has(Doctor(ns).Findings, "warning", "sysctl.expire_quiescent_template"));
    }

    [Fact]
    public void ADrRealServerAnsweringArp_IsAnError_UntilArpIgnoreAndAnnounce()
    {
        KernelLab.Require();
        using var ns = new TestNamespace();
        Run(ns, "ip", "link", "set", "lo", "up");
        Run(ns, "ip", "address", "add", "198.18.20.1/32", "dev", "lo");
        Sysctl(ns, "net.ipv4.conf.all.arp_ignore=0", "net.ipv4.conf.all.arp_announce=0");

        var (exit, findings) = Doctor(ns);
        Assert.Equal(1, exit);
        Assert.True(Has(findings, "error", "sysctl.arp"));

        Sysctl(ns, "net.ipv4.conf.all.arp_ignore=1", "net.ipv4.conf.all.arp_announce=2");
        Assert.True(Has(Doctor(ns).Findings, "ok", "sysctl.arp"));
    }

    [Fact]
    public void StrictRpFilterOnATunnelRealServer_IsAnError_UntilLoose()
    {
        KernelLab.Require();
        using var ns = new TestNamespace();
        Run(ns, "ip", "link", "set", "lo", "up");
        Run(ns, "ip", "link", "set", "tunl0", "up"); // ipip's fallback device, in every namespace once ipip is loaded
        Run(ns, "ip", "address", "add", "198.18.21.1/32", "dev", "tunl0");
        Sysctl(ns, "net.ipv4.conf.all.arp_ignore=1", "net.ipv4.conf.all.arp_announce=2", "net.ipv4.conf.all.rp_filter=1");

        Assert.True(Has(Doctor(ns).Findings, "error", "sysctl.rp_filter"));

        Sysctl(ns, "net.ipv4.conf.all.rp_filter=2", "net.ipv4.conf.tunl0.rp_filter=0");
        Assert.False(Has(Doctor(ns).Findings, "error", "sysctl.rp_filter"));
    }

    [Fact]
    public void AConfiguredSchedulerTheKernelLacks_IsAnError()
    {
        using var ns = Director();
        var file = Path.Combine(Path.GetTempPath(), $"ipvs-doctor-{Guid.NewGuid():N}.yaml");
        try
        {
            File.WriteAllText(file, $"version: 1\nservices:\n  - service: tcp/{Vip}:80\n    scheduler: twos\n    servers: [198.18.10.2:80]\n");
            var (exit, findings) = Doctor(ns, "-f", file);
            Assert.Equal(1, exit);
            Assert.True(Has(findings, "error", "kernel.feature"), "Linux 6.1 has no twos scheduler (6.2)");

            File.WriteAllText(file, $"version: 1\nservices:\n  - service: tcp/{Vip}:80\n    scheduler: rr\n    servers: [198.18.10.2:80]\n");
            Assert.False(Has(Doctor(ns, "-f", file).Findings, "error", "kernel.feature"));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void TwoDaemonsKeepingOneService_AreAConflict_OneIsNot()
    {
        using var ns = Director();
        string[] care = ["netns", "exec", ns.Name, TestPaths.IpvsBinary, "care", "--vs", $"{Vip}:80", "--rs", "198.18.10.2:80", "--health-type", "none", "--mode", ""];
        using var first = BackgroundProcess.Start("ip", care);
        first.WaitForLine(l => l.Contains("care started", StringComparison.Ordinal) || l.Contains("rules created", StringComparison.Ordinal), TimeSpan.FromSeconds(30));

        var (_, findings) = Doctor(ns);
        Assert.True(Has(findings, "info", "managers"));
        Assert.False(Has(findings, "error", "managers.conflict"));

        using var second = BackgroundProcess.Start("ip", care);
        second.WaitForLine(l => l.Contains("care started", StringComparison.Ordinal) || l.Contains("rules created", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
        Assert.True(Has(Doctor(ns).Findings, "error", "managers.conflict"));
    }
}
