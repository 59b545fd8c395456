using System.Globalization;
using System.Text;
using Ipvs.Testing;

namespace Ipvs.KernelTests.Adm;

/// <summary>How our side runs each command.</summary>
public enum AdmInvocation
{
    /// <summary><c>ipvs adm ARGS</c>.</summary>
    Subcommand,

    /// <summary>The binary through a link named ipvsadm (argv[0] "ipvsadm").</summary>
    Link,

    /// <summary>Alternately, command by command.</summary>
    Mixed,
}

/// <summary>
/// Runs a command sequence once through Debian's ipvsadm and once through ours, each side in a
/// fresh network namespace with its own private /etc/hosts and /etc/services (bind-mounted in a
/// private mount namespace: the real files are never touched), and compares every command's
/// standard output, standard error and exit status, and the kernel's state after it as Debian's
/// <c>ipvsadm -Sn</c> (plus timeouts and daemons) shows it.
/// </summary>
public static class AdmDifferential
{
    private const string Hosts = """
        127.0.0.1 localhost
        198.18.0.1 web.example vip1
        198.18.0.99 averyveryveryveryverylonghostnamethatexceedsthirtythreecharacters.example.com
        198.18.1.1 rs1.example
        198.18.1.2 rs2-with-a-rather-long-name.example
        2001:db8::1 v6web.example
        2001:db8:1::2 rs6-with-a-really-long-name-that-goes-past-the-sixty-byte-buffer.example.org

        """;

    private static int s_counter;

    /// <summary>Runs both sides and returns the differences (empty when identical).</summary>
    public static IReadOnlyList<string> Run(IReadOnlyList<AdmTestCommand> commands, string ipvsBinary, AdmInvocation invocation, TextWriter? log = null)
    {
        // A new directory every time: process ids repeat from one lab boot to the next, and an
        // interrupted run leaves its directory behind.
        var work = Directory.CreateTempSubdirectory($"ipvs-adm-diff-{Interlocked.Increment(ref s_counter)}-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(work, "hosts"), Hosts);
            File.WriteAllText(Path.Combine(work, "services"), File.ReadAllText("/etc/services") + "customsvc\t8123/tcp\ncustomudp\t9123/udp\nsctpsvc\t7123/sctp\n");
            Directory.CreateDirectory(Path.Combine(work, "bin"));
            File.CreateSymbolicLink(Path.Combine(work, "bin", "ipvsadm"), ipvsBinary);

            var started = DateTime.UtcNow;
            RunSide(work, "a", commands, null, invocation);
            log?.WriteLine($"ipvsadm side: {(DateTime.UtcNow - started).TotalSeconds:0.0} s");
            started = DateTime.UtcNow;
            RunSide(work, "b", commands, ipvsBinary, invocation);
            log?.WriteLine($"ipvs side: {(DateTime.UtcNow - started).TotalSeconds:0.0} s");
            var differences = Compare(work, commands);
            log?.WriteLine(Summary(work, commands.Count));
            return differences;
        }
        finally
        {
            if (Environment.GetEnvironmentVariable("IPVS_ADM_KEEP") != "1")
            {
                Directory.Delete(work, recursive: true);
            }
            else
            {
                log?.WriteLine($"kept {work}");
            }
        }
    }

