namespace Ipvs.Cli.Adm;

/// <summary>ipvsadm's commands, numbered as its CMD_* constants (the order of its tables).</summary>
internal enum AdmCommand
{
    None = 0,
    Add,
    Edit,
    Delete,
    Flush,
    List,
    AddServer,
    DeleteServer,
    EditServer,
    SetTimeout,
    StartDaemon,
    StopDaemon,
    Restore,
    Save,
    Zero,
}

/// <summary>ipvsadm's printing format flags (FMT_*).</summary>
[Flags]
internal enum AdmFormat
{
    None = 0,
    Numeric = 0x1,
    Rule = 0x2,
    Stats = 0x4,
    Rate = 0x8,
    Thresholds = 0x10,
    PersistentConn = 0x20,
    NoSort = 0x40,
    Exact = 0x80,
    TunInfo = 0x100,
}

/// <summary>
/// ipvsadm's option indexes (OPTC_*), its names for them, and its two tables of which options
/// each command and each tunnel type requires, allows or forbids. The error messages name
/// options and commands by these names.
/// </summary>
internal static class AdmTables
{
    public const int Numeric = 0;
    public const int Connection = 1;
    public const int Service = 2;
    public const int Scheduler = 3;
    public const int Persistent = 4;
    public const int Netmask = 5;
    public const int Server = 6;
    public const int Forward = 7;
    public const int Weight = 8;
    public const int UThreshold = 9;
    public const int LThreshold = 10;
    public const int McastInterface = 11;
    public const int Timeout = 12;
    public const int Daemon = 13;
    public const int Stats = 14;
    public const int Rate = 15;
    public const int Thresholds = 16;
    public const int PersistentConn = 17;
    public const int NoSort = 18;
    public const int SyncId = 19;
    public const int Exact = 20;
    public const int OnePacket = 21;
    public const int PersistenceEngine = 22;
    public const int SchedFlags = 23;
    public const int McastGroup = 24;
    public const int McastPort = 25;
    public const int McastTtl = 26;
    public const int SyncMaxLen = 27;
    public const int TunInfo = 28;
    public const int TunType = 29;
    public const int TunPort = 30;
    public const int TunNoCsum = 31;
    public const int TunCsum = 32;
    public const int TunRemCsum = 33;
    public const int OptionCount = 34;

    /// <summary>Option names as ipvsadm's messages print them.</summary>
    public static readonly string[] OptionNames =
    [
        "numeric", "connection", "service-address", "scheduler", "persistent", "netmask", "real-server",
        "forwarding-method", "weight", "u-threshold", "l-threshold", "mcast-interface", "timeout", "daemon",
        "stats", "rate", "thresholds", "persistent-conn", "nosort", "syncid", "exact", "ops", "pe",
        "sched-flags", "mcast-group", "mcast-port", "mcast-ttl", "sync-maxlen", "tun-info", "tun-type",
        "tun-port", "tun-nocsum", "tun-csum", "tun-remcsum",
    ];

    /// <summary>Command names as ipvsadm's messages print them, indexed by command - 1.</summary>
    public static readonly string[] CommandNames =
    [
        "add-service", "edit-service", "delete-service", "flush", "list", "add-server", "delete-server",
        "edit-server", "set", "start-daemon", "stop-daemon", "restore", "save", "zero",
    ];

    /// <summary>
    /// commands_v_options: per command, per option: '+' required, 'x' illegal, '1' at most one of
    /// the '1' options, ' ' optional.
    /// </summary>
    public static readonly string[] CommandOptions =
    [
        // -n   -c  svc  -s   -p   -M   -r  fwd  -w   -x   -y  -mc  tot  dmn  -st  -rt  thr  -pc  srt  sid  -ex  ops  -pe  -b  grp port ttl size tinf type tprt nocs csum remc
        "xx+   xxxxxxxxxxxxxxx   xxxxxxxxxx", // ADD
        "xx+   xxxxxxxxxxxxxxx   xxxxxxxxxx", // EDIT
        "xx+xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", // DEL
        "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", // FLUSH
        " 11xxxxxxxxx11       xxxxxxx xxxxx", // LIST
        "xx+xxx+    xxxxxxxxxxxxxxxxxx     ", // ADDSRV
        "xx+xxx+xxxxxxxxxxxxxxxxxxxxxxxxxxx", // DELSRV
        "xx+xxx+    xxxxxxxxxxxxxxxxxx     ", // EDITSRV
        "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", // TIMEOUT
        "xxxxxxxxxxx xxxxxxx xxxx    xxxxxx", // STARTD
        "xxxxxxxxxxxxxxxxxxx xxxxxxxxxxxxxx", // STOPD
        "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", // RESTORE
        " xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", // SAVE
        "xx xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", // ZERO
    ];

