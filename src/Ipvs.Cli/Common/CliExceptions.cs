namespace Ipvs.Cli.Common;

/// <summary>The command line is wrong (exit status 2). The message names the option or object and what is wrong.</summary>
internal sealed class UsageException : Exception
{
    public UsageException()
    {
    }

    public UsageException(string message)
        : base(message)
    {
    }

    public UsageException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// The request was valid but could not be carried out (exit status 1): an object does not exist,
/// the kernel lacks a feature, the user declined a prompt. The message names the object and the cause.
/// </summary>
internal sealed class CliOperationException : Exception
{
    public CliOperationException()
    {
    }

    public CliOperationException(string message)
        : base(message)
    {
    }

    public CliOperationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