    private static void RunSide(string work, string side, IReadOnlyList<AdmTestCommand> commands, string? ipvsBinary, AdmInvocation invocation)
    {
        var directory = Path.Combine(work, side);
        Directory.CreateDirectory(directory);
        var script = new StringBuilder();
        script.Append("set +e\n");
        script.Append($"mount --bind {Quote(Path.Combine(work, "hosts"))} /etc/hosts || exit 90\n");
        script.Append($"mount --bind {Quote(Path.Combine(work, "services"))} /etc/services || exit 91\n");
        script.Append($"cd {Quote(directory)} || exit 92\n");
        script.Append("ulimit -c 0\n");
        if (ipvsBinary is not null)
        {
            script.Append($"PATH={Quote(Path.Combine(work, "bin"))}:$PATH\n");
        }

        // Which tools answer here: checked before anything is compared.
        script.Append("ipvsadm -v > canary.link 2>&1\n");
        if (ipvsBinary is not null)
        {
            script.Append(CultureInfo.InvariantCulture, $"{Quote(ipvsBinary)} adm -v > canary.sub 2>&1\n");
        }

        for (var i = 0; i < commands.Count; i++)
        {
            var command = commands[i];
            var input = "/dev/null";
            if (command.StandardInput is not null)
            {
                input = $"{i}.in";
                File.WriteAllText(Path.Combine(directory, input), command.StandardInput, Encoding.Latin1);
            }

            var args = string.Join(' ', command.Arguments.Select(Quote));
            var tool = "ipvsadm";
            if (ipvsBinary is not null && (invocation == AdmInvocation.Subcommand || (invocation == AdmInvocation.Mixed && i % 2 == 0)))
            {
                tool = Quote(ipvsBinary) + " adm";
            }

            script.Append(CultureInfo.InvariantCulture, $"{tool} {args} > {i}.out 2> {i}.err < {input}; rc=$?; echo $rc > {i}.rc\n");
            if (MayChangeState(command))
            {
                // A refused command line (status 2) changes nothing, unless it was a restore's later line.
                var condition = command.StandardInput is null ? "[ $rc != 2 ] && " : string.Empty;
                script.Append(CultureInfo.InvariantCulture, $"{condition}/usr/sbin/ipvsadm -Sn > {i}.state 2>&1\n");
            }
            if (ChangesTimeoutsOrDaemons(command))
            {
                script.Append(CultureInfo.InvariantCulture, $"{{ /usr/sbin/ipvsadm -L --timeout; /usr/sbin/ipvsadm -L --daemon; }} > {i}.extra 2>&1\n");
            }

            if (ipvsBinary is not null && IsNoSortListing(command))
            {
                // The kernel's own order depends on the namespace: check it against ipvsadm in this one.
                // exec -a: Debian's binary with the argv[0] the other side has, which usage errors print.
                script.Append(CultureInfo.InvariantCulture, $"(exec -a ipvsadm /usr/sbin/ipvsadm {args}) > {i}.same.out 2> {i}.same.err < {input}; echo $? > {i}.same.rc\n");
            }
        }

        script.Append("/usr/sbin/ipvsadm -L --timeout > final.extra 2>&1; /usr/sbin/ipvsadm -L --daemon >> final.extra 2>&1\n");
        File.WriteAllText(Path.Combine(directory, "run.sh"), script.ToString());

        var ns = $"ipvs-adm-{side}-{Environment.ProcessId}-{Interlocked.Increment(ref s_counter)}";
        HostCommand.Check("ip", "netns", "add", ns);
        try
        {
            HostCommand.Check("ip", "-n", ns, "link", "set", "lo", "up");

            // IPv4 real servers must be reachable unicast addresses (else EINVAL): put 198.18.0.0/15 on a link.
            HostCommand.Check("ip", "-n", ns, "link", "add", "adm0", "type", "dummy");
            HostCommand.Check("ip", "-n", ns, "link", "set", "adm0", "up");
            HostCommand.Check("ip", "-n", ns, "addr", "add", "198.18.255.254/15", "dev", "adm0");
            var result = HostCommand.Run(
                "ip",
                ["netns", "exec", ns, "unshare", "-m", "--propagation", "private", "bash", Path.Combine(directory, "run.sh")],
                timeout: TimeSpan.FromMinutes(30));
            if (result.ExitCode is >= 90 and <= 92)
            {
                throw new InvalidOperationException($"The {side} side could not be set up: {result}");
            }
        }
        finally
        {
            HostCommand.Run("ip", "netns", "delete", ns);
        }
    }

    private static List<string> Compare(string work, IReadOnlyList<AdmTestCommand> commands)
    {
        CheckCanary(Path.Combine(work, "a", "canary.link"), "ipvsadm v1.31 ");
        CheckCanary(Path.Combine(work, "b", "canary.link"), "ipvs adm v");
        CheckCanary(Path.Combine(work, "b", "canary.sub"), "ipvs adm v");
        var differences = new List<string>();
        for (var i = 0; i < commands.Count; i++)
        {
            var command = commands[i];
            var noSort = command.Arguments.Contains("--nosort") || (command.StandardInput?.Contains("--nosort", StringComparison.Ordinal) ?? false);
            foreach (var part in new[] { "rc", "err", "out", "state", "extra" })
            {
                var expected = Read(work, "a", i, part);
                var actual = Read(work, "b", i, part);
                if (part == "out")
                {
                    if (command.MayPrintUsage)
                    {
                        expected = UntilUsage(expected, "ipvsadm v1.31 ");
                        actual = UntilUsage(actual, "ipvs adm v");
                    }

                    if (noSort)
                    {
                        expected = NormalizeOrder(expected);
                        actual = NormalizeOrder(actual);
                    }
                }

                if (part == "err" && command.Arguments.Contains("-R") && command.StandardInput is not null)
                {
                    // bash reports a crash of the command with its name, which differs.
                    expected = ShellCrashNote(expected);
                    actual = ShellCrashNote(actual);
                }

                if (expected != actual)
                {
                    differences.Add(Describe(i, command, part, expected, actual));
                }
            }

            if (File.Exists(Path.Combine(work, "b", $"{i}.same.rc")))
            {
                foreach (var part in new[] { "rc", "err", "out" })
                {
                    var expected = Read(work, "b", i, "same." + part);
                    var actual = Read(work, "b", i, part);
                    if (expected != actual)
                    {
                        differences.Add(Describe(i, command, part + " (same namespace, --nosort)", expected, actual));
                    }
                }
            }
        }

        var finalExpected = File.ReadAllText(Path.Combine(work, "a", "final.extra"));
        var finalActual = File.ReadAllText(Path.Combine(work, "b", "final.extra"));
        if (finalExpected != finalActual)
        {
            differences.Add($"final timeouts and daemons differ:\n--- ipvsadm\n{finalExpected}--- ipvs\n{finalActual}");
        }

        return differences;
    }