    /// <summary>The options each tunnel type allows (tunnel_types_v_options over tprt, nocs, csum, remc), indexed by type.</summary>
    public static readonly string[] TunnelOptions =
    [
        "xxxx", // ipip
        "+111", // gue
        "x11x", // gre
    ];

    public static readonly int[] TunnelOptionIndexes = [TunPort, TunNoCsum, TunCsum, TunRemCsum];

    // popt option values: the short letter where there is one, else a tag from 128 (ipvsadm's TAG_*).
    public const int TagSet = 128;
    public const int TagStartDaemon = 129;
    public const int TagStopDaemon = 130;
    public const int TagMcastInterface = 131;
    public const int TagTimeout = 132;
    public const int TagDaemon = 133;
    public const int TagStats = 134;
    public const int TagRate = 135;
    public const int TagThresholds = 136;
    public const int TagPersistentConn = 137;
    public const int TagSort = 138;
    public const int TagNoSort = 139;
    public const int TagPersistenceEngine = 140;
    public const int TagSctpService = 141;
    public const int TagMcastGroup = 142;
    public const int TagMcastPort = 143;
    public const int TagMcastTtl = 144;
    public const int TagSyncMaxLen = 145;
    public const int TagTunInfo = 146;
    public const int TagTunType = 147;
    public const int TagTunPort = 148;
    public const int TagTunNoCsum = 149;
    public const int TagTunCsum = 150;
    public const int TagTunRemCsum = 151;

    /// <summary>ipvsadm's popt table, in its order (which decides between the two "list" entries).</summary>
    public static readonly PoptOption[] Options =
    [
        new("add-service", 'A', false, false, 'A'),
        new("edit-service", 'E', false, false, 'E'),
        new("delete-service", 'D', false, false, 'D'),
        new("clear", 'C', false, false, 'C'),
        new("list", 'L', false, false, 'L'),
        new("list", 'l', false, false, 'l'),
        new("zero", 'Z', false, false, 'Z'),
        new("add-server", 'a', false, false, 'a'),
        new("edit-server", 'e', false, false, 'e'),
        new("delete-server", 'd', false, false, 'd'),
        new("set", '\0', false, false, TagSet),
        new("help", 'h', false, false, 'h'),
        new("version", 'v', false, false, 'v'),
        new("restore", 'R', false, false, 'R'),
        new("save", 'S', false, false, 'S'),
        new("start-daemon", '\0', true, false, TagStartDaemon),
        new("stop-daemon", '\0', true, false, TagStopDaemon),
        new("tcp-service", 't', true, false, 't'),
        new("udp-service", 'u', true, false, 'u'),
        new("sctp-service", '\0', true, false, TagSctpService),
        new("fwmark-service", 'f', true, false, 'f'),
        new("scheduler", 's', true, false, 's'),
        new("persistent", 'p', true, true, 'p'),
        new("netmask", 'M', true, false, 'M'),
        new("real-server", 'r', true, false, 'r'),
        new("masquerading", 'm', false, false, 'm'),
        new("ipip", 'i', false, false, 'i'),
        new("gatewaying", 'g', false, false, 'g'),
        new("weight", 'w', true, false, 'w'),
        new("u-threshold", 'x', true, false, 'x'),
        new("l-threshold", 'y', true, false, 'y'),
        new("numeric", 'n', false, false, 'n'),
        new("connection", 'c', false, false, 'c'),
        new("mcast-interface", '\0', true, false, TagMcastInterface),
        new("syncid", '\0', true, false, 'I'),
        new("timeout", '\0', false, false, TagTimeout),
        new("daemon", '\0', false, false, TagDaemon),
        new("stats", '\0', false, false, TagStats),
        new("rate", '\0', false, false, TagRate),
        new("thresholds", '\0', false, false, TagThresholds),
        new("persistent-conn", '\0', false, false, TagPersistentConn),
        new("nosort", '\0', false, false, TagNoSort),
        new("sort", '\0', false, false, TagSort),
        new("exact", 'X', false, false, 'X'),
        new("ipv6", '6', false, false, '6'),
        new("ops", 'o', false, false, 'o'),
        new("pe", '\0', true, false, TagPersistenceEngine),
        new("sched-flags", 'b', true, false, 'b'),
        new("mcast-group", '\0', true, false, TagMcastGroup),
        new("mcast-port", '\0', true, false, TagMcastPort),
        new("mcast-ttl", '\0', true, false, TagMcastTtl),
        new("sync-maxlen", '\0', true, false, TagSyncMaxLen),
        new("tun-info", '\0', false, false, TagTunInfo),
        new("tun-type", '\0', true, false, TagTunType),
        new("tun-port", '\0', true, false, TagTunPort),
        new("tun-nocsum", '\0', false, false, TagTunNoCsum),
        new("tun-csum", '\0', false, false, TagTunCsum),
        new("tun-remcsum", '\0', false, false, TagTunRemCsum),
    ];
}
