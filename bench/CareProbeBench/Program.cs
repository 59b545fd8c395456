using System.Globalization;
using System.Net;
using Ipvs.Health;
using Ipvs.Model;

// Probes N servers (HOST:FIRST..LAST) every interval exactly as an `ipvs care` round does — every
// server at once, results counted by the health policy — and reports this process's CPU and
// memory over the measured time. Usage:
//   CareProbeBench TYPE HOST FIRST LAST [SECONDS=60] [WARMUP=15] [INTERVAL=1s]
var type = HealthProbers.TryParse(args[0], out var t) ? t : throw new ArgumentException("type: https, http, tcp or none");
var host = IPAddress.Parse(args[1]);
var first = int.Parse(args[2], CultureInfo.InvariantCulture);
var last = int.Parse(args[3], CultureInfo.InvariantCulture);
var seconds = args.Length > 4 ? int.Parse(args[4], CultureInfo.InvariantCulture) : 60;
var warmup = args.Length > 5 ? int.Parse(args[5], CultureInfo.InvariantCulture) : 15;
var interval = TimeSpan.FromSeconds(args.Length > 6 ? double.Parse(args[6], CultureInfo.InvariantCulture) : 1);

var options = new HealthCheckOptions { Type = type, Interval = interval };
var servers = Enumerable.Range(first, last - first + 1).Select(p => new RealServer(host, (ushort)p)).ToList();
var health = new ServiceHealth(servers, options);
using var prober = HealthProbers.Create(options);
var scheduler = new RoundScheduler(interval);
long ok = 0, failed = 0;
using var stop = new CancellationTokenSource();
var run = scheduler.RunAsync(
    async token =>
    {
        var now = scheduler.Now;
        var results = await Task.WhenAll(health.Servers.Select(s => prober.ProbeAsync(s.Server.Address, s.Server.Port, token).AsTask())).ConfigureAwait(false);
        health.Record(results, now);
        _ = health.Desired(now);
        MallocTrim(0); // as the daemon does after each round (NativeMemory.TrimAfterRound)

        Interlocked.Add(ref ok, results.Count(r => r.IsHealthy));
        Interlocked.Add(ref failed, results.Count(r => !r.IsHealthy));
    },
    stop.Token);

await Task.Delay(TimeSpan.FromSeconds(warmup));
var (cpu0, at0) = (Cpu(), Environment.TickCount64);
var (ok0, failed0, rounds0) = (Interlocked.Read(ref ok), Interlocked.Read(ref failed), scheduler.Rounds);
long rssSum = 0, rssMax = 0;
for (var i = 0; i < seconds; i++)
{
    await Task.Delay(1000);
    var rss = Status("VmRSS");
    rssSum += rss;
    rssMax = Math.Max(rssMax, rss);
}

var (cpu1, at1) = (Cpu(), Environment.TickCount64);
await stop.CancelAsync();
try
{
    await run;
}
catch (OperationCanceledException)
{
}

var gc = GC.GetGCMemoryInfo();
Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  managed heap {gc.HeapSizeBytes / 1048576.0:0.0} MB, committed {gc.TotalCommittedBytes / 1048576.0:0.0} MB, fragmented {gc.FragmentedBytes / 1048576.0:0.0} MB"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"{args[0],-6} {100.0 * (cpu1 - cpu0) / ((at1 - at0) / 1000.0),10:0.0} {rssSum / (double)seconds / 1024,8:0.0} {rssMax / 1024.0,9:0.0} {Status("VmHWM") / 1024.0,9:0.0} {scheduler.Rounds - rounds0,8} {Interlocked.Read(ref ok) - ok0,12} {Interlocked.Read(ref failed) - failed0,12}"));

// utime + stime of this process, in seconds.
static double Cpu()
{
    var fields = File.ReadAllText("/proc/self/stat").Split(')')[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
    return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
}

// A /proc/self/status value in KiB.
static long Status(string name) =>
    long.Parse(File.ReadLines("/proc/self/status").First(l => l.StartsWith(name + ":", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);

[System.Runtime.InteropServices.DllImport("libc", EntryPoint = "malloc_trim")]
static extern int MallocTrim(nuint pad);
