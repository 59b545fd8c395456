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
            "sealctl" => RunSealctl(args),
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
                case "care":
                    return Care.CareCommand.Run(args[1..], invokedAsSealctl: false);
            }
        }

        return CliRoot.Run(args);
    }

    /// <summary>
    /// <c>sealctl ipvs …</c>: the one sealctl command this binary provides. sealctl's global
    /// flags (--debug, --show-path) may come before "ipvs"; they are passed on with the rest.
    /// </summary>
    private static int RunSealctl(string[] args)
    {
        var index = Array.FindIndex(args, a => !a.StartsWith('-'));
        if (index >= 0 && args[index] == "ipvs")
        {
            return Care.CareCommand.Run([.. args[..index], .. args[(index + 1)..]], invokedAsSealctl: true);
        }

        Console.Error.WriteLine(index < 0
            ? "usage: sealctl ipvs --vs ADDRESS:PORT --rs ADDRESS:PORT [flags] (this binary provides only 'sealctl ipvs')"
            : $"sealctl: unknown command \"{args[index]}\": this binary provides only 'sealctl ipvs'");
        return 2;
    }

    /// <summary>The file name the binary was started as (argv[0]), which a link can change.</summary>
    internal static string InvokedName(string argv0) => Path.GetFileNameWithoutExtension(argv0);
}
