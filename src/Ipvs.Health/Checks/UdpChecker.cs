using System.Net;
using System.Net.Sockets;

namespace Ipvs.Health.Checks;

/// <summary>
/// UDP_CHECK as keepalived 2.2.7 runs it: a connected UDP socket sends the payload (without one,
/// keepalived's 32 bytes of "keepalived check - " repeated); an ICMP error (port, host or network
/// unreachable, which Linux reports on the connected socket) is down. Without require_reply,
/// silence until the timeout or any datagram is up. With require_reply, a datagram must come;
/// with an expected reply, it must be at most 255 bytes (keepalived's max_reply_length) and agree
/// with the expected bytes over the shorter of the two (keepalived's rule, so a shorter answer
/// that is a prefix passes).
/// </summary>
internal sealed class UdpChecker : IChecker
{
    /// <summary>keepalived's default max_reply_length.</summary>
    internal const int MaxReplyLength = 255;

    private static readonly byte[] DefaultPayload = FillPayload();

    private readonly UdpCheck _check;
    private readonly TimeProvider _timeProvider;

    public UdpChecker(UdpCheck check, TimeProvider timeProvider)
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
        var buffer = new byte[64 * 1024];
        try
        {
            using var socket = CheckSockets.Open(_check, target, SocketType.Dgram, ProtocolType.Udp);
            await socket.ConnectAsync(new IPEndPoint(target.Address, target.Port), linked.Token).ConfigureAwait(false);
            await socket.SendAsync(_check.Payload.IsEmpty ? DefaultPayload : _check.Payload, SocketFlags.None, linked.Token).ConfigureAwait(false);
            var received = await socket.ReceiveAsync(buffer, SocketFlags.None, linked.Token).ConfigureAwait(false);
            var failure = Judge(buffer.AsSpan(0, received));
            var elapsed = _timeProvider.GetElapsedTime(started);
            return failure is null ? CheckResult.Up(elapsed) : CheckResult.Down(elapsed, failure);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            // Silence: up unless an answer is required (keepalived's read timeout).
            var elapsed = _timeProvider.GetElapsedTime(started);
            return _check.RequireReply ? CheckResult.Down(elapsed, "no reply within " + HealthCheckOptions.Format(_check.Timeout)) : CheckResult.Up(elapsed);
        }
        catch (SocketException e) when (!cancellationToken.IsCancellationRequested)
        {
            return CheckResult.Down(_timeProvider.GetElapsedTime(started), ProbeErrors.Describe(e));
        }
    }

    public void Dispose()
    {
    }

    /// <summary>Null when <paramref name="reply"/> passes, else why not.</summary>
    private string? Judge(ReadOnlySpan<byte> reply)
    {
        if (!_check.RequireReply || _check.ExpectedReply.IsEmpty)
        {
            return null;
        }

        if (reply.Length > MaxReplyLength)
        {
            return $"reply of {reply.Length} bytes, longer than {MaxReplyLength}";
        }

        var length = Math.Min(reply.Length, _check.ExpectedReply.Length);
        return reply[..length].SequenceEqual(_check.ExpectedReply.Span[..length])
            ? null
            : "unexpected reply: " + SafeText.FromBytes(reply, 60);
    }

    private static byte[] FillPayload()
    {
        var text = "keepalived check - "u8;
        var payload = new byte[32];
        for (var i = 0; i < payload.Length; i++)
        {
            payload[i] = text[i % text.Length];
        }

        return payload;
    }
}
