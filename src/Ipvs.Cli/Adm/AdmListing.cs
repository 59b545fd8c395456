using System.Net;
using System.Net.Sockets;
using Ipvs.Cli.Adm.Interop;
using Ipvs.Model;

namespace Ipvs.Cli.Adm;

/// <summary>
/// ipvsadm's listings, byte for byte: the table in every format (list_all, list_service,
/// print_title, print_service_entry, print_largenum), save format, timeouts and daemons. The
/// table is read with one service dump and the destination dumps of all services pipelined.
/// </summary>
internal sealed class AdmListing
{
    // A service or destination the kernel sent no counters for prints zeros.
    private static readonly IpvsStatistics s_zero = new();

    private readonly AdmKernel _kernel;
    private readonly AdmOutput _out;
    private readonly AdmOutput _err;
    private readonly AdmNames _names = new();

    public AdmListing(AdmKernel kernel, AdmOutput standardOutput, AdmOutput standardError)
    {
        _kernel = kernel;
        _out = standardOutput;
        _err = standardError;
    }

    /// <summary>list_all: the header (not in save format), the title and every service, sorted unless --nosort.</summary>
    public void ListAll(AdmFormat format)
    {
        if ((format & AdmFormat.Rule) == 0)
        {
            var version = _kernel.Info.VersionCode;
            _out.Write("IP Virtual Server version ");
            _out.WriteNumber((long)((version >> 16) & 0xFF));
            _out.Write('.');
            _out.WriteNumber((long)((version >> 8) & 0xFF));
            _out.Write('.');
            _out.WriteNumber((long)(version & 0xFF));
            _out.Write(" (size=");
            _out.WriteNumber((long)unchecked((int)_kernel.Info.ConnectionTableSize));
            _out.Write(")\n");
        }

        IReadOnlyList<VirtualService> services;
        IReadOnlyList<IReadOnlyList<RealServer>> servers;
        try
        {
            services = _kernel.Client.GetServices();
            var keys = new VirtualServiceKey[services.Count];
            for (var i = 0; i < keys.Length; i++)
            {
                keys[i] = services[i].Key;
            }

            servers = _kernel.Client.GetRealServers(keys);
        }
        catch (Exception e) when (AdmKernel.IsKernelFailure(e))
        {
            throw AdmStopException.Exit(1, _kernel.StrError(AdmKernel.ErrorNumber(e)) + "\n");
        }

        var rows = new ServiceRow[services.Count];
        for (var i = 0; i < rows.Length; i++)
        {
            rows[i] = new ServiceRow(services[i], servers[i]);
        }

        if ((format & AdmFormat.NoSort) == 0)
        {
            GlibcSort.Sort(rows, ServiceRow.Compare);
        }

        PrintTitle(format);
        foreach (var row in rows)
        {
            _kernel.LastFunction = LibFunction.GetDests;
            PrintServiceEntry(row, format);
        }
    }

    /// <summary>list_service: the title and one service (no header); "No such service" and exit 1 when it does not exist.</summary>
    public void ListService(AdmRequest request, AdmFormat format)
    {
        _kernel.LastFunction = LibFunction.GetService;
        VirtualService? service;
        IReadOnlyList<RealServer> servers;
        try
        {
            var key = request.FirewallMark != 0
                ? VirtualServiceKey.ForFirewallMark(request.FirewallMark, request.Service.Family == AdmLibC.AF_INET6 ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork)
                : VirtualServiceKey.Create((IpvsProtocol)request.Service.Protocol, AdmKernel.ToAddress(request.Service.Family, request.Service.Address), request.Service.Port);
            service = _kernel.Client.GetService(key);
            if (service is null)
            {
                throw AdmStopException.Exit(1, _kernel.StrError(3) + "\n");
            }

            servers = _kernel.Client.GetRealServers([service.Key])[0];
        }
        catch (Exception e) when (AdmKernel.IsKernelFailure(e))
        {
            throw AdmStopException.Exit(1, _kernel.StrError(AdmKernel.ErrorNumber(e)) + "\n");
        }

        PrintTitle(format);
        _kernel.LastFunction = LibFunction.GetDests;
        PrintServiceEntry(new ServiceRow(service, servers), format);
    }

