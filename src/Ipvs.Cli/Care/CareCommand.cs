namespace Ipvs.Cli.Care;

/// <summary>
/// <c>ipvs care …</c> and <c>sealctl ipvs …</c>: lvscare's health-checking daemon. Flags as
/// lvscare and sealctl have them; exit 0 on success, 1 when the kernel or the system refused,
/// 2 on bad flags (nothing is created then).
/// </summary>
internal static class CareCommand
{
    public static int Run(string[] args, bool invokedAsSealctl)
    {
        var name = invokedAsSealctl ? "sealctl ipvs" : "ipvs care";
        // sealctl reads unset flags from IPVS_<FLAG>, lvscare's care command from CARE_<FLAG>.
        var prefix = invokedAsSealctl ? "IPVS" : "CARE";
        if (!CareFlags.TryParse(args, prefix, Environment.GetEnvironmentVariable, out var options, out var help, out var error))
        {
            if (help)
            {
                Console.Out.Write(Usage(name));
                return 0;
            }

            Console.Error.WriteLine($"{name}: {error}");
            Console.Error.WriteLine($"Run '{name} --help' for the flags.");
            return 2;
        }

        if (options.PrintStaticPod)
        {
            Console.Out.Write(StaticPod.Render(options.StaticPodArguments, options.Image, options.File));
            return 0;
        }

        var stdout = new StreamWriter(Console.OpenStandardOutput()) { AutoFlush = false };
        var log = new CareLog(stdout, options.LogLevel, options.JsonLogs, options.ShowPath, TimeProvider.System);
        var daemon = new CareDaemon(options, log, TimeProvider.System, Environment.GetEnvironmentVariable)
        {
            Reloader = current => CareFlags.TryParse(args, prefix, Environment.GetEnvironmentVariable, out var reloaded, out _, out var reloadError)
                ? (reloaded, null)
                : (null, reloadError),
        };
        try
        {
            return daemon.RunAsync().GetAwaiter().GetResult();
        }
        finally
        {
            stdout.Flush();
        }
    }

    public static string Usage(string name) =>
        $"""
        Keeps a virtual server in front of a set of real servers and routes only to the healthy
        ones: probes each real server every interval (HTTPS, HTTP, TCP), drains an unhealthy one
        (weight 0), removes it, restores it when it recovers, and puts back what others delete.
        Compatible with lvscare and `sealctl ipvs`.

        Usage:
          {name} --vs ADDRESS:PORT --rs ADDRESS:PORT [--rs ...] [flags]
          {name} -f FILE [flags]
          {name} --vs ADDRESS:PORT -C

        Examples:
          {name} --vs 169.254.0.1:6443 --rs 192.168.0.2:6443 --rs 192.168.0.3:6443
          {name} --vs 169.254.0.1:6443 --rs 192.168.0.2:6443 --run-once
          {name} --clean
          {name} --vs 10.103.97.2:6443 --rs 192.168.0.2:6443 --print-static-pod > /etc/kubernetes/manifests/ipvs-care.yaml

        Flags:
        {CareFlags.Create().Usage()}
        Signals: SIGTERM/SIGINT stop probing and exit, leaving the rules (unless --clean-on-exit);
        SIGHUP re-reads the file (-f). With NOTIFY_SOCKET set (systemd Type=notify) it reports
        readiness and feeds the watchdog.

        """;
}
