using System.CommandLine;
using System.Globalization;
using Ipvs.Cli.Common;
using Ipvs.Cli.Import;
using Ipvs.Cli.Output;
using Ipvs.Model;

namespace Ipvs.Cli.Doctor;

/// <summary>
/// <c>ipvs doctor</c>: why a virtual address does not answer. Reads the host once, runs the
/// checks, prints each finding with its evidence and fix, and exits 1 when one is an error
/// (warnings and notes leave it 0; 2 is a usage error).
/// </summary>
internal static class DoctorCommand
{
    public static CliCommand Build(CliContext context)
    {
        var service = new Option<string>("--vs", "--service") { Description = "Only this service's findings (and the host's): tcp/VIP:PORT, udp/..., sctp/..., fwm/MARK", HelpName = "service" };
        var file = new Option<string>("--file", "-f") { Description = "Also check the services of this file against the kernel: an ipvs apply or ipvs care -f file, or keepalived's configuration (a name ending in .conf)", HelpName = "file" };
        var command = new CliCommand("doctor", "Check this host for what stops IPVS from working: the kernel, its sysctls, each service's addresses and routes, other managers of the table");
        command.Options.Add(service);
        command.Options.Add(file);
        command.SetAction(parseResult =>
        {
            VirtualServiceKey? only = null;
            if (parseResult.GetValue(service) is { } text)
            {
                only = VirtualServiceKey.TryParse(text, out var key, out var error) ? key : throw new UsageException($"--vs {text}: {error}");
            }

            IReadOnlyList<ServiceFacts> configured = [];
            if (parseResult.GetValue(file) is { } path)
            {
                if (!KeepalivedServices.TryLoadAny(path, out var services, out var error))
                {
                    throw new CliOperationException(error);
                }

                configured = services.Select(s => new ServiceFacts(s.Service, s.RealServers)).ToList();
            }

            var facts = DoctorFactsReader.Read(() => context.Environment.OpenClient(), configured);
            var findings = DoctorChecks.Run(facts, only);
            if (only is not null && facts.Ipvs is not null && !facts.Services.Any(s => s.Service.Key == only))
            {
                findings.Add(new Finding(Severity.Error, "service.exists", only.ToString(), "no such virtual service in the kernel", "ipvs service list has no " + only, $"ipvs service add {only}"));
            }

            Print(context, parseResult.GetValue(context.Output), findings);
            return findings.Any(f => f.Severity == Severity.Error) ? 1 : 0;
        });
        return command.WithExamples("doctor", "doctor --vs tcp/198.51.100.1:80", "doctor -f /etc/ipvs/care.yaml -o json", "doctor -f /etc/keepalived/keepalived.conf");
    }

    private static void Print(CliContext context, OutputFormat format, List<Finding> findings)
    {
        var ordered = findings.OrderByDescending(f => f.Severity).ToList();
        var view = new DoctorView(
            ordered.Count(f => f.Severity == Severity.Error),
            ordered.Count(f => f.Severity == Severity.Warning),
            ordered.Select(f => new FindingView(Name(f.Severity), f.Check, f.Subject, f.Message, f.Evidence, f.Fix)).ToList());
        OutputWriter.Write(context.Console.Out, format, view, CliJsonContext.Default.DoctorView, output =>
        {
            output.WriteLine($"ipvs doctor: {Count(view.Errors, "error")}, {Count(view.Warnings, "warning")}, {ordered.Count(f => f.Severity == Severity.Info)} note(s), {ordered.Count(f => f.Severity == Severity.Ok)} ok");
            foreach (var finding in view.Findings)
            {
                output.WriteLine($"{finding.Severity.ToUpperInvariant(),-8}{finding.Subject}: {finding.Message} [{finding.Check}]");
                output.WriteLine($"        evidence: {finding.Evidence}");
                if (finding.Fix is { } fix)
                {
                    output.WriteLine($"        fix: {fix}");
                }
            }
        });
    }

    private static string Count(int n, string what) => n.ToString(CultureInfo.InvariantCulture) + " " + what + (n == 1 ? string.Empty : "s");

    private static string Name(Severity severity) => severity switch
    {
        Severity.Error => "error",
        Severity.Warning => "warning",
        Severity.Info => "info",
        _ => "ok",
    };
}

/// <summary>What <c>ipvs doctor -o json</c> prints.</summary>
internal sealed record DoctorView(int Errors, int Warnings, IReadOnlyList<FindingView> Findings);

/// <summary>One finding: severity (ok, info, warning, error), the check's name, what it is about, the message, the evidence, the fix.</summary>
internal sealed record FindingView(string Severity, string Check, string Subject, string Message, string Evidence, string? Fix);