    /// <summary>list_timeout.</summary>
    public void ListTimeout()
    {
        _kernel.LastFunction = LibFunction.GetTimeout;
        IpvsTimeouts timeouts;
        try
        {
            timeouts = _kernel.Client.GetTimeouts();
        }
        catch (Exception e) when (AdmKernel.IsKernelFailure(e))
        {
            throw AdmStopException.Exit(1);
        }

        _out.Write("Timeout (tcp tcpfin udp): ");
        _out.WriteNumber((long)timeouts.Tcp.TotalSeconds);
        _out.Write(' ');
        _out.WriteNumber((long)timeouts.TcpFin.TotalSeconds);
        _out.Write(' ');
        _out.WriteNumber((long)timeouts.Udp.TotalSeconds);
        _out.Write('\n');
    }

    /// <summary>list_daemon.</summary>
    public void ListDaemon()
    {
        _kernel.LastFunction = LibFunction.GetDaemon;
        IReadOnlyList<SyncDaemon> daemons;
        try
        {
            daemons = _kernel.Client.GetSyncDaemons();
        }
        catch (Exception e) when (AdmKernel.IsKernelFailure(e))
        {
            throw AdmStopException.Exit(1);
        }

        Span<byte> bytes = stackalloc byte[16];

        // libipvs keeps two slots.
        for (var i = 0; i < daemons.Count && i < 2; i++)
        {
            var daemon = daemons[i];
            string type;
            if (((uint)daemon.State & 1) != 0)
            {
                type = IpvsNames.Name(SyncDaemonState.Master);
            }
            else if (((uint)daemon.State & 2) != 0)
            {
                type = IpvsNames.Name(SyncDaemonState.Backup);
            }
            else
            {
                continue;
            }

            _out.Write(type);
            _out.Write(" sync daemon (mcast=");
            _out.Write(AdmKernel.FromKernelString(daemon.Interface));
            _out.Write(", syncid=");
            _out.WriteNumber((long)unchecked((int)daemon.SyncId));
            if (daemon.MaxLength != 0)
            {
                _out.Write(", maxlen=");
                _out.WriteNumber((ulong)daemon.MaxLength);
            }

            if (daemon.MulticastGroup is { } group)
            {
                group.TryWriteBytes(bytes, out _);
                _out.Write(", group=");
                _out.Write(group.AddressFamily == AddressFamily.InterNetworkV6 ? CText.InetNtop6(bytes) : CText.InetNtop4(bytes));
            }

            if (daemon.Port != 0)
            {
                _out.Write(", port=");
                _out.WriteNumber((ulong)daemon.Port);
            }

            if (daemon.Ttl != 0)
            {
                _out.Write(", ttl=");
                _out.WriteNumber((ulong)daemon.Ttl);
            }

            _out.Write(")\n");
        }
    }

    private void PrintTitle(AdmFormat format)
    {
        if ((format & AdmFormat.Stats) != 0)
        {
            _out.Write("Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes\n  -> RemoteAddress:Port\n");
        }
        else if ((format & AdmFormat.Rate) != 0)
        {
            _out.Write("Prot LocalAddress:Port                 CPS    InPPS   OutPPS    InBPS   OutBPS\n  -> RemoteAddress:Port\n");
        }
        else if ((format & AdmFormat.Thresholds) != 0)
        {
            _out.Write("Prot LocalAddress:Port            Uthreshold Lthreshold ActiveConn InActConn \n  -> RemoteAddress:Port\n");
        }
        else if ((format & AdmFormat.PersistentConn) != 0)
        {
            _out.Write("Prot LocalAddress:Port            Weight    PersistConn ActiveConn InActConn \n  -> RemoteAddress:Port\n");
        }
        else if ((format & AdmFormat.TunInfo) != 0)
        {
            _out.Write("Prot LocalAddress:Port Scheduler Flags\n  -> RemoteAddress:Port           Forward TunnelInfo    Weight ActiveConn InActConn\n");
        }
        else if ((format & AdmFormat.Rule) == 0)
        {
            _out.Write("Prot LocalAddress:Port Scheduler Flags\n  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n");
        }
    }

