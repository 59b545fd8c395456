using System.Net.Sockets;
using System.Text;

namespace Ipvs.Health.Checks;

/// <summary>
/// SMTP_CHECK as keepalived 2.2.7 runs it: connect; the first line of the greeting must carry
/// status 220; <c>HELO name</c> (default keepalived's "smtpchecker.keepalived.org") must be
/// answered 250; <c>QUIT</c> must be answered with a line (any). A status is three digits
/// followed by a space or the end of the line (keepalived's smtp_get_status, so "220-" of a
/// multi-line greeting fails, as there). A line is read up to its newline, at most
/// <see cref="MaxLineBytes"/> bytes (keepalived's buffer); whatever follows it in the same read
/// is dropped, as keepalived drops it. The whole dialogue is bounded by the timeout.
/// </summary>
internal sealed class SmtpChecker : IChecker
{
    /// <summary>keepalived's SMTP_DEFAULT_HELO.</summary>
    internal const string DefaultHeloName = "smtpchecker.keepalived.org";

    /// <summary>keepalived's SMTP_BUFF_MAX less its terminator.</summary>
    internal const int MaxLineBytes = 511;

    private readonly SmtpCheck _check;
    private readonly TimeProvider _timeProvider;
    private readonly byte[] _helo;

    public SmtpChecker(SmtpCheck check, TimeProvider timeProvider)
    {
        _check = check;
        _timeProvider = timeProvider;
        var name = check.HeloName ?? DefaultHeloName;
        if (name.AsSpan().ContainsAny('\r', '\n'))
        {
            throw new ArgumentException("helo_name must not contain a line break", nameof(check));
        }

        _helo = Encoding.UTF8.GetBytes("HELO " + name + "\r\n");
    }

    public CheckDefinition Definition => _check;

    public async ValueTask<CheckResult> CheckAsync(CheckTarget target, CancellationToken cancellationToken)
    {
        var started = _timeProvider.GetTimestamp();
        using var timeout = new CancellationTokenSource(_check.Timeout, _timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        var token = linked.Token;
        var buffer = new byte[MaxLineBytes];
        try
        {
            using var socket = await CheckSockets.ConnectTcpAsync(_check, target, token).ConfigureAwait(false);
            var failure = await ExpectAsync(socket, buffer, 220, "greeting", token).ConfigureAwait(false);
            if (failure is null)
            {
                await SendAsync(socket, _helo, token).ConfigureAwait(false);
                failure = await ExpectAsync(socket, buffer, 250, "HELO answer", token).ConfigureAwait(false);
            }

            if (failure is null)
            {
                await SendAsync(socket, "QUIT\r\n"u8.ToArray(), token).ConfigureAwait(false);
                failure = await ExpectAsync(socket, buffer, null, "QUIT answer", token).ConfigureAwait(false);
            }

            var elapsed = _timeProvider.GetElapsedTime(started);
            return failure is null ? CheckResult.Up(elapsed) : CheckResult.Down(elapsed, failure);
        }
        catch (Exception) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return CheckResult.Down(_timeProvider.GetElapsedTime(started), CheckSockets.TimedOut(_check.Timeout));
        }
        catch (Exception e) when (CheckSockets.IsAttemptFailure(e) && !cancellationToken.IsCancellationRequested)
        {
            return CheckResult.Down(_timeProvider.GetElapsedTime(started), ProbeErrors.Describe(e));
        }
    }

    public void Dispose()
    {
    }

    /// <summary>keepalived's smtp_get_status: three digits then a space or the end of the line; -1 otherwise.</summary>
    internal static int Status(ReadOnlySpan<byte> line)
    {
        if (line.Length < 3 || !char.IsAsciiDigit((char)line[0]) || !char.IsAsciiDigit((char)line[1]) || !char.IsAsciiDigit((char)line[2])
            || (line.Length > 3 && line[3] != ' '))
        {
            return -1;
        }

        return ((line[0] - '0') * 100) + ((line[1] - '0') * 10) + (line[2] - '0');
    }

    private static async Task SendAsync(Socket socket, byte[] data, CancellationToken cancellationToken)
    {
        var sent = 0;
        while (sent < data.Length)
        {
            sent += await socket.SendAsync(data.AsMemory(sent), SocketFlags.None, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Reads one line; null when it carries <paramref name="status"/> (any line when null), else why not.</summary>
    private static async Task<string?> ExpectAsync(Socket socket, byte[] buffer, int? status, string what, CancellationToken cancellationToken)
    {
        var length = 0;
        while (true)
        {
            if (length == buffer.Length)
            {
                return $"{what}: line longer than {MaxLineBytes} bytes: " + SafeText.FromBytes(buffer.AsSpan(0, 60));
            }

            var read = await socket.ReceiveAsync(buffer.AsMemory(length), SocketFlags.None, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return $"{what}: the server closed the connection" + (length > 0 ? ": " + SafeText.FromBytes(buffer.AsSpan(0, Math.Min(length, 60))) : string.Empty);
            }

            var newline = buffer.AsSpan(length, read).IndexOf((byte)'\n');
            length += read;
            if (newline < 0)
            {
                continue;
            }

            var line = buffer.AsSpan(0, length - read + newline);
            if (status is null || Status(line) == status)
            {
                return null;
            }

            return $"{what} is not {status}: " + SafeText.FromBytes(line, 60);
        }
    }
}
