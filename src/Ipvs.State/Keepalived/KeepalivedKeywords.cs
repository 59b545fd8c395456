using System.Collections.Frozen;

namespace Ipvs.State.Keepalived;

/// <summary>What follows a keyword: nothing, a block of keywords, or a block of free values.</summary>
internal enum KeywordBody
{
    /// <summary>No block (a '{' after it is an error).</summary>
    None,

    /// <summary>A block of keywords checked against a context.</summary>
    Keywords,

    /// <summary>A block of values (addresses, names), not keywords: not checked here.</summary>
    Values,

    /// <summary>A block of a part we do not read (vrrp_script, bfd_instance, …): not checked here.</summary>
    Opaque,
}

/// <summary>A keyword of a context, and the context of its block.</summary>
internal sealed record KeywordSpec(string Name, KeywordBody Body, KeywordContext? Context = null);

/// <summary>The keywords keepalived 2.2.7 accepts at one level (lib/parser.c's keyword vectors).</summary>
internal sealed class KeywordContext
{
    public KeywordContext(string name, IEnumerable<KeywordSpec> keywords)
    {
        Name = name;
        Keywords = keywords.ToFrozenDictionary(k => k.Name, StringComparer.Ordinal);
    }

    /// <summary>How errors name the level ("virtual_server", "the top level").</summary>
    public string Name { get; }

    public FrozenDictionary<string, KeywordSpec> Keywords { get; }
}

/// <summary>
/// keepalived 2.2.7's keywords in the blocks the importer reads (global_defs, virtual_server,
/// real_server and its checkers, vrrp_instance, track_file, SSL), from its parsers'
/// install_keyword calls; keywords compiled in only with options are included.
/// </summary>
internal static class KeepalivedKeywords
{
    public static readonly KeywordContext Root = BuildRoot();

    private static IEnumerable<KeywordSpec> Plain(params string[] names) => names.Select(n => new KeywordSpec(n, KeywordBody.None));

    private static IEnumerable<KeywordSpec> Values(params string[] names) => names.Select(n => new KeywordSpec(n, KeywordBody.Values));

    private static IEnumerable<KeywordSpec> Opaque(params string[] names) => names.Select(n => new KeywordSpec(n, KeywordBody.Opaque));

    private static KeywordSpec Block(string name, KeywordContext context) => new(name, KeywordBody.Keywords, context);

    private static string[] CheckerCommon(bool connection) => connection
        ? ["connect_ip", "connect_port", "bindto", "bind_port", "bind_if", "connect_timeout", "fwmark", "retry", "delay_before_retry", "warmup", "delay_loop", "alpha", "log_all_failures"]
        : ["retry", "delay_before_retry", "warmup", "delay_loop", "alpha", "log_all_failures"];

