using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Ipvs.Model;

namespace Ipvs.Cli.Doctor;

/// <summary>
/// The checklist operators walk through by hand when a virtual address does not answer, as pure
/// functions of <see cref="DoctorFacts"/>. Each finding names its evidence and the command that
/// fixes it. The kernel facts behind the checks are in docs/doctor.md.
/// </summary>
internal static class DoctorChecks
{
    /// <summary>Kernel releases that brought what a configuration may need.</summary>
    private static readonly (string What, Version Since, Func<ServiceFacts, bool> Uses)[] s_features =
    [
        ("the twos scheduler", new Version(6, 2), s => s.Service.Scheduler == "twos"),
        ("the mh scheduler", new Version(4, 18), s => s.Service.Scheduler == "mh"),
        ("GUE tunnels", new Version(5, 2), s => s.Servers.Any(r => r.ForwardingMethod == ForwardingMethod.Tunnel && r.TunnelType == TunnelType.Gue)),
        ("GRE tunnels", new Version(5, 3), s => s.Servers.Any(r => r.ForwardingMethod == ForwardingMethod.Tunnel && r.TunnelType == TunnelType.Gre)),
    ];

    public static List<Finding> Run(DoctorFacts facts, VirtualServiceKey? only = null)
    {
        var findings = new List<Finding>();
        Ipvs(facts, findings);
        if (facts.Ipvs is null)
        {
            return findings;
        }

        var services = only is null ? facts.Services : facts.Services.Where(s => s.Service.Key == only).ToList();
        var configured = only is null ? facts.Configured : facts.Configured.Where(s => s.Service.Key == only).ToList();
        Features(facts, services.Concat(configured).ToList(), findings);
        Sysctls(facts, services, findings);
        RealServerHost(facts, findings);
        foreach (var service in services)
        {
            Service(facts, service, findings);
        }

        Managers(facts, services, findings);
        return findings;
    }

    private static void Ipvs(DoctorFacts facts, List<Finding> findings)
    {
        if (facts.Ipvs is not { } ipvs)
        {
            findings.Add(new(Severity.Error, "ipvs.available", "host", "IPVS is not available", facts.IpvsError ?? "no IPVS generic netlink family", "modprobe ip_vs"));
            return;
        }

        findings.Add(new(Severity.Ok, "ipvs.available", "host", $"IPVS {ipvs.Version.ToString(3)} on Linux {facts.KernelRelease}",
            $"connection table size {ipvs.TableSize.ToString(CultureInfo.InvariantCulture)}"));
        if (ipvs.TableSize < 4096)
        {
            findings.Add(new(Severity.Warning, "ipvs.table-size", "host", "the connection hash table is small: lookups slow down past a few thousand connections",
                $"size {ipvs.TableSize.ToString(CultureInfo.InvariantCulture)}", "echo 'options ip_vs conn_tab_bits=20' > /etc/modprobe.d/ip_vs.conf, then reload ip_vs"));
        }
    }

    private static void Features(DoctorFacts facts, List<ServiceFacts> services, List<Finding> findings)
    {
        var kernel = facts.KernelVersion;
        foreach (var (what, since, uses) in s_features)
        {
            var users = services.Where(uses).Select(s => s.Service.Key.ToString()).Distinct().ToList();
            if (users.Count > 0 && kernel is not null && kernel < since)
            {
                findings.Add(new(Severity.Error, "kernel.feature", string.Join(", ", users), $"{what} need Linux {since} or later; this kernel is {facts.KernelRelease}",
                    $"used by {string.Join(", ", users)}", $"upgrade the kernel to {since}+ or change the configuration"));
            }
        }

        var modules = services.Select(s => (Module: "ip_vs_" + s.Service.Scheduler, What: "scheduler", s.Service.Key))
            .Concat(services.Where(s => s.Service.PersistenceEngine is not null).Select(s => (Module: "ip_vs_pe_" + s.Service.PersistenceEngine, What: "persistence engine", s.Service.Key)));
        foreach (var group in modules.GroupBy(m => (m.Module, m.What)))
        {
            var (module, what) = group.Key;
            if (facts.Modules.Contains(module))
            {
                continue;
            }

            var users = string.Join(", ", group.Select(m => m.Key.ToString()).Distinct());
            findings.Add(facts.Loadable is { } loadable && !loadable.Contains(module)
                ? new(Severity.Error, "kernel.module", users, $"this kernel has no {what} module {module}: a service that names it cannot be added",
                    $"{module} is neither loaded, built in, nor in /lib/modules/{facts.KernelRelease}", $"a kernel built with {module} (CONFIG_IP_VS_{module["ip_vs_".Length..].ToUpperInvariant()}), or another {what}")
                : new(Severity.Info, "kernel.module", users, $"the {what} module {module} is not loaded (the kernel loads it when a service names it)",
                    "/proc/modules has no " + module, "modprobe " + module));
        }
    }

