using System.Net;
using Ipvs.Cli.Doctor;
using Ipvs.Model;

namespace Ipvs.Tests.Cli.Doctor;

/// <summary>Each check with its fault present and absent, on facts given by hand (the lab tests run them against a kernel).</summary>
public sealed class DoctorChecksTests
{
    private static readonly VirtualServiceKey s_web = VirtualServiceKey.Tcp(IPAddress.Parse("198.18.9.1"), 80);

    private static DoctorFacts Healthy(params ServiceFacts[] services) => new()
    {
        KernelRelease = "6.1.0-26-amd64",
        Ipvs = (new Version(1, 2, 1), 4096),
        Services = services,
        Modules = new HashSet<string> { "ip_vs", "ip_vs_rr", "ip_vs_wlc", "nf_conntrack" },
        Sysctls = new Dictionary<string, string>
        {
            ["net.ipv4.ip_forward"] = "1", ["net.ipv4.vs.conntrack"] = "0", ["net.ipv4.vs.conn_reuse_mode"] = "1",
            ["net.ipv4.vs.expire_nodest_conn"] = "1", ["net.ipv4.vs.expire_quiescent_template"] = "1",
            ["net.ipv4.conf.all.arp_ignore"] = "0", ["net.ipv4.conf.all.arp_announce"] = "0", ["net.ipv4.conf.all.rp_filter"] = "0",
        },
        Routes = new Dictionary<IPAddress, RouteKind>
        {
            [IPAddress.Parse("198.18.9.1")] = RouteKind.Local,
            [IPAddress.Parse("198.18.9.2")] = RouteKind.Connected,
            [IPAddress.Parse("198.18.10.2")] = RouteKind.Gateway,
        },
    };

    private static ServiceFacts Web(params RealServer[] servers) => new(new VirtualService(s_web) { Scheduler = "rr" }, servers);

    private static RealServer Server(string address, int weight = 1, ForwardingMethod method = ForwardingMethod.Masquerade) =>
        new(IPAddress.Parse(address), 80) { Weight = weight, ForwardingMethod = method };

    private static List<Finding> Problems(DoctorFacts facts) => DoctorChecks.Run(facts).Where(f => f.Severity is Severity.Warning or Severity.Error).ToList();

    [Fact]
    public void AHealthyDirector_HasNoWarningOrError()
    {
        Assert.Empty(Problems(Healthy(Web(Server("198.18.9.2")))));
    }

    [Fact]
    public void NoIpvs_IsAnErrorAndStopsTheChecks()
    {
        var findings = DoctorChecks.Run(Healthy() with { Ipvs = null, IpvsError = "no IPVS generic netlink family" });

        var finding = Assert.Single(findings);
        Assert.Equal((Severity.Error, "ipvs.available", "modprobe ip_vs"), (finding.Severity, finding.Check, finding.Fix));
    }

    [Fact]
    public void IpForwardOff_IsAnErrorOnlyWithNatServices()
    {
        var off = new Dictionary<string, string>(Healthy().Sysctls) { ["net.ipv4.ip_forward"] = "0" };

        var nat = Problems(Healthy(Web(Server("198.18.9.2"))) with { Sysctls = off });
        var dr = Problems(Healthy(Web(Server("198.18.9.2", method: ForwardingMethod.DirectRoute))) with { Sysctls = off });

        Assert.Contains(nat, f => f is { Check: "sysctl.ip_forward", Severity: Severity.Error, Fix: "sysctl -w net.ipv4.ip_forward=1" });
        Assert.DoesNotContain(dr, f => f.Check == "sysctl.ip_forward");
    }

    [Fact]
    public void AllWeightsZero_IsAnError()
    {
        Assert.Contains(Problems(Healthy(Web(Server("198.18.9.2", weight: 0)))), f => f is { Check: "service.weights", Severity: Severity.Error });
        Assert.DoesNotContain(Problems(Healthy(Web(Server("198.18.9.2", weight: 0), Server("198.18.10.2")))), f => f.Check == "service.weights");
    }

    [Fact]
    public void EveryServerAtItsUpperThreshold_IsAnError()
    {
        var full = Server("198.18.9.2") with { UpperThreshold = 10, ActiveConnections = 7, InactiveConnections = 3 };
        var room = full with { ActiveConnections = 2 };

        Assert.Contains(Problems(Healthy(Web(full))), f => f is { Check: "service.thresholds", Severity: Severity.Error });
        Assert.DoesNotContain(Problems(Healthy(Web(room))), f => f.Check == "service.thresholds");
    }

    [Fact]
    public void DirectRoutingToAServerBehindAGateway_IsAnError()
    {
        Assert.Contains(Problems(Healthy(Web(Server("198.18.10.2", method: ForwardingMethod.DirectRoute)))), f => f is { Check: "server.route", Severity: Severity.Error });
        Assert.DoesNotContain(Problems(Healthy(Web(Server("198.18.10.2")))), f => f.Check == "server.route");
        Assert.DoesNotContain(Problems(Healthy(Web(Server("198.18.9.2", method: ForwardingMethod.DirectRoute)))), f => f.Check == "server.route");
    }