    /// <summary>What the ipvsadm side did: exit statuses and how many commands printed, so a run that exercised little shows.</summary>
    private static string Summary(string work, int count)
    {
        var statuses = new SortedDictionary<string, int>(StringComparer.Ordinal);
        int printed = 0, complained = 0;
        for (var i = 0; i < count; i++)
        {
            var rc = Read(work, "a", i, "rc").Trim();
            statuses[rc] = statuses.GetValueOrDefault(rc) + 1;
            printed += Read(work, "a", i, "out").Length > 0 ? 1 : 0;
            complained += Read(work, "a", i, "err").Length > 0 ? 1 : 0;
        }

        return $"exit statuses {string.Join(", ", statuses.Select(p => $"{p.Key}: {p.Value}"))}; {printed} printed, {complained} wrote errors";
    }

    private static void CheckCanary(string path, string expected)
    {
        var text = File.Exists(path) ? File.ReadAllText(path) : "<none>";
        if (!text.StartsWith(expected, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"{path} should come from the tool whose version starts '{expected}' but says: {text}");
        }
    }

    private static string Read(string work, string side, int index, string part)
    {
        var path = Path.Combine(work, side, $"{index}.{part}");
        return File.Exists(path) ? Encoding.Latin1.GetString(File.ReadAllBytes(path)) : "<none>";
    }

    private static string Describe(int index, AdmTestCommand command, string part, string expected, string actual) =>
        $"#{index} {command} [{part}]\n--- ipvsadm\n{Show(expected)}--- ipvs\n{Show(actual)}";

    private static string Show(string text) => text.Length > 3000 ? text[..3000] + "…\n" : text.EndsWith('\n') || text.Length == 0 ? text : text + "⏎\n";

    private static string UntilUsage(string text, string versionLinePrefix)
    {
        var at = text.IndexOf(versionLinePrefix, StringComparison.Ordinal);
        return at < 0 ? text : text[..at] + "<usage or version>";
    }

    private static string ShellCrashNote(string text)
    {
        var lines = text.Split('\n').Where(l => !l.Contains("Segmentation fault", StringComparison.Ordinal));
        return string.Join('\n', lines);
    }

    /// <summary>
    /// With --nosort, services come in the kernel's hash order, which depends on the namespace:
    /// compare the blocks (a line with the lines "  -> …" under it) as a multiset.
    /// </summary>
    private static string NormalizeOrder(string text)
    {
        var blocks = new List<string>();
        var current = new StringBuilder();
        foreach (var line in text.Split('\n'))
        {
            if (!line.StartsWith("  -> ", StringComparison.Ordinal) && current.Length > 0)
            {
                blocks.Add(current.ToString());
                current.Clear();
            }

            current.Append(line).Append('\n');
        }

        blocks.Add(current.ToString());
        blocks.Sort(StringComparer.Ordinal);
        return string.Concat(blocks);
    }

    private static bool MayChangeState(AdmTestCommand command) =>
        command.StandardInput is not null
        || command.Arguments.Count == 0
        || !(command.Arguments[0] is "-L" or "-l" or "--list" or "-S" or "--save" or "-Sn" or "-Ln" or "-ln" or "-Lnc" or "-Lc" or "-LnX" or "-Ln6" or "-LL" or "-nL"
            || command.MayPrintUsage);

    private static bool ChangesTimeoutsOrDaemons(AdmTestCommand command) =>
        command.StandardInput is not null || command.Arguments.Any(a => a is "--set" or "--start-daemon" or "--stop-daemon");

    private static bool IsNoSortListing(AdmTestCommand command) =>
        command.StandardInput is null && command.Arguments.Contains("--nosort");

    private static string Quote(string text) => "'" + text.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
