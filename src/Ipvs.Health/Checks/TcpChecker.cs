using System.Net.Sockets;

namespace Ipvs.Health.Checks;

/// <summary>TCP_CHECK: up when a connection is accepted within the timeout; nothing is sent.</summary>
internal sealed class TcpChecker : IChecker
{
    private readonly TcpCheck _check;
    private readonly TimeProvider _timeProvider;

    public TcpChecker(TcpCheck check, TimeProvider timeProvider)
    {
        _check = check;
        _timeProvider = timeProvider;
    }

    public CheckDefinition Definition => _check;

    public async ValueTask<CheckResult> CheckAsync(CheckTarget target, CancellationToken cancellationToken)
    {
        var started = _timeProvider.GetTimestamp();
        using var timeout = new CancellationTokenSource(_check.Timeout, _timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        try
        {
            using var socket = await CheckSockets.ConnectTcpAsync(_check, target, linked.Token).ConfigureAwait(false);
            return CheckResult.Up(_timeProvider.GetElapsedTime(started));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return CheckResult.Down(_timeProvider.GetElapsedTime(started), CheckSockets.TimedOut(_check.Timeout));
        }
        catch (SocketException e)
        {
            return CheckResult.Down(_timeProvider.GetElapsedTime(started), SafeText.From(ProbeErrors.Describe(e)));
        }
    }

    public void Dispose()
    {
    }
}
