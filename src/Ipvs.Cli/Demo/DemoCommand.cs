using System.Net;
using Ipvs.Model;

namespace Ipvs.Cli;

/// <summary>A short live session: creates a virtual service with real servers through the library and lists it.</summary>
internal static class DemoCommand
{
    public static int Run(string[] args)
    {
        _ = args;
        using var client = IpvsClient.Open();
        var info = client.GetInfo();
        Console.WriteLine($"IPVS {info.Version} (connection table size {info.ConnectionTableSize})");
        var key = VirtualServiceKey.Tcp(IPAddress.Parse("198.18.0.1"), 80);
        var result = client.Execute(
        [
            IpvsOperation.AddService(new VirtualService(key) { Scheduler = "rr" }),
            IpvsOperation.AddRealServer(key, new RealServer(IPAddress.Parse("198.18.1.1"), 8080)),
            IpvsOperation.AddRealServer(key, new RealServer(IPAddress.Parse("198.18.1.2"), 8080) { Weight = 2 }),
            IpvsOperation.AddRealServer(key, new RealServer(IPAddress.Parse("198.18.1.3"), 8080) { Weight = 3, ForwardingMethod = ForwardingMethod.DirectRoute }),
        ]);
        foreach (var r in result)
        {
            Console.WriteLine($"{r.Operation.Kind} {r.Operation.Describe()}: {(r.Succeeded ? "ok" : r.Error!.Message)}");
        }

        foreach (var entry in client.GetTable())
        {
            Console.WriteLine($"{entry.Service.Key} {entry.Service.Scheduler} flags={entry.Service.Flags} netmask={KernelNetmask(entry.Service.Netmask):X}");
            foreach (var server in entry.RealServers)
            {
                Console.WriteLine($"  -> {server.Endpoint} {server.ForwardingMethod} weight {server.Weight} active {server.ActiveConnections}");
            }
        }

        return result.AllSucceeded ? 0 : 1;
    }

    // The demo has always printed the kernel's number (a mask for IPv4, a prefix for IPv6) in hex.
    private static uint KernelNetmask(PersistenceNetmask netmask) =>
        netmask.Family == System.Net.Sockets.AddressFamily.InterNetworkV6
            ? (uint)netmask.PrefixLength.GetValueOrDefault()
            : System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(netmask.ToAddress().GetAddressBytes());
}
