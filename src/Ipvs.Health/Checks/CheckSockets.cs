using System.Net;
using System.Net.Sockets;

namespace Ipvs.Health.Checks;

/// <summary>What the network checkers share: binding to bindto/bind_port, connecting, describing a failure.</summary>
internal static class CheckSockets
{
    /// <summary>A socket of <paramref name="target"/>'s family, bound as the check says (bindto, bind_port).</summary>
    public static Socket Open(CheckDefinition check, CheckTarget target, SocketType type, ProtocolType protocol)
    {
        var socket = new Socket(target.Address.AddressFamily, type, protocol);
        try
        {
            if (check.BindAddress is not null || check.BindPort is not null)
            {
                var any = target.Address.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any;
                socket.Bind(new IPEndPoint(check.BindAddress ?? any, check.BindPort ?? 0));
            }

            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>A connected TCP socket to <paramref name="target"/>.</summary>
    public static async Task<Socket> ConnectTcpAsync(CheckDefinition check, CheckTarget target, CancellationToken cancellationToken)
    {
        var socket = Open(check, target, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.NoDelay = true;
            await socket.ConnectAsync(new IPEndPoint(target.Address, target.Port), cancellationToken).ConfigureAwait(false);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>True for the errors an attempt reports as a failure (rather than a bug to surface).</summary>
    public static bool IsAttemptFailure(Exception error) =>
        error is SocketException or IOException or System.Security.Authentication.AuthenticationException or InvalidDataException or InvalidOperationException or ObjectDisposedException;

    /// <summary>"timed out after 5s".</summary>
    public static string TimedOut(TimeSpan timeout) => "timed out after " + HealthCheckOptions.Format(timeout);
}
