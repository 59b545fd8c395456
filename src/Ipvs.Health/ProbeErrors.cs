using System.Net.Sockets;
using System.Security.Authentication;

namespace Ipvs.Health;

/// <summary>
/// Short, lower-case descriptions of why a probe failed, for logs and metrics. Every description
/// is safe text (see <see cref="Checks.SafeText"/>): the probers' own messages escape what a
/// server sent where they quote it, and every other message is escaped here.
/// </summary>
internal static class ProbeErrors
{
    public static string Describe(Exception error)
    {
        for (var e = error; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case SocketException socket:
                    return socket.SocketErrorCode switch
                    {
                        SocketError.ConnectionRefused => "connection refused",
                        SocketError.ConnectionReset => "connection reset",
                        SocketError.HostUnreachable => "host unreachable",
                        SocketError.NetworkUnreachable => "network unreachable",
                        SocketError.TimedOut => "connection timed out",
                        SocketError.AddressNotAvailable => "address not available",
                        _ => Checks.SafeText.From(socket.Message.ToLowerInvariant()),
                    };
                case AuthenticationException auth:
                    return "TLS handshake failed: " + Checks.SafeText.From(auth.Message);
                case EndOfStreamException or InvalidDataException:
                    return e.Message; // built by the probers, with a server's bytes already escaped
            }
        }

        return Checks.SafeText.From(error.Message);
    }
}
