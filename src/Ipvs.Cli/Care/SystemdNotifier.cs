using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Ipvs.Cli.Care;

/// <summary>
/// systemd's notification protocol (sd_notify): datagrams such as <c>READY=1</c>,
/// <c>WATCHDOG=1</c>, <c>STOPPING=1</c>, <c>STATUS=…</c> sent to the Unix socket named by
/// <c>$NOTIFY_SOCKET</c> (a path, or an abstract name written with a leading '@').
/// </summary>
internal sealed class SystemdNotifier : IDisposable
{
    private readonly Socket _socket;
    private readonly UnixDomainSocketEndPoint _endpoint;

    private SystemdNotifier(Socket socket, UnixDomainSocketEndPoint endpoint, TimeSpan? watchdogInterval)
    {
        _socket = socket;
        _endpoint = endpoint;
        WatchdogInterval = watchdogInterval;
    }

    /// <summary>How often to send WATCHDOG=1 (half of WATCHDOG_USEC), or null when systemd does not watch this process.</summary>
    public TimeSpan? WatchdogInterval { get; }

    /// <summary>A notifier for <c>$NOTIFY_SOCKET</c>, or null when the process was not started by systemd with Type=notify.</summary>
    public static SystemdNotifier? FromEnvironment(Func<string, string?> getVariable, int processId)
    {
        var path = getVariable("NOTIFY_SOCKET");
        if (string.IsNullOrEmpty(path) || (path[0] != '/' && path[0] != '@'))
        {
            return null;
        }

        TimeSpan? watchdog = null;
        if (ulong.TryParse(getVariable("WATCHDOG_USEC"), NumberStyles.None, CultureInfo.InvariantCulture, out var usec) && usec > 0)
        {
            var pidText = getVariable("WATCHDOG_PID");
            if (string.IsNullOrEmpty(pidText) || (int.TryParse(pidText, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && pid == processId))
            {
                watchdog = TimeSpan.FromMicroseconds(usec / 2);
            }
        }

        // An abstract socket's name starts with a NUL byte, which systemd writes as '@'.
        var endpoint = new UnixDomainSocketEndPoint(path[0] == '@' ? "\0" + path[1..] : path);
        var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        return new SystemdNotifier(socket, endpoint, watchdog);
    }

    /// <summary>Sends one notification (several assignments separated by newlines); false when it could not be delivered.</summary>
    public bool Notify(string state)
    {
        try
        {
            _socket.SendTo(Encoding.UTF8.GetBytes(state), SocketFlags.None, _endpoint);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    public void Dispose() => _socket.Dispose();
}
