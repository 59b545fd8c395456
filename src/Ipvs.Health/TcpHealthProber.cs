using System.Net;
using System.Net.Sockets;

namespace Ipvs.Health;

/// <summary>The "tcp" check: healthy when a connection is accepted within the timeout; nothing is sent.</summary>
internal sealed class TcpHealthProber : IHealthProber
{
    private readonly TimeSpan _timeout;
    private readonly TimeProvider _timeProvider;

    public TcpHealthProber(HealthCheckOptions options, TimeProvider timeProvider)
    {
        _timeout = options.EffectiveTimeout;
        _timeProvider = timeProvider;
    }

    public string Name => "tcp";

    public async ValueTask<ProbeResult> ProbeAsync(IPAddress address, ushort port, CancellationToken cancellationToken)
    {
        var started = _timeProvider.GetTimestamp();
        using var timeout = new CancellationTokenSource(_timeout, _timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        using var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(new IPEndPoint(address, port), linked.Token).ConfigureAwait(false);
            return ProbeResult.Healthy(_timeProvider.GetElapsedTime(started));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return ProbeResult.Unhealthy(_timeProvider.GetElapsedTime(started), "timed out after " + HealthCheckOptions.Format(_timeout));
        }
        catch (SocketException e)
        {
            return ProbeResult.Unhealthy(_timeProvider.GetElapsedTime(started), ProbeErrors.Describe(e));
        }
    }

    public void Dispose()
    {
    }
}