    [Fact]
    public void AServerOfAnotherFamily_NeedsATunnel()
    {
        var v6 = new RealServer(IPAddress.Parse("2001:db8::2"), 80);

        Assert.Contains(Problems(Healthy(Web(v6))), f => f is { Check: "server.family", Severity: Severity.Error });
        Assert.DoesNotContain(Problems(Healthy(Web(v6 with { ForwardingMethod = ForwardingMethod.Tunnel })) with
        {
            Routes = new Dictionary<IPAddress, RouteKind>(Healthy().Routes) { [v6.Address] = RouteKind.Gateway },
        }), f => f.Check is "server.family" or "server.route");
    }

    [Fact]
    public void AVirtualAddressNotOnThisHost_IsAWarning()
    {
        var routes = new Dictionary<IPAddress, RouteKind>(Healthy().Routes) { [IPAddress.Parse("198.18.9.1")] = RouteKind.Connected };

        Assert.Contains(Problems(Healthy(Web(Server("198.18.9.2"))) with { Routes = routes }), f => f is { Check: "service.address", Severity: Severity.Warning });
    }

    [Fact]
    public void PersistenceWithoutExpireQuiescentTemplate_AndTemplatesPinnedToWeightZero_AreWarnings()
    {
        var persistent = new ServiceFacts(new VirtualService(s_web) { Flags = ServiceFlags.Persistent }, [Server("198.18.9.2", weight: 0), Server("198.18.10.2")]);
        var sysctls = new Dictionary<string, string>(Healthy().Sysctls) { ["net.ipv4.vs.expire_quiescent_template"] = "0" };
        var template = new IpvsConnection
        {
            Protocol = "TCP", ClientAddress = IPAddress.Parse("198.18.50.1"), ClientPort = 0, VirtualAddress = IPAddress.Parse("198.18.9.1"), VirtualPort = 80,
            DestinationAddress = IPAddress.Parse("198.18.9.2"), DestinationPort = 80, State = "NONE", Expires = TimeSpan.FromSeconds(300),
        };

        var problems = Problems(Healthy(persistent) with { Sysctls = sysctls, Templates = [template] });

        Assert.Contains(problems, f => f.Check == "sysctl.expire_quiescent_template");
        Assert.Contains(problems, f => f is { Check: "service.templates", Evidence: "1 template(s) to 198.18.9.2" });
        Assert.DoesNotContain(Problems(Healthy(persistent)), f => f.Check is "sysctl.expire_quiescent_template" or "service.templates");
    }

    [Fact]
    public void ConnReuseModeWithConntrack_IsAWarningOnlyBefore59()
    {
        var sysctls = new Dictionary<string, string>(Healthy().Sysctls) { ["net.ipv4.vs.conntrack"] = "1" };

        Assert.Contains(Problems(Healthy(Web(Server("198.18.9.2"))) with { Sysctls = sysctls, KernelRelease = "5.4.0-150-generic" }), f => f.Check == "sysctl.conn_reuse_mode");
        Assert.DoesNotContain(Problems(Healthy(Web(Server("198.18.9.2"))) with { Sysctls = sysctls }), f => f.Check == "sysctl.conn_reuse_mode");
    }

    [Fact]
    public void FeaturesTheKernelLacks_AreErrors()
    {
        var twos = new ServiceFacts(new VirtualService(s_web) { Scheduler = "twos" }, [Server("198.18.9.2")]);
        var gre = Web(Server("198.18.10.2", method: ForwardingMethod.Tunnel) with { TunnelType = TunnelType.Gre });

        Assert.Contains(Problems(Healthy() with { Configured = [twos] }), f => f is { Check: "kernel.feature", Severity: Severity.Error } && f.Message.Contains("6.2", StringComparison.Ordinal));
        Assert.DoesNotContain(Problems(Healthy() with { Configured = [twos], KernelRelease = "6.8.0" }), f => f.Check == "kernel.feature");
        Assert.Contains(Problems(Healthy(gre) with { KernelRelease = "5.2.0" }), f => f.Check == "kernel.feature" && f.Message.Contains("GRE", StringComparison.Ordinal));
    }

    [Fact]
    public void AModuleTheKernelCannotLoad_IsAnError_OneNotLoadedYetIsANote()
    {
        var sip = new ServiceFacts(new VirtualService(VirtualServiceKey.Udp(IPAddress.Parse("198.18.9.1"), 5060)) { Scheduler = "rr", PersistenceEngine = "sip", Flags = ServiceFlags.Persistent }, [Server("198.18.9.2")]);
        var loadable = new HashSet<string> { "ip_vs", "ip_vs_rr", "ip_vs_pe_sip" };

        var missing = DoctorChecks.Run(Healthy() with { Configured = [sip], Loadable = new HashSet<string> { "ip_vs", "ip_vs_rr" } });
        var unloaded = DoctorChecks.Run(Healthy() with { Configured = [sip], Loadable = loadable });
        var unknown = DoctorChecks.Run(Healthy() with { Configured = [sip], Loadable = null });
        var loaded = DoctorChecks.Run(Healthy() with { Configured = [sip], Loadable = loadable, Modules = new HashSet<string>(Healthy().Modules) { "ip_vs_pe_sip" } });

        Assert.Contains(missing, f => f is { Check: "kernel.module", Severity: Severity.Error } && f.Fix!.Contains("CONFIG_IP_VS_PE_SIP", StringComparison.Ordinal));
        Assert.Contains(unloaded, f => f is { Check: "kernel.module", Severity: Severity.Info, Fix: "modprobe ip_vs_pe_sip" });
        Assert.Contains(unknown, f => f is { Check: "kernel.module", Severity: Severity.Info });
        Assert.DoesNotContain(loaded, f => f.Check == "kernel.module");
    }

