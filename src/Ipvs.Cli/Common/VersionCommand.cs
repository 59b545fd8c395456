using System.Reflection;
using Ipvs.Cli.Output;

namespace Ipvs.Cli.Common;

/// <summary><c>ipvs version</c> and <c>ipvs --version</c>: this program's version and the kernel's IPVS.</summary>
internal static class VersionCommand
{
    public static CliCommand Build(CliContext context)
    {
        var command = new CliCommand("version", "Show the version of ipvs and of the kernel's IPVS");
        command.SetAction(parseResult => Print(context, parseResult));
        return command.WithExamples("version", "version -o json");
    }

    public static string ProgramVersion
    {
        get
        {
            var assembly = typeof(VersionCommand).Assembly;
            var informational = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
            var version = informational ?? assembly.GetName().Version?.ToString(3) ?? "0.0.0";
            var plus = version.IndexOf('+', StringComparison.Ordinal);
            return plus < 0 ? version : version[..plus];
        }
    }

    /// <summary>Prints the versions; the kernel part says why when IPVS is unavailable (exit status 0 either way).</summary>
    public static int Print(CliContext context, System.CommandLine.ParseResult parseResult)
    {
        KernelIpvsView? kernel = null;
        string? error = null;
        try
        {
            using var client = context.Environment.OpenClient();
            var info = client.GetInfo();
            kernel = new KernelIpvsView(info.Version.ToString(3), info.ConnectionTableSize, client.SupportsLocalAddresses);
        }
        catch (IpvsException e)
        {
            error = CliErrors.Describe(e);
        }

        var view = new VersionView(ProgramVersion, kernel, error);
        OutputWriter.Write(
            context.Console.Out,
            parseResult.GetValue(context.Output),
            view,
            CliJsonContext.Default.VersionView,
            output =>
            {
                output.WriteLine("ipvs " + view.Version);
                output.WriteLine(kernel is null
                    ? "kernel IPVS: " + error
                    : $"IP Virtual Server version {kernel.Version} (size={kernel.ConnectionTableSize}){(kernel.FullNat ? ", FULLNAT extension" : string.Empty)}");
            });
        return 0;
    }
}