    private void PrintServiceEntry(ServiceRow se, AdmFormat format)
    {
        var rule = (format & AdmFormat.Rule) != 0;
        var numeric = (format & AdmFormat.Numeric) != 0;
        string serviceName;
        if (se.FirewallMark != 0)
        {
            // Debian's 1.31 prints the mark with %d (fixed upstream after the release).
            var mark = CText.Decimal((long)unchecked((int)se.FirewallMark));
            serviceName = rule
                ? (se.Family == AdmLibC.AF_INET6 ? "-f " + mark + " -6" : "-f " + mark)
                : (se.Family == AdmLibC.AF_INET6 ? "FWM  " + mark + " IPv6" : "FWM  " + mark);
        }
        else
        {
            var vname = _names.AddressPort(se.Family, se.Address, se.Port, se.Protocol, numeric);
            if (rule)
            {
                var type = IpvsNames.Find((IpvsProtocol)se.Protocol)?.IpvsadmSwitch ?? "--xxx-service";
                serviceName = type + " " + vname;
            }
            else
            {
                var type = IpvsNames.Find((IpvsProtocol)se.Protocol)?.Ipvsadm ?? "?";
                serviceName = type.PadRight(4) + " " + vname;
                if (se.Family != AdmLibC.AF_INET6 && serviceName.Length > 33)
                {
                    serviceName = serviceName[..33];
                }
            }
        }

        if (rule)
        {
            _out.Write("-A ");
            _out.Write(serviceName);
            _out.Write(" -s ");
            _out.Write(se.Scheduler);
            if ((se.Flags & AdmRequest.FlagPersistent) != 0)
            {
                _out.Write(" -p ");
                _out.WriteNumber((ulong)se.Timeout);
                WriteMask(se, " -M ");
            }

            if (se.PersistenceEngine.Length > 0)
            {
                _out.Write(" --pe ");
                _out.Write(se.PersistenceEngine);
            }

            if ((se.Flags & AdmRequest.FlagOnePacket) != 0)
            {
                _out.Write(" -o");
            }

            if ((se.Flags & AdmRequest.FlagsSched) != 0)
            {
                _out.Write(" -b ");
                _out.Write(SchedulerFlags(se));
            }
        }
        else if ((format & AdmFormat.Stats) != 0)
        {
            _out.WriteLeft(serviceName, 33);
            PrintLargeNumber(se.Stats.Connections, format);
            PrintLargeNumber(se.Stats.IncomingPackets, format);
            PrintLargeNumber(se.Stats.OutgoingPackets, format);
            PrintLargeNumber(se.Stats.IncomingBytes, format);
            PrintLargeNumber(se.Stats.OutgoingBytes, format);
        }
        else if ((format & AdmFormat.Rate) != 0)
        {
            _out.WriteLeft(serviceName, 33);
            PrintLargeNumber(se.Stats.ConnectionsPerSecond, format);
            PrintLargeNumber(se.Stats.IncomingPacketsPerSecond, format);
            PrintLargeNumber(se.Stats.OutgoingPacketsPerSecond, format);
            PrintLargeNumber(se.Stats.IncomingBytesPerSecond, format);
            PrintLargeNumber(se.Stats.OutgoingBytesPerSecond, format);
        }
        else
        {
            _out.Write(serviceName);
            _out.Write(' ');
            _out.Write(se.Scheduler);
            if ((se.Flags & AdmRequest.FlagsSched) != 0)
            {
                _out.Write(" (");
                _out.Write(SchedulerFlags(se));
                _out.Write(')');
            }

            if ((se.Flags & AdmRequest.FlagPersistent) != 0)
            {
                _out.Write(" persistent ");
                _out.WriteNumber((ulong)se.Timeout);
                WriteMask(se, " mask ");
                if (se.PersistenceEngine.Length > 0)
                {
                    _out.Write(" pe ");
                    _out.Write(se.PersistenceEngine);
                }
            }

            if ((se.Flags & AdmRequest.FlagOnePacket) != 0)
            {
                _out.Write(" ops");
            }
        }

        _out.Write('\n');

        var dests = se.Destinations;
        if ((format & AdmFormat.NoSort) == 0)
        {
            GlibcSort.Sort(dests, DestinationRow.Compare);
        }

        foreach (var e in dests)
        {
            var dname = _names.AddressPort(e.Family, e.Address, e.Port, se.Protocol, numeric);
            if (!rule && e.Family != AdmLibC.AF_INET6 && dname.Length > 28)
            {
                dname = dname[..28];
            }

            var forward = e.ConnFlags & 7;
            if (rule)
            {
                _out.Write("-a ");
                _out.Write(serviceName);
                _out.Write(" -r ");
                _out.Write(dname);
                _out.Write(' ');
                _out.Write(ForwardSwitch(forward));
                _out.Write(" -w ");
                _out.WriteNumber((long)e.Weight);
                if (forward == AdmRequest.ForwardTunnel)
                {
                    switch ((TunnelType)e.TunnelType)
                    {
                        case TunnelType.Gre:
                            _out.Write(" --tun-type " + IpvsNames.TunnelTypes[e.TunnelType] + " ");
                            _out.Write(TunnelFlagSwitch(e.TunnelFlags));
                            break;
                        case TunnelType.Gue:
                            _out.Write(" --tun-type " + IpvsNames.TunnelTypes[e.TunnelType] + " --tun-port ");
                            _out.WriteNumber((long)e.TunnelPort);
                            _out.Write(' ');
                            _out.Write(TunnelFlagSwitch(e.TunnelFlags));
                            break;
                        case TunnelType.Ipip:
                            _out.Write(" --tun-type " + IpvsNames.TunnelTypes[e.TunnelType]);
                            break;
                    }
                }

                _out.Write('\n');
            }
            else if ((format & AdmFormat.Stats) != 0)
            {
                _out.Write("  -> ");
                _out.WriteLeft(dname, 28);
                PrintLargeNumber(e.Stats.Connections, format);
                PrintLargeNumber(e.Stats.IncomingPackets, format);
                PrintLargeNumber(e.Stats.OutgoingPackets, format);
                PrintLargeNumber(e.Stats.IncomingBytes, format);
                PrintLargeNumber(e.Stats.OutgoingBytes, format);
                _out.Write('\n');
            }
            else if ((format & AdmFormat.Rate) != 0)
            {
                _out.Write("  -> ");
                _out.WriteLeft(dname, 28);
                _out.Write(' ');
                _out.WriteRight(e.Stats.ConnectionsPerSecond, 8);
                _out.Write(' ');
                _out.WriteRight(e.Stats.IncomingPacketsPerSecond, 8);
                _out.Write(' ');
                _out.WriteRight(e.Stats.OutgoingPacketsPerSecond, 8);
                PrintLargeNumber(e.Stats.IncomingBytesPerSecond, format);
                PrintLargeNumber(e.Stats.OutgoingBytesPerSecond, format);
                _out.Write('\n');
            }
            else if ((format & AdmFormat.Thresholds) != 0)
            {
                _out.Write("  -> ");
                _out.WriteLeft(dname, 28);
                _out.Write(' ');
                _out.WriteLeft((ulong)e.UpperThreshold, 10);
                _out.Write(' ');
                _out.WriteLeft((ulong)e.LowerThreshold, 10);
                _out.Write(' ');
                _out.WriteLeft((ulong)e.ActiveConnections, 10);
                _out.Write(' ');
                _out.WriteLeft((ulong)e.InactiveConnections, 10);
                _out.Write('\n');
            }
            else if ((format & AdmFormat.PersistentConn) != 0)
            {
                _out.Write("  -> ");
                _out.WriteLeft(dname, 28);
                _out.Write(' ');
                _out.WriteLeft((ulong)unchecked((uint)e.Weight), 9);
                _out.Write(' ');
                _out.WriteLeft((ulong)e.PersistentConnections, 11);
                _out.Write(' ');
                _out.WriteLeft((ulong)e.ActiveConnections, 10);
                _out.Write(' ');
                _out.WriteLeft((ulong)e.InactiveConnections, 10);
                _out.Write('\n');
            }
            else if ((format & AdmFormat.TunInfo) != 0)
            {
                _out.Write("  -> ");
                _out.WriteLeft(dname, 28);
                _out.Write(' ');
                _out.WriteLeft(ForwardName(forward), 7);
                _out.Write(' ');
                _out.WriteLeft(TunnelInfo(e, forward), 13);
                _out.Write(' ');
                _out.WriteLeft((long)e.Weight, 6);
                _out.Write(' ');
                _out.WriteLeft((ulong)e.ActiveConnections, 10);
                _out.Write(' ');
                _out.WriteLeft((ulong)e.InactiveConnections, 10);
                _out.Write('\n');
            }
            else
            {
                _out.Write("  -> ");
                _out.WriteLeft(dname, 28);
                _out.Write(' ');
                _out.WriteLeft(ForwardName(forward), 7);
                _out.Write(' ');
                _out.WriteLeft((long)e.Weight, 6);
                _out.Write(' ');
                _out.WriteLeft((ulong)e.ActiveConnections, 10);
                _out.Write(' ');
                _out.WriteLeft((ulong)e.InactiveConnections, 10);
                _out.Write('\n');
            }
        }
    }