    private static void Sysctls(DoctorFacts facts, IReadOnlyList<ServiceFacts> services, List<Finding> findings)
    {
        var nat = services.Where(s => s.Servers.Any(r => r.ForwardingMethod == ForwardingMethod.Masquerade)).Select(s => s.Service.Key.ToString()).ToList();
        if (nat.Count > 0)
        {
            var forwarding = facts.Sysctl("net.ipv4.ip_forward");
            findings.Add(forwarding == 1
                ? new(Severity.Ok, "sysctl.ip_forward", "host", "IP forwarding is on (NAT replies pass through this director)", "net.ipv4.ip_forward = 1")
                : new(Severity.Error, "sysctl.ip_forward", "host", "NAT services need IP forwarding: the real servers' replies are not forwarded back to the clients",
                    $"net.ipv4.ip_forward = {Show(forwarding)}; NAT services: {string.Join(", ", nat)}", "sysctl -w net.ipv4.ip_forward=1"));
        }

        var conntrack = facts.Sysctl("net.ipv4.vs.conntrack");
        if (conntrack == 1 && !facts.Modules.Contains("nf_conntrack"))
        {
            findings.Add(new(Severity.Warning, "sysctl.conntrack", "host", "net.ipv4.vs.conntrack is 1 but nf_conntrack is not loaded: netfilter sees no IPVS connection",
                "/proc/modules has no nf_conntrack", "modprobe nf_conntrack"));
        }
        else if (conntrack == 0 && nat.Count > 0)
        {
            findings.Add(new(Severity.Info, "sysctl.conntrack", "host", "IPVS connections are not tracked: iptables/nftables NAT (masquerade, SNAT) rules do not see them",
                "net.ipv4.vs.conntrack = 0", "sysctl -w net.ipv4.vs.conntrack=1 (when netfilter must see IPVS traffic, as kube-proxy needs)"));
        }

        var reuse = facts.Sysctl("net.ipv4.vs.conn_reuse_mode");
        if (reuse == 1 && conntrack == 1 && facts.KernelVersion is { } kernel && kernel < new Version(5, 9))
        {
            findings.Add(new(Severity.Warning, "sysctl.conn_reuse_mode", "host", "a client reusing a source port waits 1 s: with conntrack on, kernels before 5.9 drop the first SYN of a reused connection",
                $"net.ipv4.vs.conn_reuse_mode = 1, net.ipv4.vs.conntrack = 1, Linux {facts.KernelRelease}", "sysctl -w net.ipv4.vs.conn_reuse_mode=0 (or a 5.9+ kernel)"));
        }

        if (facts.Sysctl("net.ipv4.vs.expire_nodest_conn") == 0 && services.Count > 0)
        {
            findings.Add(new(Severity.Info, "sysctl.expire_nodest_conn", "host", "connections to a removed real server hang until they time out (the kernel drops their packets)",
                "net.ipv4.vs.expire_nodest_conn = 0", "sysctl -w net.ipv4.vs.expire_nodest_conn=1 (expired at their next packet: clients reconnect at once)"));
        }

        var persistent = services.Where(s => s.Service.Flags.HasFlag(ServiceFlags.Persistent)).Select(s => s.Service.Key.ToString()).ToList();
        if (persistent.Count > 0 && facts.Sysctl("net.ipv4.vs.expire_quiescent_template") == 0)
        {
            findings.Add(new(Severity.Warning, "sysctl.expire_quiescent_template", "host", "persistent clients stay pinned to a real server set to weight 0 until their template expires",
                $"net.ipv4.vs.expire_quiescent_template = 0; persistent services: {string.Join(", ", persistent)}", "sysctl -w net.ipv4.vs.expire_quiescent_template=1"));
        }
    }