    [Fact]
    public void ADrRealServerAnsweringArpForItsVip_IsAnError()
    {
        var vipOnLo = new HostAddress(IPAddress.Parse("198.18.20.1"), 32, "lo");
        var fixedArp = new Dictionary<string, string>(Healthy().Sysctls) { ["net.ipv4.conf.all.arp_ignore"] = "1", ["net.ipv4.conf.all.arp_announce"] = "2" };

        Assert.Contains(Problems(Healthy() with { Addresses = [vipOnLo] }), f => f is { Check: "sysctl.arp", Severity: Severity.Error });
        Assert.DoesNotContain(Problems(Healthy() with { Addresses = [vipOnLo], Sysctls = fixedArp }), f => f.Check == "sysctl.arp");
        // A VIP on lo that a service of this host serves makes it a director, not a real server.
        var served = new ServiceFacts(new VirtualService(VirtualServiceKey.Tcp(vipOnLo.Address, 80)), [Server("198.18.9.2")]);
        Assert.DoesNotContain(Problems(Healthy(served) with { Addresses = [vipOnLo] }), f => f.Check == "sysctl.arp");
    }

    [Fact]
    public void StrictRpFilterOnATunnelRealServer_IsAnError()
    {
        var facts = Healthy() with
        {
            Addresses = [new HostAddress(IPAddress.Parse("198.18.20.1"), 32, "tunl0")],
            Links = new HashSet<string> { "tunl0" },
            Sysctls = new Dictionary<string, string>(Healthy().Sysctls) { ["net.ipv4.conf.all.arp_ignore"] = "1", ["net.ipv4.conf.all.arp_announce"] = "2", ["net.ipv4.conf.all.rp_filter"] = "1" },
        };

        Assert.Contains(Problems(facts), f => f is { Check: "sysctl.rp_filter", Severity: Severity.Error });
        Assert.DoesNotContain(Problems(facts with { Sysctls = new Dictionary<string, string>(facts.Sysctls) { ["net.ipv4.conf.all.rp_filter"] = "2" } }), f => f.Check == "sysctl.rp_filter");
    }

    [Fact]
    public void TwoManagersClaimingOneService_IsAnError()
    {
        var care = new TableManager("ipvs care", 100, "ipvs care --vs 198.18.9.1:80", ["198.18.9.1:80"]);
        var keepalived = new TableManager("keepalived", 200, "keepalived", ["198.18.9.1:80"]);
        var kubeProxy = new TableManager("kube-proxy (IPVS mode)", 300, "link kube-ipvs0", ["198.18.30.1"]);

        Assert.Contains(Problems(Healthy(Web(Server("198.18.9.2"))) with { Managers = [care, keepalived] }), f => f is { Check: "managers.conflict", Severity: Severity.Error });
        Assert.DoesNotContain(Problems(Healthy(Web(Server("198.18.9.2"))) with { Managers = [care, kubeProxy] }), f => f.Check == "managers.conflict");
    }

    [Fact]
    public void ClaimsFromFiles_NameServicesByKey_FirewallMarksIncluded()
    {
        var marked = new ServiceFacts(new VirtualService(VirtualServiceKey.ForFirewallMark(7)), [Server("198.18.9.2")]);
        var care = new TableManager("ipvs care", 100, "ipvs care -f care.yaml", [s_web.ToString(), marked.Service.Key.ToString()]);
        var keepalived = new TableManager("keepalived", 200, "keepalived", [marked.Service.Key.ToString()]);

        var conflicts = Problems(Healthy(Web(Server("198.18.9.2")), marked) with { Managers = [care, keepalived] }).Where(f => f.Check == "managers.conflict").ToList();

        Assert.Equal(marked.Service.Key.ToString(), Assert.Single(conflicts).Subject);
        Assert.Contains("(pid 100) and keepalived (pid 200)", conflicts[0].Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public void OnlyOneService_KeepsTheHostFindingsAndDropsTheOthers()
    {
        var other = new ServiceFacts(new VirtualService(VirtualServiceKey.Tcp(IPAddress.Parse("198.18.9.1"), 81)), [Server("198.18.9.2", weight: 0)]);

        var findings = DoctorChecks.Run(Healthy(Web(Server("198.18.9.2")), other), s_web);

        Assert.DoesNotContain(findings, f => f.Subject.Contains(":81", StringComparison.Ordinal));
        Assert.Contains(findings, f => f.Check == "ipvs.available");
    }
}
