using Ipvs.Cli.Output;

namespace Ipvs.Cli.Docs;

/// <summary>A fixed table for the reference's example and the tests that pin the schema.</summary>
internal static class SchemaSamples
{
    public static ServiceListView ServiceList { get; } = new(
    [
        new ServiceView(
            Service: "tcp/198.51.100.1:80",
            Family: "ipv4",
            Protocol: "tcp",
            Address: "198.51.100.1",
            Port: 80,
            Fwmark: null,
            Scheduler: "rr",
            SchedulerFlags: [],
            OnePacket: false,
            Persistent: true,
            Timeout: 300,
            Netmask: "255.255.255.0",
            PrefixLength: 24,
            PersistenceEngine: null,
            Stats: null,
            Servers:
            [
                new ServerView(
                    Service: "tcp/198.51.100.1:80",
                    Server: "192.0.2.10:8080",
                    Address: "192.0.2.10",
                    Port: 8080,
                    Family: "ipv4",
                    Forward: "masq",
                    Weight: 3,
                    UpperThreshold: 0,
                    LowerThreshold: 0,
                    Tunnel: null,
                    ActiveConnections: 2,
                    InactiveConnections: 5,
                    PersistentConnections: 1,
                    Stats: null),
            ]),
    ]);
}
