using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Ipvs.Health.Checks;

/// <summary>
/// DNS_CHECK as keepalived 2.2.7 runs it: one UDP query (random id, recursion desired, one
/// question of the type and class IN; the name "" or "." is the root) to the server; the answer
/// is the first datagram with the query's id and the response bit set (others, and datagrams
/// shorter than 8 bytes, are ignored as keepalived ignores them). It is up when its rcode is 0
/// (NOERROR); keepalived does not look at the answer count, so an empty NOERROR answer passes.
/// Any other rcode, an ICMP error or no answer before the timeout is down.
/// </summary>
internal sealed class DnsChecker : IChecker
{
    /// <summary>The record types keepalived knows, by name.</summary>
    internal static readonly IReadOnlyDictionary<string, ushort> Types = new Dictionary<string, ushort>(StringComparer.OrdinalIgnoreCase)
    {
        ["A"] = 1,
        ["NS"] = 2,
        ["CNAME"] = 5,
        ["SOA"] = 6,
        ["MX"] = 15,
        ["TXT"] = 16,
        ["AAAA"] = 28,
        ["RRSIG"] = 46,
        ["DNSKEY"] = 48,
    };

    private static readonly string[] RcodeNames = ["NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED"];

    private readonly DnsCheck _check;
    private readonly TimeProvider _timeProvider;
    private readonly ushort _type;
    private readonly byte[] _question;

    public DnsChecker(DnsCheck check, TimeProvider timeProvider)
    {
        if (!Types.TryGetValue(check.QueryType, out _type))
        {
            throw new ArgumentException($"unknown DNS type \"{check.QueryType}\" (A, NS, CNAME, SOA, MX, TXT, AAAA, RRSIG or DNSKEY)", nameof(check));
        }

        _check = check;
        _timeProvider = timeProvider;
        _question = EncodeQuestion(check.Name, _type);
    }

    public CheckDefinition Definition => _check;

    /// <summary>The question section: the name's labels, QTYPE, QCLASS IN.</summary>
    internal static byte[] EncodeQuestion(string name, ushort type)
    {
        var question = new List<byte>();
        foreach (var label in name.Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            var bytes = Encoding.ASCII.GetBytes(label);
            if (bytes.Length > 63)
            {
                throw new ArgumentException($"DNS label \"{label}\" is longer than 63 bytes", nameof(name));
            }

            question.Add((byte)bytes.Length);
            question.AddRange(bytes);
        }

        question.Add(0);
        question.Add((byte)(type >> 8));
        question.Add((byte)type);
        question.Add(0);
        question.Add(1); // IN
        return [.. question];
    }

    /// <summary>A query with <paramref name="id"/>.</summary>
    internal byte[] BuildQuery(ushort id)
    {
        var query = new byte[12 + _question.Length];
        BinaryPrimitives.WriteUInt16BigEndian(query, id);
        BinaryPrimitives.WriteUInt16BigEndian(query.AsSpan(2), 0x0100); // RD
        BinaryPrimitives.WriteUInt16BigEndian(query.AsSpan(4), 1);      // QDCOUNT
        _question.CopyTo(query, 12);
        return query;
    }

    public async ValueTask<CheckResult> CheckAsync(CheckTarget target, CancellationToken cancellationToken)
    {
        var started = _timeProvider.GetTimestamp();
        using var timeout = new CancellationTokenSource(_check.Timeout, _timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        var id = (ushort)Random.Shared.Next(0, 65536);
        var buffer = new byte[768]; // keepalived's DNS_BUFFER_SIZE
        try
        {
            using var socket = CheckSockets.Open(_check, target, SocketType.Dgram, ProtocolType.Udp);
            await socket.ConnectAsync(new IPEndPoint(target.Address, target.Port), linked.Token).ConfigureAwait(false);
            await socket.SendAsync(BuildQuery(id), SocketFlags.None, linked.Token).ConfigureAwait(false);
            while (true)
            {
                var received = await socket.ReceiveAsync(buffer, SocketFlags.None, linked.Token).ConfigureAwait(false);
                if (received < 8 || BinaryPrimitives.ReadUInt16BigEndian(buffer) != id)
                {
                    continue;
                }

                var flags = BinaryPrimitives.ReadUInt16BigEndian(buffer.AsSpan(2));
                if ((flags & 0x8000) == 0)
                {
                    continue; // a query, not an answer
                }

                var rcode = flags & 0xF;
                var elapsed = _timeProvider.GetElapsedTime(started);
                return rcode == 0
                    ? CheckResult.Up(elapsed)
                    : CheckResult.Down(elapsed, "DNS error rcode " + rcode.ToString(CultureInfo.InvariantCulture) + (rcode < RcodeNames.Length ? " (" + RcodeNames[rcode] + ")" : string.Empty));
            }
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return CheckResult.Down(_timeProvider.GetElapsedTime(started), "no answer within " + HealthCheckOptions.Format(_check.Timeout));
        }
        catch (SocketException e) when (!cancellationToken.IsCancellationRequested)
        {
            return CheckResult.Down(_timeProvider.GetElapsedTime(started), ProbeErrors.Describe(e));
        }
    }

    public void Dispose()
    {
    }
}
