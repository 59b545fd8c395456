using System.Globalization;
using Ipvs.Model;

namespace Ipvs.Cli.Output;

/// <summary>The table forms of the views (the JSON and YAML forms come from the views directly).</summary>
internal static class Tables
{
    public static void Services(TextWriter output, IReadOnlyList<ServiceView> services, bool stats)
    {
        var table = new TextTable().Column("SERVICE");
        if (stats)
        {
            AddStatsColumns(table);
            foreach (var service in services)
            {
                table.Row([service.Service, .. StatsCells(service.Stats)]);
            }
        }
        else
        {
            table.Column("SCHEDULER").Column("PERSISTENCE").Column("FLAGS").Column("SERVERS", numeric: true);
            foreach (var service in services)
            {
                table.Row(service.Service, service.Scheduler, Persistence(service), Flags(service), Number(service.Servers.Count));
            }
        }

        table.Write(output);
    }

    public static void Servers(TextWriter output, IReadOnlyList<ServerView> servers, bool withService, bool stats)
    {
        var table = new TextTable();
        if (withService)
        {
            table.Column("SERVICE");
        }

        table.Column("SERVER");
        if (stats)
        {
            AddStatsColumns(table);
        }
        else
        {
            table.Column("FORWARD").Column("WEIGHT", numeric: true).Column("ACTIVE", numeric: true).Column("INACTIVE", numeric: true)
                .Column("PERSISTENT", numeric: true).Column("THRESHOLDS").Column("TUNNEL");
        }

        foreach (var server in servers)
        {
            var cells = new List<string>(16);
            if (withService)
            {
                cells.Add(server.Service);
            }

            cells.Add(server.Server);
            if (stats)
            {
                cells.AddRange(StatsCells(server.Stats));
            }
            else
            {
                cells.Add(server.Forward);
                cells.Add(Number(server.Weight));
                cells.Add(Number(server.ActiveConnections));
                cells.Add(Number(server.InactiveConnections));
                cells.Add(Number(server.PersistentConnections));
                cells.Add(server.UpperThreshold == 0 && server.LowerThreshold == 0
                    ? "-"
                    : Number(server.LowerThreshold) + "-" + Number(server.UpperThreshold));
                cells.Add(Tunnel(server.Tunnel));
            }

            table.Row([.. cells]);
        }

        table.Write(output);
    }

    /// <summary><c>300s</c>, <c>300s /24</c>, <c>300s /24 pe sip</c>, or <c>-</c>.</summary>
    public static string Persistence(ServiceView service)
    {
        if (!service.Persistent)
        {
            return service.PersistenceEngine is null ? "-" : "pe " + service.PersistenceEngine + " (not persistent)";
        }

        var text = Number(service.Timeout) + "s";
        var full = service.Family == "ipv6" ? 128 : 32;
        if (service.PrefixLength != full)
        {
            text += service.PrefixLength is { } prefix ? " /" + Number(prefix) : " mask " + service.Netmask;
        }

        return service.PersistenceEngine is null ? text : text + " pe " + service.PersistenceEngine;
    }

    public static string Flags(ServiceView service)
    {
        var flags = new List<string>(service.SchedulerFlags);
        if (service.OnePacket)
        {
            flags.Insert(0, "ops");
        }

        return flags.Count == 0 ? "-" : string.Join(',', flags);
    }

    public static string Tunnel(TunnelView? tunnel) => tunnel switch
    {
        null => "-",
        { Port: { } port } => tunnel.Type + ":" + Number(port) + ":" + tunnel.Checksum,
        { Checksum: { } checksum } => tunnel.Type + ":" + checksum,
        _ => tunnel.Type,
    };

    public static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    public static string Number(ulong value) => value.ToString(CultureInfo.InvariantCulture);

    private static void AddStatsColumns(TextTable table)
    {
        foreach (var counter in IpvsStatistics.Counters)
        {
            table.Column(counter.Column, numeric: true);
        }
    }

    private static string[] StatsCells(StatsView? stats)
    {
        var values = stats?.Statistics ?? new IpvsStatistics();
        return [.. IpvsStatistics.Counters.Select(c => Number(values[c.Counter]))];
    }
}