    private void WriteMask(ServiceRow se, string prefix)
    {
        // ipvsadm writes an IPv4 mask dotted (inet_ntoa) and an IPv6 one as its prefix length,
        // which is the netmask's own text.
        if (!se.Netmask.IsFull)
        {
            _out.Write(prefix);
            _out.Write(se.Netmask.ToString());
        }
    }

    private void PrintLargeNumber(ulong value, AdmFormat format) => _out.Write(LargeNumber(value, (format & AdmFormat.Exact) != 0));

    /// <summary>print_largenum: right-aligned in 9 columns, abbreviated with K, M, G, T (powers of 1000) unless exact.</summary>
    internal static string LargeNumber(ulong value, bool exact)
    {
        var digits = CText.Decimal(value);
        if (exact)
        {
            return digits.PadLeft(digits.Length <= 8 ? 9 : digits.Length + 1);
        }

        var (scaled, suffix) = value switch
        {
            < 100_000_000UL => (value, string.Empty),
            < 1_000_000_000UL => (value / 1000, "K"),
            < 100_000_000_000UL => (value / 1_000_000, "M"),
            < 100_000_000_000_000UL => (value / 1_000_000_000UL, "G"),
            _ => (value / 1_000_000_000_000UL, "T"),
        };
        var text = CText.Decimal(scaled);
        return suffix.Length == 0 ? text.PadLeft(9) : text.PadLeft(8) + suffix;
    }

