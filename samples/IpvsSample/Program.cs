// A consumer of the Ipvs packages: applies a declarative file to an IPVS table and lists it.
//   IpvsSample            an in-memory IPVS (no kernel, no privileges)
//   IpvsSample --kernel   the kernel's IPVS (CAP_NET_ADMIN)
using Ipvs;
using Ipvs.Model;
using Ipvs.State;

const string File = """
    services:
      - service: tcp/198.18.0.1:80
        scheduler: rr
        servers: [198.18.1.1:8080, {address: 198.18.1.2, port: 8080, weight: 3}]
      - service: udp/198.18.0.1:53
        servers: [198.18.1.3]
    """;

var config = IpvsConfigReader.Parse(File, "sample.yaml").GetConfigOrThrow();
IIpvs ipvs = args is ["--kernel"] ? IpvsClient.Open() : new InMemoryIpvs();
try
{
    var result = await new IpvsReconciler(ipvs, new IpvsReconcilerOptions { CheckKernelSupport = false }).ApplyAsync(config);
    Console.WriteLine($"applied {result.Execution?.AppliedCount ?? 0} changes");
    foreach (var entry in IpvsOrder.Services(ipvs.GetTable()))
    {
        Console.WriteLine($"{entry.Service.Key} {entry.Service.Scheduler}");
        foreach (var server in IpvsOrder.Servers(entry.RealServers))
        {
            Console.WriteLine($"  -> {server.Endpoint} weight {server.Weight}");
        }
    }

    try
    {
        ipvs.AddService(new VirtualService(VirtualServiceKey.Parse("tcp/198.18.0.1:80")));
    }
    catch (ServiceExistsException e)
    {
        Console.WriteLine($"refused: {e.Reason}");
    }

    return result.Succeeded ? 0 : 1;
}
finally
{
    (ipvs as IDisposable)?.Dispose();
}
