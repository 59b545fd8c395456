using System.Runtime.InteropServices;

namespace Ipvs;

/// <summary>
/// The errno values this library and its tools meet (Linux; the same on every architecture the
/// project supports), with their names and the C library's texts.
/// </summary>
public static class Errno
{
    /// <summary>EPERM (1): Operation not permitted.</summary>
    public const int EPERM = 1;

    /// <summary>ENOENT (2): No such file or directory.</summary>
    public const int ENOENT = 2;

    /// <summary>ESRCH (3): No such process.</summary>
    public const int ESRCH = 3;

    /// <summary>EINTR (4): Interrupted system call.</summary>
    public const int EINTR = 4;

    /// <summary>EAGAIN (11): Resource temporarily unavailable.</summary>
    public const int EAGAIN = 11;

    /// <summary>ENOMEM (12): Cannot allocate memory.</summary>
    public const int ENOMEM = 12;

    /// <summary>EACCES (13): Permission denied.</summary>
    public const int EACCES = 13;

    /// <summary>EBUSY (16): Device or resource busy.</summary>
    public const int EBUSY = 16;

    /// <summary>EEXIST (17): File exists.</summary>
    public const int EEXIST = 17;

    /// <summary>ENODEV (19): No such device.</summary>
    public const int ENODEV = 19;

    /// <summary>EINVAL (22): Invalid argument.</summary>
    public const int EINVAL = 22;

    /// <summary>EPIPE (32): Broken pipe.</summary>
    public const int EPIPE = 32;

    /// <summary>ERANGE (34): Numerical result out of range.</summary>
    public const int ERANGE = 34;

    /// <summary>ENAMETOOLONG (36): File name too long.</summary>
    public const int ENAMETOOLONG = 36;

    /// <summary>EPROTO (71): Protocol error (a reply that cannot be parsed).</summary>
    public const int EPROTO = 71;

    /// <summary>EMSGSIZE (90): Message too long.</summary>
    public const int EMSGSIZE = 90;

    /// <summary>ENOPROTOOPT (92): Protocol not available.</summary>
    public const int ENOPROTOOPT = 92;

    /// <summary>EPROTONOSUPPORT (93): Protocol not supported.</summary>
    public const int EPROTONOSUPPORT = 93;

    /// <summary>EOPNOTSUPP (95): Operation not supported.</summary>
    public const int EOPNOTSUPP = 95;

    /// <summary>EAFNOSUPPORT (97): Address family not supported by protocol.</summary>
    public const int EAFNOSUPPORT = 97;

    /// <summary>EADDRNOTAVAIL (99): Cannot assign requested address.</summary>
    public const int EADDRNOTAVAIL = 99;

    /// <summary>ENETUNREACH (101): Network is unreachable.</summary>
    public const int ENETUNREACH = 101;

    /// <summary>ENOBUFS (105): No buffer space available.</summary>
    public const int ENOBUFS = 105;

    /// <summary>ETIMEDOUT (110): Connection timed out (the kernel did not answer in time).</summary>
    public const int ETIMEDOUT = 110;

    /// <summary>ECANCELED (125): Operation canceled.</summary>
    public const int ECANCELED = 125;

    /// <summary>Every value above with its name, in number order.</summary>
    public static IReadOnlyList<ErrnoName> Names { get; } =
    [
        new(EPERM, nameof(EPERM)),
        new(ENOENT, nameof(ENOENT)),
        new(ESRCH, nameof(ESRCH)),
        new(EINTR, nameof(EINTR)),
        new(EAGAIN, nameof(EAGAIN)),
        new(ENOMEM, nameof(ENOMEM)),
        new(EACCES, nameof(EACCES)),
        new(EBUSY, nameof(EBUSY)),
        new(EEXIST, nameof(EEXIST)),
        new(ENODEV, nameof(ENODEV)),
        new(EINVAL, nameof(EINVAL)),
        new(EPIPE, nameof(EPIPE)),
        new(ERANGE, nameof(ERANGE)),
        new(ENAMETOOLONG, nameof(ENAMETOOLONG)),
        new(EPROTO, nameof(EPROTO)),
        new(EMSGSIZE, nameof(EMSGSIZE)),
        new(ENOPROTOOPT, nameof(ENOPROTOOPT)),
        new(EPROTONOSUPPORT, nameof(EPROTONOSUPPORT)),
        new(EOPNOTSUPP, nameof(EOPNOTSUPP)),
        new(EAFNOSUPPORT, nameof(EAFNOSUPPORT)),
        new(EADDRNOTAVAIL, nameof(EADDRNOTAVAIL)),
        new(ENETUNREACH, nameof(ENETUNREACH)),
        new(ENOBUFS, nameof(ENOBUFS)),
        new(ETIMEDOUT, nameof(ETIMEDOUT)),
        new(ECANCELED, nameof(ECANCELED)),
    ];

    /// <summary>The symbolic name of an errno (<c>ESRCH</c>), or null when it is not one of <see cref="Names"/>.</summary>
    public static string? Name(int errno)
    {
        foreach (var row in Names)
        {
            if (row.Number == errno)
            {
                return row.Name;
            }
        }

        return null;
    }

    /// <summary>
    /// Why a file or socket call failed, in the C library's words (<c>No such file or
    /// directory</c>), for an exception .NET threw. The binary is built without .NET's message
    /// resources (a smaller, faster start), so their own messages would read as resource keys
    /// (<c>IO_FileNotFound_FileName</c>).
    /// </summary>
    public static string Describe(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception switch
        {
            FileNotFoundException or DirectoryNotFoundException => StrError(ENOENT),
            UnauthorizedAccessException => StrError(EACCES),
            PathTooLongException => StrError(ENAMETOOLONG),
            // On Linux an IOException from a system call carries its errno.
            IOException { HResult: > 0 and < 4096 } io => StrError(io.HResult),
            _ => exception.Message,
        };
    }

    /// <summary>The C library's text for an errno (strerror: <c>No such process</c>).</summary>
    public static string StrError(int errno) => Marshal.GetPInvokeErrorMessage(errno);
}

/// <summary>An errno value and its symbolic name.</summary>
/// <param name="Number">The value.</param>
/// <param name="Name">Its name (<c>ENOENT</c>).</param>
public sealed record ErrnoName(int Number, string Name);