    /// <summary>print_sched_flags: sh and mh name their flags (and print no flag-3), other schedulers get flag-N.</summary>
    private static string SchedulerFlags(ServiceRow se) =>
        string.Join(',', IpvsNames.FormatSchedulerFlags(se.Scheduler, (ServiceFlags)se.Flags, genericBeyondNamed: false));

    /// <summary>fwd_name; glibc prints "(null)" for the forwarding methods ipvsadm has no name for.</summary>
    private static string ForwardName(uint forward) => IpvsNames.Find((ForwardingMethod)forward)?.Ipvsadm ?? "(null)";

    /// <summary>fwd_switch (Local is saved as -g); "(null)" as for <see cref="ForwardName"/>.</summary>
    private static string ForwardSwitch(uint forward) => IpvsNames.Find((ForwardingMethod)forward)?.IpvsadmSwitch ?? "(null)";

    /// <summary>fwd_tun_info, in its 16-byte buffer; "n/a" when not tunnelling.</summary>
    private static string TunnelInfo(DestinationRow e, uint forward)
    {
        if (forward != AdmRequest.ForwardTunnel)
        {
            return "n/a";
        }

        var name = e.TunnelType < IpvsNames.TunnelTypes.Count ? IpvsNames.TunnelTypes[e.TunnelType] : null;
        var text = (TunnelType)e.TunnelType switch
        {
            TunnelType.Ipip => name!,
            TunnelType.Gue => name + ":" + CText.Decimal((long)e.TunnelPort) + ":" + TunnelFlagText(e.TunnelFlags),
            TunnelType.Gre => name + ":" + TunnelFlagText(e.TunnelFlags),
            _ => "n/a",
        };
        return text.Length > 15 ? text[..15] : text;
    }

    /// <summary>tunflags[flags], "(null)" past the table's end.</summary>
    private static string TunnelFlagText(ushort flags) => IpvsNames.Find((TunnelFlags)flags)?.Ipvsadm ?? "(null)";

    /// <summary>tun_flags_opts[flags], "(null)" past the table's end.</summary>
    private static string TunnelFlagSwitch(ushort flags) => IpvsNames.Find((TunnelFlags)flags)?.IpvsadmSwitch ?? "(null)";

