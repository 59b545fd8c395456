using Ipvs.Cli.Adm;

namespace Ipvs.Cli;

/// <summary>
/// The <c>ipvs</c> command. Picks the command family from the name it was invoked by (a link
/// named <c>ipvsadm</c> or <c>sealctl</c>) or from the first argument.
/// </summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        var argv0 = Environment.GetCommandLineArgs()[0];
        return InvokedName(argv0) switch
        {
            "ipvsadm" => AdmProgram.Run(argv0, args),
            _ => RunIpvs(args),
        };
    }

    private static int RunIpvs(string[] args)
    {
        if (args.Length > 0)
        {
            switch (args[0])
            {
                case "adm":
                    return AdmProgram.Run(AdmProgram.DefaultProgramName, args[1..]);
                case "demo":
                    return DemoCommand.Run(args[1..]);
                case "apply" or "diff" or "export":
                    return State.StateCommand.Run(args);
            }
        }

        return CliRoot.Run(args);
    }

    /// <summary>The file name the binary was started as (argv[0]), which a link can change.</summary>
    internal static string InvokedName(string argv0) => Path.GetFileNameWithoutExtension(argv0);
}