    private static KeywordContext BuildRoot()
    {
        var url = new KeywordContext("url", Plain("path", "digest", "status_code", "virtualhost", "regex", "regex_no_match", "regex_options", "regex_min_offset", "regex_max_offset", "regex_stack"));
        var http = new KeywordContext("HTTP_GET", [.. Plain(CheckerCommon(true)), .. Plain("nb_get_retry", "virtualhost", "http_protocol", "enable_sni", "fast_recovery"), Block("url", url)]);
        var ssl = new KeywordContext("SSL_GET", http.Keywords.Values);
        var tcp = new KeywordContext("TCP_CHECK", Plain(CheckerCommon(true)));
        var ping = new KeywordContext("PING_CHECK", Plain(CheckerCommon(true)));
        var dns = new KeywordContext("DNS_CHECK", [.. Plain(CheckerCommon(true)), .. Plain("type", "name")]);
        var udp = new KeywordContext("UDP_CHECK", [.. Plain(CheckerCommon(true)), .. Plain("payload", "require_reply", "min_reply_length", "max_reply_length")]);
        var smtp = new KeywordContext("SMTP_CHECK", [.. Plain(CheckerCommon(true)), .. Plain("helo_name")]);
        var misc = new KeywordContext("MISC_CHECK", [.. Plain(CheckerCommon(false)), .. Plain("misc_path", "misc_timeout", "misc_dynamic", "user")]);
        var file = new KeywordContext("FILE_CHECK", Plain("track_file", "weight"));
        var bfd = new KeywordContext("BFD_CHECK", Plain("name", "alpha"));
        var realServer = new KeywordContext("real_server",
        [
            .. Plain("weight", "lvs_method", "uthreshold", "lthreshold", "inhibit_on_failure", "notify_up", "notify_down", "alpha", "retry", "delay_before_retry", "warmup", "connect_timeout", "delay_loop", "smtp_alert", "virtualhost", "snmp_name"),
            Block("HTTP_GET", http), Block("SSL_GET", ssl), Block("TCP_CHECK", tcp), Block("SMTP_CHECK", smtp), Block("DNS_CHECK", dns),
            Block("UDP_CHECK", udp), Block("PING_CHECK", ping), Block("MISC_CHECK", misc), Block("FILE_CHECK", file), Block("BFD_CHECK", bfd),
        ]);
        var virtualServer = new KeywordContext("virtual_server",
        [
            .. Plain("ip_family", "retry", "delay_before_retry", "warmup", "connect_timeout", "delay_loop", "inhibit_on_failure", "lb_algo", "lvs_sched", "hashed", "ops",
                "flag-1", "flag-2", "flag-3", "sh-port", "sh-fallback", "mh-port", "mh-fallback", "lb_kind", "lvs_method", "persistence_engine", "persistence_timeout",
                "persistence_granularity", "protocol", "ha_suspend", "smtp_alert", "virtualhost", "snmp_name", "alpha", "omega", "quorum_up", "quorum_down", "quorum",
                "hysteresis", "weight", "sorry_server", "sorry_server_inhibit", "sorry_server_lvs_method"),
            Block("real_server", realServer),
        ]);
        var authentication = new KeywordContext("authentication", Plain("auth_type", "auth_pass"));
        var vrrp = new KeywordContext("vrrp_instance",
        [
            .. Plain("use_vmac", "use_vmac_addr", "vmac_xmit_base", "use_ipvlan", "unicast_fault_no_peer", "check_unicast_src", "old_unicast_checksum", "native_ipv6", "state",
                "interface", "vrf", "dont_track_primary", "mcast_src_ip", "unicast_src_ip", "mcast_dst_ip", "track_src_ip", "virtual_router_id", "unicast_ttl", "version",
                "priority", "advert_int", "promote_secondaries", "linkbeat_use_polling", "accept", "no_accept", "skip_check_adv_addr", "strict_mode", "preempt", "nopreempt",
                "preempt_delay", "debug", "notify_backup", "notify_master", "notify_fault", "notify_stop", "notify_deleted", "notify", "notify_master_rx_lower_pri",
                "smtp_alert", "notify_priority_changes", "lvs_sync_daemon_interface", "garp_master_delay", "garp_master_refresh", "garp_master_repeat",
                "garp_master_refresh_repeat", "garp_lower_prio_delay", "garp_lower_prio_repeat", "down_timer_adverts", "garp_extra_if", "vmac_garp_intvl",
                "lower_prio_no_advert", "higher_prio_send_advert", "kernel_rx_buf_size"),
            .. Values("unicast_peer", "track_interface", "track_script", "track_file", "track_process", "track_bfd", "virtual_ipaddress", "virtual_ipaddress_excluded",
                "virtual_routes", "virtual_rules"),
            Block("authentication", authentication),
        ]);
        var global = new KeywordContext("global_defs",
        [
            .. Plain("process_names", "process_name", "vrrp_process_name", "checker_process_name", "lvs_process_name", "bfd_process_name", "router_id",
                "notification_email_from", "smtp_server", "smtp_helo_name", "smtp_connect_timeout", "smtp_alert", "startup_script", "startup_script_timeout",
                "shutdown_script", "shutdown_script_timeout", "max_auto_priority", "min_auto_priority_delay", "smtp_alert_vrrp", "smtp_alert_checker",
                "checker_log_all_failures", "dynamic_interfaces", "no_email_faults", "default_interface", "disable_local_igmp", "lvs_timeouts", "lvs_flush",
                "lvs_flush_on_stop", "lvs_flush_onstop", "lvs_sync_daemon", "vrrp_mcast_group4", "vrrp_mcast_group6", "vrrp_garp_master_delay", "vrrp_garp_master_repeat",
                "vrrp_garp_master_refresh", "vrrp_garp_master_refresh_repeat", "vrrp_garp_lower_prio_delay", "vrrp_garp_lower_prio_repeat", "vrrp_down_timer_adverts",
                "vrrp_garp_interval", "vrrp_gna_interval", "vrrp_min_garp", "vrrp_garp_extra_if", "vrrp_vmac_garp_intvl", "vrrp_lower_prio_no_advert",
                "vrrp_higher_prio_send_advert", "vrrp_version", "vrrp_iptables", "vrrp_ipsets", "nftables", "nftables_priority", "nftables_ifindex", "nftables_ipvs",
                "nftables_ipvs_priority", "nftables_ipvs_start_fwmark", "nftables_counters", "vrrp_check_unicast_src", "vrrp_skip_check_adv_addr", "vrrp_strict",
                "vrrp_priority", "vrrp_no_swap", "vrrp_rt_priority", "vrrp_cpu_affinity", "vrrp_rlimit_rttime", "vrrp_rlimit_rtime", "notify_fifo", "notify_fifo_script",
                "vrrp_notify_fifo", "vrrp_notify_fifo_script", "vrrp_notify_priority_changes", "fifo_write_vrrp_states_on_reload", "lvs_notify_fifo",
                "lvs_notify_fifo_script", "checker_priority", "checker_no_swap", "checker_rt_priority", "checker_cpu_affinity", "checker_rlimit_rttime",
                "checker_rlimit_rtime", "bfd_priority", "bfd_no_swap", "bfd_rt_priority", "bfd_cpu_affinity", "bfd_rlimit_rttime", "bfd_rlimit_rtime", "snmp_socket",
                "enable_traps", "enable_snmp_vrrp", "enable_snmp_keepalived", "enable_snmp_rfc", "enable_snmp_rfcv2", "enable_snmp_rfcv3", "enable_snmp_checker",
                "enable_dbus", "dbus_service_name", "script_user", "enable_script_security", "vrrp_netlink_cmd_rcv_bufs", "vrrp_netlink_cmd_rcv_bufs_force",
                "vrrp_netlink_monitor_rcv_bufs", "vrrp_netlink_monitor_rcv_bufs_force", "process_monitor_rcv_bufs", "process_monitor_rcv_bufs_force",
                "lvs_netlink_cmd_rcv_bufs", "lvs_netlink_cmd_rcv_bufs_force", "lvs_netlink_monitor_rcv_bufs", "lvs_netlink_monitor_rcv_bufs_force", "rs_init_notifies",
                "no_checker_emails", "vrrp_rx_bufs_policy", "vrrp_rx_bufs_multiplier", "vrrp_startup_delay", "log_unknown_vrids", "vmac_prefix", "vmac_addr_prefix",
                "umask", "random_seed", "reload_check_config", "reload_time_file", "reload_repeat", "reload_file", "include_check", "config_save_dir",
                "tmp_config_directory", "data_use_instance"),
            .. Values("notification_email"),
        ]);
        var trackFile = new KeywordContext("track_file", Plain("file", "weight", "init_file"));
        var sslContext = new KeywordContext("SSL", Plain("password", "ca", "certificate", "key"));
        return new KeywordContext("the top level",
        [
            Block("global_defs", global), Block("virtual_server", virtualServer), Block("vrrp_instance", vrrp), Block("track_file", trackFile),
            Block("vrrp_track_file", trackFile), Block("SSL", sslContext),
            .. Values("virtual_server_group"),
            .. Opaque("vrrp_script", "vrrp_sync_group", "bfd_instance", "garp_group", "linkbeat_interfaces", "static_ipaddress", "static_routes", "static_rules",
                "track_group", "vrrp_track_process", "interface_up_down_delays"),
            .. Plain("child_wait_time", "instance", "linkbeat_use_polling", "namespace_with_ipsets", "net_namespace", "net_namespace_ipvs", "use_pid_dir"),
        ]);
    }
}
