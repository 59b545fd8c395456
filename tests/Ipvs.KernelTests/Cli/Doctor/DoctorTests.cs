using System.Text.Json;
using Ipvs.KernelTests.Care;
using Ipvs.KernelTests.State;
using Ipvs.Testing;

namespace Ipvs.KernelTests.Cli.Doctor;

/// <summary>
/// <c>ipvs doctor</c> against the lab kernel: each check with its fault present, then absent, in
/// a namespace of its own (its sysctls, addresses and IPVS table are the namespace's). The faults
/// a 6.1 kernel cannot show are host tests (DoctorChecksTests): no IPVS, conn_reuse_mode before 5.9,
/// a small connection table (a module parameter), a real server of another family without a
/// tunnel (the kernel refuses it).
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

    /// <summary>An <c>ipvs care</c> daemon keeping tcp/VIP:PORT (no health checks), once its rules are in.</summary>
    private static BackgroundProcess StartCare(TestNamespace ns, int port = 80) => StartDaemon(ns, TestPaths.IpvsBinary, "care", port);

    /// <summary>The same through the binary's sealctl link: <c>sealctl ipvs</c>, as lvscare users run it.</summary>
    private static BackgroundProcess StartSealctl(TestNamespace ns) => StartDaemon(ns, TestPaths.SealctlLink, "ipvs", 80);

    private static BackgroundProcess StartDaemon(TestNamespace ns, string binary, string verb, int port)
    {
        var daemon = BackgroundProcess.Start("ip", ["netns", "exec", ns.Name, binary, verb, "--vs", $"{Vip}:{port}", "--rs", $"198.18.10.2:{port}", "--health-type", "none", "--mode", ""]);
        try
        {
            daemon.WaitForLine(l => l.Contains("care started", StringComparison.Ordinal) || l.Contains("rules created", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
            return daemon;
        }
        catch
        {
            daemon.Dispose();
            throw;
        }
    }

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
            Assert.True(Has(findings, "error", "kernel.module"), "nor an ip_vs_twos module in /lib/modules");

            File.WriteAllText(file, $"version: 1\nservices:\n  - service: tcp/{Vip}:80\n    scheduler: rr\n    servers: [198.18.10.2:80]\n");
            findings = Doctor(ns, "-f", file).Findings;
            Assert.False(Has(findings, "error", "kernel.feature"));
            Assert.False(Has(findings, "error", "kernel.module"));
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
        using var first = StartCare(ns);

        var (_, findings) = Doctor(ns);
        Assert.True(Has(findings, "info", "managers"));
        Assert.False(Has(findings, "error", "managers.conflict"));

        using var second = StartCare(ns);
        Assert.True(Has(Doctor(ns).Findings, "error", "managers.conflict"));
    }

    [Fact]
    public void AServiceWithoutRealServers_IsAnError_UntilOneIsAdded()
    {
        using var ns = Director();
        ns.IpvsOk("service", "add", $"tcp/{Vip}:80");

        var (exit, findings) = Doctor(ns);
        Assert.Equal(1, exit);
        Assert.True(Has(findings, "error", "service.servers"));

        ns.IpvsOk("server", "add", $"tcp/{Vip}:80", "198.18.10.2:80", "--fwd", "masq");
        Assert.False(Has(Doctor(ns).Findings, "error", "service.servers"));
    }

    [Fact]
    public void UntrackedNatConnections_AreANote_UntilConntrackIsOn()
    {
        using var ns = Director();
        ns.IpvsOk("service", "add", $"tcp/{Vip}:80");
        ns.IpvsOk("server", "add", $"tcp/{Vip}:80", "198.18.10.2:80", "--fwd", "masq");
        Sysctl(ns, "net.ipv4.vs.conntrack=0");

        Assert.True(Has(Doctor(ns).Findings, "info", "sysctl.conntrack"));

        Sysctl(ns, "net.ipv4.vs.conntrack=1");
        Assert.False(Has(Doctor(ns).Findings, "info", "sysctl.conntrack"));
    }

    [Fact]
    public void ExpireNodestConnOff_IsANote_UntilOn()
    {
        using var ns = Director();
        ns.IpvsOk("service", "add", $"tcp/{Vip}:80");
        Sysctl(ns, "net.ipv4.vs.expire_nodest_conn=0");

        Assert.True(Has(Doctor(ns).Findings, "info", "sysctl.expire_nodest_conn"));

        Sysctl(ns, "net.ipv4.vs.expire_nodest_conn=1");
        Assert.False(Has(Doctor(ns).Findings, "info", "sysctl.expire_nodest_conn"));
    }

    [Fact]
    public async Task EveryServerAtItsUpperThreshold_IsAnError_UntilRaised()
    {
        KernelLab.Require();
        using var net = new NatTopology();
        var service = $"tcp/{NatTopology.Vip}:80";
        net.Director.IpvsOk("service", "add", service, "-s", "rr");
        net.Director.IpvsOk("server", "add", service, $"{NatTopology.ServerA}:80", "--fwd", "masq", "-x", "1");
        var listener = net.Listen(80);
        Assert.False(Has(Doctor(net.Director).Findings, "error", "service.thresholds"), "no connection yet");

        await net.ConnectAsync(listener, 80);
        var (exit, findings) = Doctor(net.Director);
        Assert.Equal(1, exit);
        Assert.True(Has(findings, "error", "service.thresholds"));

        net.Director.IpvsOk("server", "update", service, $"{NatTopology.ServerA}:80", "-x", "10");
        Assert.False(Has(Doctor(net.Director).Findings, "error", "service.thresholds"));
    }

    [Fact]
    public async Task TemplatesPinningClientsToAServerOfWeightZero_AreAWarning()
    {
        KernelLab.Require();
        using var net = new NatTopology();
        var service = $"tcp/{NatTopology.Vip}:80";
        net.Director.IpvsOk("service", "add", service, "-s", "rr", "--timeout", "300");
        net.Director.IpvsOk("server", "add", service, $"{NatTopology.ServerA}:80", "--fwd", "masq");
        net.Director.IpvsOk("server", "add", service, $"{NatTopology.ServerB}:80", "--fwd", "masq");
        Sysctl(net.Director, "net.ipv4.vs.expire_quiescent_template=0");
        var listener = net.Listen(80);
        var (_, server) = await net.ConnectAsync(listener, 80);
        var pinned = ((System.Net.IPEndPoint)server.LocalEndPoint!).Address;
        Assert.False(Has(Doctor(net.Director).Findings, "warning", "service.templates"), "the template's server still has weight");

        net.Director.IpvsOk("server", "update", service, $"{pinned}:80", "-w", "0");
        var (_, findings) = Doctor(net.Director);
        Assert.True(Has(findings, "warning", "service.templates"), net.Director.Exec("cat", "/proc/net/ip_vs_conn") + "\n" + string.Join("\n", findings));
        Assert.Contains(findings, f => f.Check == "service.templates" && f.Subject == service);
    }

    [Fact]
    public void KubeProxysLinkAndAnIpvsDaemonOnOneAddress_AreAConflict()
    {
        using var ns = Director();
        ns.IpvsOk("service", "add", $"tcp/{Vip}:80");
        ns.IpvsOk("server", "add", $"tcp/{Vip}:80", "198.18.10.2:80", "--fwd", "masq");
        Run(ns, "ip", "link", "add", "kube-ipvs0", "type", "dummy");
        Run(ns, "ip", "address", "add", Vip + "/32", "dev", "kube-ipvs0");

        var (_, findings) = Doctor(ns);
        Assert.Contains(findings, f => f is { Severity: "info", Check: "managers", Subject: "kube-proxy (IPVS mode)" });
        Assert.False(Has(findings, "error", "managers.conflict"), "kube-proxy alone");

        using var care = StartCare(ns);
        Assert.True(Has(Doctor(ns).Findings, "error", "managers.conflict"));
    }

    [Fact]
    public void KubeProxysIpsets_ClaimTheirServices_OnePortNotAnother()
    {
        using var ns = Director();
        foreach (var port in new[] { "80", "81" })
        {
            ns.IpvsOk("service", "add", $"tcp/{Vip}:{port}");
            ns.IpvsOk("server", "add", $"tcp/{Vip}:{port}", $"198.18.10.2:{port}", "--fwd", "masq");
        }

        Assert.DoesNotContain(Doctor(ns).Findings, f => f.Subject == "kube-proxy (IPVS mode)");

        // What kube-proxy in IPVS mode leaves in a namespace: its ipsets (Debian's ipset, installed by lab/install-deps).
        Run(ns, "ipset", "create", "KUBE-CLUSTER-IP", "hash:ip,port");
        Run(ns, "ipset", "add", "KUBE-CLUSTER-IP", $"{Vip},tcp:80");
        var (_, findings) = Doctor(ns);
        Assert.Contains(findings, f => f is { Severity: "info", Check: "managers", Subject: "kube-proxy (IPVS mode)" });

        using var care = StartCare(ns, 81);
        Assert.False(Has(Doctor(ns).Findings, "error", "managers.conflict"), "kube-proxy has :80, ipvs care :81");

        Run(ns, "ipset", "add", "KUBE-CLUSTER-IP", $"{Vip},tcp:81");
        findings = Doctor(ns).Findings;
        Assert.Contains(findings, f => f is { Severity: "error", Check: "managers.conflict", Subject: "tcp/198.18.9.1:81" });
        Assert.DoesNotContain(findings, f => f.Check == "managers.conflict" && f.Subject == "tcp/198.18.9.1:80");
    }

    [Fact]
    public void SealctlIpvs_IsAManager_AndBesideIpvsCareAConflict()
    {
        using var ns = Director();
        var (_, findings) = Doctor(ns);
        Assert.DoesNotContain(findings, f => f.Check == "managers");

        using var sealctl = StartSealctl(ns);
        findings = Doctor(ns).Findings;
        Assert.Contains(findings, f => f is { Severity: "info", Check: "managers", Subject: "sealctl" });
        Assert.False(Has(findings, "error", "managers.conflict"));

        using var care = StartCare(ns);
        Assert.True(Has(Doctor(ns).Findings, "error", "managers.conflict"));
    }

    [Fact]
    public void KeepalivedIsOneManager_AndAnIpvsDaemonOnItsServiceIsAConflict()
    {
        using var ns = Director();
        var work = Directory.CreateTempSubdirectory("ipvs-doctor-keepalived-");
        try
        {
            var conf = Path.Combine(work.FullName, "keepalived.conf");
            File.WriteAllText(conf, $"virtual_server {Vip} 80 {{\n    delay_loop 60\n    lvs_sched rr\n    lvs_method NAT\n    protocol TCP\n    real_server 198.18.10.2 80 {{\n        weight 1\n    }}\n}}\n");

            // The real keepalived, checkers only: its parent and its checker child, one command line.
            using var keepalived = BackgroundProcess.Start("ip", ["netns", "exec", ns.Name, "keepalived", "-n", "-l", "-D", "-C", "-f", conf,
                "-p", Path.Combine(work.FullName, "keepalived.pid"), "-c", Path.Combine(work.FullName, "checkers.pid"), "-r", Path.Combine(work.FullName, "vrrp.pid")]);
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (!ns.Ipvsadm("-Ln").Contains(Vip + ":80", StringComparison.Ordinal))
            {
                Assert.True(DateTime.UtcNow < deadline, "keepalived did not add its virtual server in 30 s:\n" + keepalived.Tail(20));
                Thread.Sleep(200);
            }

            var (_, findings) = Doctor(ns);
            Assert.Single(findings, f => f is { Check: "managers", Subject: "keepalived" });
            Assert.False(Has(findings, "error", "managers.conflict"), "keepalived alone (its checker child is not a second manager)");

            using var care = StartCare(ns);
            Assert.True(Has(Doctor(ns).Findings, "error", "managers.conflict"));
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    [Fact]
    public void AKeepalivedConfiguration_IsCheckedAgainstTheKernel()
    {
        using var ns = Director();
        var file = Path.Combine(Path.GetTempPath(), $"ipvs-doctor-{Guid.NewGuid():N}.conf");
        try
        {
            File.WriteAllText(file, $"virtual_server {Vip} 80 {{\n    lvs_sched twos\n    protocol TCP\n    real_server 198.18.10.2 80 {{\n        TCP_CHECK {{\n        }}\n    }}\n}}\n");
            var (exit, findings) = Doctor(ns, "-f", file);
            Assert.Equal(1, exit);
            Assert.True(Has(findings, "error", "kernel.feature"), "Linux 6.1 has no twos scheduler (6.2)");

            File.WriteAllText(file, $"virtual_server {Vip} 80 {{\n    lvs_sched rr\n    protocol TCP\n    real_server 198.18.10.2 80 {{\n        TCP_CHECK {{\n        }}\n    }}\n}}\n");
            Assert.False(Has(Doctor(ns, "-f", file).Findings, "error", "kernel.feature"));

            File.WriteAllText(file, $"virtual_server {Vip} 80 {{\n    lvs_shed rr\n}}\n");
            var bad = ns.Ipvs("doctor", "-f", file);
            Assert.NotEqual(0, bad.ExitCode);
            Assert.Contains(file + ":2:", bad.StandardError, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