    /// <summary>A service as libipvs holds it (ipvs_service_entry_t), with its destinations.</summary>
    private sealed class ServiceRow
    {
        public ServiceRow(VirtualService service, IReadOnlyList<RealServer> servers)
        {
            var key = service.Key;
            Family = key.Family == AddressFamily.InterNetworkV6 ? AdmLibC.AF_INET6 : AdmLibC.AF_INET;
            Protocol = (ushort)key.Protocol;
            FirewallMark = key.FirewallMark;
            Port = key.Port;
            key.Address?.TryWriteBytes(Address, out _);
            Scheduler = AdmKernel.FromKernelString(service.Scheduler);
            Flags = (uint)service.Flags;
            Timeout = (uint)service.Timeout.TotalSeconds;
            Netmask = service.Netmask;
            PersistenceEngine = service.PersistenceEngine is { } engine ? AdmKernel.FromKernelString(engine) : string.Empty;
            Stats = service.Statistics ?? s_zero;
            Destinations = new DestinationRow[servers.Count];
            for (var i = 0; i < servers.Count; i++)
            {
                Destinations[i] = new DestinationRow(servers[i]);
            }
        }

        public int Family { get; }

        public ushort Protocol { get; }

        public uint FirewallMark { get; }

        public ushort Port { get; }

        public byte[] Address { get; } = new byte[16];

        public string Scheduler { get; }

        public uint Flags { get; }

        public uint Timeout { get; }

        public PersistenceNetmask Netmask { get; }

        public string PersistenceEngine { get; }

        public IpvsStatistics Stats { get; }

        public DestinationRow[] Destinations { get; }

        /// <summary>
        /// ipvs_cmp_services, with its int arithmetic: differences of unsigned 32-bit values
        /// wrap, so marks and addresses more than 2^31 apart sort the other way round.
        /// </summary>
        public static int Compare(ServiceRow a, ServiceRow b)
        {
            var r = unchecked((int)(a.FirewallMark - b.FirewallMark));
            if (r != 0)
            {
                return r;
            }

            r = a.Family - b.Family;
            if (r != 0)
            {
                return r;
            }

            r = a.Protocol - b.Protocol;
            if (r != 0)
            {
                return r;
            }

            r = CompareAddresses(a.Family, a.Address, b.Address);
            return r != 0 ? r : a.Port - b.Port;
        }
    }

    /// <summary>A destination as libipvs holds it (ipvs_dest_entry_t).</summary>
    private sealed class DestinationRow
    {
        public DestinationRow(RealServer server)
        {
            Family = server.Family == AddressFamily.InterNetworkV6 ? AdmLibC.AF_INET6 : AdmLibC.AF_INET;
            server.Address.TryWriteBytes(Address, out _);
            Port = server.Port;
            ConnFlags = (uint)server.ForwardingMethod;
            Weight = server.Weight;
            UpperThreshold = server.UpperThreshold;
            LowerThreshold = server.LowerThreshold;
            ActiveConnections = server.ActiveConnections;
            InactiveConnections = server.InactiveConnections;
            PersistentConnections = server.PersistentConnections;
            TunnelType = (ushort)server.TunnelType;
            TunnelPort = server.TunnelPort;
            TunnelFlags = (ushort)server.TunnelFlags;

            // libipvs parses a destination's 64-bit counters with its 32-bit reader: all but the byte counts keep their low half.
            Stats = (server.Statistics ?? s_zero).ToLegacyWidth();
        }

        public int Family { get; }

        public byte[] Address { get; } = new byte[16];

        public ushort Port { get; }

        public uint ConnFlags { get; }

        public int Weight { get; }

        public uint UpperThreshold { get; }

        public uint LowerThreshold { get; }

        public uint ActiveConnections { get; }

        public uint InactiveConnections { get; }

        public uint PersistentConnections { get; }

        public ushort TunnelType { get; }

        public ushort TunnelPort { get; }

        public ushort TunnelFlags { get; }

        public IpvsStatistics Stats { get; }

        /// <summary>ipvs_cmp_dests: by the first one's family, address words, then port.</summary>
        public static int Compare(DestinationRow a, DestinationRow b)
        {
            var r = CompareAddresses(a.Family, a.Address, b.Address);
            return r != 0 ? r : a.Port - b.Port;
        }
    }

    private static int CompareAddresses(int family, byte[] a, byte[] b)
    {
        var words = family == AdmLibC.AF_INET6 ? 4 : 1;
        var r = 0;
        for (var i = 0; r == 0 && i < words; i++)
        {
            var wa = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(a.AsSpan(4 * i));
            var wb = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(b.AsSpan(4 * i));
            r = unchecked((int)(wa - wb));
        }

        return r;
    }
}
