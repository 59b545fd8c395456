using System.Text;
using Ipvs.Cli.Adm.Interop;

namespace Ipvs.Cli.Adm;

/// <summary>
/// <c>ipvs adm ARGS</c> and the <c>ipvsadm</c> link: ipvsadm 1.31's main and process_options,
/// with the same output, messages, streams and exit statuses, on one netlink socket, and
/// <c>-R</c> sent to the kernel in pipelined batches.
/// </summary>
internal sealed class AdmProgram
{
    /// <summary>The name <c>ipvs adm</c> prints where ipvsadm prints its argv[0].</summary>
    public const string DefaultProgramName = "ipvsadm";

    private readonly string _program;
    private readonly AdmOutput _out;
    private readonly AdmOutput _err;
    private readonly AdmParser _parser;
    private AdmKernel? _kernel;
    private AdmListing? _listing;

    private AdmProgram(string program, AdmOutput standardOutput, AdmOutput standardError)
    {
        _program = program;
        _out = standardOutput;
        _err = standardError;
        _parser = new AdmParser(
            Environment.GetEnvironmentVariable("POSIXLY_CORRECT") is not null || Environment.GetEnvironmentVariable("POSIX_ME_HARDER") is not null);
    }

    private AdmKernel Kernel => _kernel!;

    private AdmListing Listing => _listing ??= new AdmListing(Kernel, _out, _err);

    /// <summary>Runs ipvsadm with these arguments (without argv[0]) and returns the exit status.</summary>
    /// <param name="program">argv[0], which ipvsadm repeats in some messages.</param>
    /// <param name="args">The arguments as the runtime decoded them.</param>
    public static int Run(string program, string[] args)
    {
        var standardOutput = AdmOutput.StandardOutput();
        var standardError = AdmOutput.StandardError();
        var adm = new AdmProgram(ToBytes(program), standardOutput, standardError);
        int status;
        try
        {
            status = adm.Main(ToBytes(args));
        }
        catch (AdmStopException stop)
        {
            if (stop.Signal != 0)
            {
                standardOutput.Discard();
                Die(stop.Signal);
            }

            if (stop.StandardError is not null)
            {
                standardError.Write(stop.StandardError);
            }

            if (stop.StandardOutput is not null)
            {
                standardOutput.Write(stop.StandardOutput);
            }

            status = stop.ExitCode;
        }
        catch (Exception e) when (AdmKernel.IsKernelFailure(e) || e is IOException)
        {
            // Not a place where ipvsadm stops: a failure it would not have met (our socket's).
            standardError.Write("ipvs adm: " + e.Message + "\n");
            status = 255;
        }
        finally
        {
            adm._kernel?.Dispose();
        }

        standardOutput.Flush();
        return status & 0xFF;
    }

    private int Main(string[] args)
    {
        _kernel = AdmKernel.Open();
        if (args.Length == 0)
        {
            Listing.ListAll(AdmFormat.None);
            return 0;
        }

        var argv = new string[args.Length + 1];
        argv[0] = _program;
        args.CopyTo(argv, 1);
        return ProcessOptions(argv);
    }

    /// <summary>process_options for the command line itself.</summary>
    private int ProcessOptions(string[] argv)
    {
        var request = _parser.Parse(argv, out var softError);
        if (request is null)
        {
            _err.Write(softError!);
            return -1;
        }

        if (AdmKernel.ToOperation(request) is { } operation)
        {
            var errno = Kernel.Execute([operation])[0];
            return Report(operation, errno);
        }

        if (request.Command == AdmCommand.Restore)
        {
            return RestoreTable();
        }

        RunListing(request);
        return 0;
    }

    private void RunListing(AdmRequest request)
    {
        switch (request.Command)
        {
            case AdmCommand.Save:
                Listing.ListAll(request.Format | AdmFormat.Rule);
                break;
            case AdmCommand.List when request.Has(AdmTables.Connection):
                new ConnectionListing(_out).List(request.Format);
                break;
            case AdmCommand.List when request.Has(AdmTables.Service):
                Listing.ListService(request, request.Format);
                break;
            case AdmCommand.List when request.Has(AdmTables.Timeout):
                Listing.ListTimeout();
                break;
            case AdmCommand.List when request.Has(AdmTables.Daemon):
                Listing.ListDaemon();
                break;
            case AdmCommand.List:
                Listing.ListAll(request.Format);
                break;
        }
    }

    /// <summary>What process_options does after a change: note the function, print the error, return 0 or -1.</summary>
    private int Report(AdmOperation operation, int errno)
    {
        if (operation.Function is { } function)
        {
            Kernel.LastFunction = function;
        }

        if (errno == 0)
        {
            return 0;
        }

        _err.Write(Kernel.StrError(errno) + "\n");
        return -1;
    }

    /// <summary>
    /// restore_table: every line of standard input as a command line. Changes are queued and sent
    /// together before the next read and before anything that must see them (a listing) or stops
    /// (a failed line), then reported in line order: the outcome is ipvsadm's, line for line.
    /// </summary>
    private int RestoreTable()
    {
        var result = 0;
        var operations = new List<AdmOperation>();
        var pending = new List<(int Operation, string? Message)>();

        void Apply()
        {
            if (pending.Count == 0)
            {
                return;
            }

            var errors = Kernel.Execute(operations);
            foreach (var (index, message) in pending)
            {
                if (message is not null)
                {
                    _err.Write(message);
                    result = -1;
                }
                else
                {
                    result = Report(operations[index], errors[index]);
                }
            }

            pending.Clear();
            operations.Clear();
        }

        var reader = new RestoreReader(0, Apply);
        while (reader.ReadLine(_program) is { } words)
        {
            if (words.Count <= 1)
            {
                continue;
            }

            AdmRequest? request;
            string? softError;
            try
            {
                request = _parser.Parse([.. words], out softError);
            }
            catch (AdmStopException)
            {
                Apply();
                throw;
            }

            if (request is null)
            {
                pending.Add((-1, softError));
                continue;
            }

            if (AdmKernel.ToOperation(request) is { } operation)
            {
                pending.Add((operations.Count, null));
                operations.Add(operation);
                continue;
            }

            Apply();
            if (request.Command == AdmCommand.Restore)
            {
                // process_options refuses to restore while reading standard input.
                throw AdmStopException.Exit(255, $"Try `{_program} -h' or '{_program} --help' for more information.\n");
            }

            RunListing(request);
            result = 0;
        }

        Apply();
        return result;
    }

    /// <summary>Dies of a signal as ipvsadm does (the runtime handles SIGSEGV; put it back first).</summary>
    private static void Die(int signal)
    {
        AdmLibC.Signal(signal, 0);
        AdmLibC.Raise(signal);
        AdmLibC.Exit(128 + signal);
    }

    /// <summary>Arguments as C sees them: the bytes of each, one character per byte.</summary>
    private static string[] ToBytes(string[] args)
    {
        var result = new string[args.Length];
        for (var i = 0; i < args.Length; i++)
        {
            result[i] = ToBytes(args[i]);
        }

        return result;
    }

    private static string ToBytes(string text)
    {
        foreach (var c in text)
        {
            if (c >= 0x80)
            {
                var bytes = Encoding.UTF8.GetBytes(text);
                return string.Create(bytes.Length, bytes, static (span, raw) =>
                {
                    for (var i = 0; i < span.Length; i++)
                    {
                        span[i] = (char)raw[i];
                    }
                });
            }
        }

        return text;
    }
}