    /// <summary>This host as a DR or tunnel real server: a virtual address on lo (or a dummy) that no local service serves.</summary>
    private static void RealServerHost(DoctorFacts facts, List<Finding> findings)
    {
        var served = facts.Services.Select(s => s.Service.Key.Address).OfType<IPAddress>().ToHashSet();
        var vips = facts.Addresses
            .Where(a => a.Address.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a.Address) && a.PrefixLength == 32
                && (a.Interface == "lo" || a.Interface.StartsWith("dummy", StringComparison.Ordinal) || a.Interface.StartsWith("tunl", StringComparison.Ordinal))
                && !served.Contains(a.Address))
            .ToList();
        if (vips.Count == 0)
        {
            return;
        }

        var subject = string.Join(", ", vips.Select(v => $"{v.Address} on {v.Interface}"));
        var ignore = facts.Sysctl("net.ipv4.conf.all.arp_ignore");
        var announce = facts.Sysctl("net.ipv4.conf.all.arp_announce");
        findings.Add(ignore >= 1 && announce >= 2
            ? new(Severity.Ok, "sysctl.arp", subject, "this host answers no ARP for its virtual addresses (a DR real server)", $"arp_ignore = {ignore}, arp_announce = {announce}")
            : new(Severity.Error, "sysctl.arp", subject, "this host looks like a DR real server (a virtual address on lo) but answers ARP for it: it steals the director's traffic",
                $"net.ipv4.conf.all.arp_ignore = {Show(ignore)}, net.ipv4.conf.all.arp_announce = {Show(announce)}",
                "sysctl -w net.ipv4.conf.all.arp_ignore=1 net.ipv4.conf.all.arp_announce=2"));
        if (facts.Links.Contains("tunl0"))
        {
            var rp = Math.Max(facts.Sysctl("net.ipv4.conf.all.rp_filter") ?? 0, facts.Sysctl("net.ipv4.conf.tunl0.rp_filter") ?? 0);
            if (rp == 1)
            {
                findings.Add(new(Severity.Error, "sysctl.rp_filter", "tunl0", "strict reverse-path filtering drops the decapsulated packets of a tunnel real server (the clients are not routed through tunl0)",
                    "net.ipv4.conf.all/tunl0.rp_filter = 1", "sysctl -w net.ipv4.conf.all.rp_filter=2 net.ipv4.conf.tunl0.rp_filter=0"));
            }
        }
    }

    private static void Service(DoctorFacts facts, ServiceFacts service, List<Finding> findings)
    {
        var key = service.Service.Key;
        var name = key.ToString();
        if (key.Address is { } vip)
        {
            var route = facts.RouteOf(vip);
            findings.Add(route == RouteKind.Local
                ? new(Severity.Ok, "service.address", name, "the virtual address is an address of this host", vip.ToString())
                : new(Severity.Warning, "service.address", name, "the virtual address is not an address of this host: packets for it reach IPVS only if the network routes them here",
                    $"route to {vip}: {route.ToString().ToLowerInvariant()}", $"ip address add {vip}/{(vip.AddressFamily == AddressFamily.InterNetwork ? 32 : 128)} dev lo (or route it to this host)"));
        }

        if (service.Servers.Count == 0)
        {
            findings.Add(new(Severity.Error, "service.servers", name, "the service has no real server: its connections are refused", "0 real servers", $"ipvs server add {name} ADDRESS:PORT"));
            return;
        }

        if (service.Servers.All(s => s.Weight == 0))
        {
            findings.Add(new(Severity.Error, "service.weights", name, "every real server has weight 0: no new connection is scheduled",
                string.Join(", ", service.Servers.Select(s => s.Endpoint + " w=0")), $"ipvs server update {name} ADDRESS:PORT -w 1"));
        }

        var full = service.Servers.Where(s => s.UpperThreshold > 0 && s.ActiveConnections + s.InactiveConnections >= s.UpperThreshold).ToList();
        if (full.Count == service.Servers.Count)
        {
            findings.Add(new(Severity.Error, "service.thresholds", name, "every real server is at its upper threshold: new connections are refused",
                string.Join(", ", full.Select(s => $"{s.Endpoint} {s.ActiveConnections + s.InactiveConnections}/{s.UpperThreshold}")), "raise the upper thresholds (ipvs server update ... -x N) or add servers"));
        }

        foreach (var server in service.Servers)
        {
            RealServerPath(facts, key, server, findings);
        }

        var quiescent = service.Servers.Where(s => s.Weight == 0).Select(s => s.Address).ToHashSet();
        var pinned = facts.Templates.Where(t => key.Address is { } a && t.VirtualAddress.Equals(a) && quiescent.Contains(t.DestinationAddress)).ToList();
        if (pinned.Count > 0)
        {
            findings.Add(new(Severity.Warning, "service.templates", name, "persistence templates pin clients to real servers of weight 0",
                $"{pinned.Count} template(s) to {string.Join(", ", pinned.Select(t => t.DestinationAddress).Distinct())}",
                "sysctl -w net.ipv4.vs.expire_quiescent_template=1 (new connections of those clients then go elsewhere)"));
        }
    }

    private static void RealServerPath(DoctorFacts facts, VirtualServiceKey key, RealServer server, List<Finding> findings)
    {
        var subject = $"{key} -> {server.Endpoint}";
        if (key.Address is not null && server.Address.AddressFamily != key.Family && server.ForwardingMethod != ForwardingMethod.Tunnel)
        {
            findings.Add(new(Severity.Error, "server.family", subject, "a real server of another address family works only through a tunnel",
                $"service {key.Family}, server {server.Address.AddressFamily}, forwarding {server.ForwardingMethod}", "use --fwd tunnel, or a server of the service's family"));
            return;
        }

        var route = facts.RouteOf(server.Address);
        var (ok, why) = server.ForwardingMethod switch
        {
            ForwardingMethod.DirectRoute => (route is RouteKind.Connected or RouteKind.Local, "direct routing needs the real server on a link of this host (it is reached by its MAC address)"),
            ForwardingMethod.Masquerade => (route != RouteKind.None, "this host has no route to the real server"),
            ForwardingMethod.Tunnel => (route != RouteKind.None, "this host has no route to the tunnel's far end"),
            _ => (true, string.Empty),
        };
        if (!ok)
        {
            findings.Add(new(Severity.Error, "server.route", subject, why, $"route to {server.Address}: {route.ToString().ToLowerInvariant()}; forwarding {server.ForwardingMethod}",
                server.ForwardingMethod == ForwardingMethod.DirectRoute ? "put the server on a directly connected network, or use --fwd masq or --fwd tunnel" : $"ip route add {server.Address} via GATEWAY"));
        }
    }

    private static void Managers(DoctorFacts facts, IReadOnlyList<ServiceFacts> services, List<Finding> findings)
    {
        foreach (var manager in facts.Managers)
        {
            findings.Add(new(Severity.Info, "managers", manager.Name, $"{Named(manager)} manages IPVS here", manager.CommandLine));
        }

        foreach (var service in services)
        {
            // A claim names the service (tcp/VIP:PORT, fwm/MARK), its endpoint (lvscare's --vs VIP:PORT) or, for kube-proxy, its address.
            var key = service.Service.Key;
            var names = new List<string> { key.ToString() };
            if (key.Address is { } vip)
            {
                names.Add(AddressPort.Format(vip, key.Port));
                names.Add(vip.ToString());
            }

            var claimants = facts.Managers.Where(m => names.Any(m.Claims.Contains)).Select(Named).ToList();
            if (claimants.Count > 1)
            {
                findings.Add(new(Severity.Error, "managers.conflict", key.ToString(), "two managers claim this service: each undoes the other's changes",
                    string.Join(" and ", claimants), "leave the service to one of them"));
            }
        }
    }

    private static string Named(TableManager manager) =>
        manager.ProcessId > 0 ? $"{manager.Name} (pid {manager.ProcessId.ToString(CultureInfo.InvariantCulture)})" : manager.Name;

    private static string Show(int? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "unreadable";
}
