using System.Net;

namespace Ipvs.Health.Checks;

/// <summary>The kinds of check, as a care file's <c>type</c> names them (keepalived's checker beside each).</summary>
public enum CheckKind
{
    /// <summary>HTTP requests, one per URL (keepalived's HTTP_GET).</summary>
    Http,

    /// <summary>HTTPS requests, one per URL (keepalived's SSL_GET).</summary>
    Https,

    /// <summary>A TCP connection is accepted (TCP_CHECK).</summary>
    Tcp,

    /// <summary>A program's exit status (MISC_CHECK).</summary>
    Misc,

    /// <summary>A UDP datagram, optionally answered (UDP_CHECK).</summary>
    Udp,

    /// <summary>A DNS query answered (DNS_CHECK).</summary>
    Dns,

    /// <summary>An SMTP greeting and HELO (SMTP_CHECK).</summary>
    Smtp,

    /// <summary>An ICMP echo answered (PING_CHECK).</summary>
    Ping,

    /// <summary>A number in a file (FILE_CHECK with a track_file).</summary>
    File,
}

/// <summary>
/// One check of a real server and its timing. Records compare by value: two services that name
/// the same real server with equal checks share one probe.
/// </summary>
public abstract record CheckDefinition
{
    /// <summary>keepalived's default delay_loop.</summary>
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(60);

    /// <summary>keepalived's default connect_timeout.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(5);

    /// <summary>The kind of check.</summary>
    public abstract CheckKind Kind { get; }

    /// <summary>The address to probe; null means the real server's (connect_ip).</summary>
    public IPAddress? ConnectAddress { get; init; }

    /// <summary>The port to probe; null means the real server's (connect_port).</summary>
    public ushort? ConnectPort { get; init; }

    /// <summary>The local address probes are sent from; null lets the kernel choose (bindto).</summary>
    public IPAddress? BindAddress { get; init; }

    /// <summary>The local port probes are sent from; null lets the kernel choose (bind_port).</summary>
    public ushort? BindPort { get; init; }

    /// <summary>How long one attempt may take (connect_timeout; misc_timeout for a program).</summary>
    public TimeSpan Timeout { get; init; } = DefaultTimeout;

    /// <summary>The time between two checks (delay_loop).</summary>
    public TimeSpan Interval { get; init; } = DefaultInterval;

    /// <summary>Extra attempts after a failure before the check counts as failed (retry).</summary>
    public int Retry { get; init; } = 1;

    /// <summary>The pause before each extra attempt (delay_before_retry); null means the kind's default.</summary>
    public TimeSpan? DelayBeforeRetry { get; init; }

    /// <summary>The first check starts after a random delay up to this (warmup); null means up to <see cref="Interval"/>, zero none.</summary>
    public TimeSpan? Warmup { get; init; }

    /// <summary>
    /// This check starts failed until its first pass (keepalived's alpha, per checker); null means
    /// the real server's (and so the service's). Not part of what is probed: checks that differ only
    /// in it share one probe.
    /// </summary>
    public bool? Alpha { get; init; }

    /// <summary>The pause actually applied before a retry: keepalived's defaults are 3 s for HTTP(S), the interval for DNS, 1 s otherwise.</summary>
    public TimeSpan EffectiveDelayBeforeRetry => DelayBeforeRetry ?? Kind switch
    {
        CheckKind.Http or CheckKind.Https => TimeSpan.FromSeconds(3),
        CheckKind.Dns => Interval,
        _ => TimeSpan.FromSeconds(1),
    };
}

/// <summary>One URL of an HTTP(S) check: every URL must pass.</summary>
public sealed record HttpCheckUrl
{
    /// <summary>The request path, starting with '/'.</summary>
    public string Path { get; init; } = "/";

    /// <summary>Accepted status codes as inclusive ranges; empty means 200-299 (keepalived's default).</summary>
    public IReadOnlyList<StatusCodeRange> StatusCodes { get; init; } = [];

    /// <summary>The body's MD5 digest, lower-case hex; null when the body is not checked.</summary>
    public string? Digest { get; init; }

    /// <summary>The Host header for this URL; null means the check's.</summary>
    public string? VirtualHost { get; init; }

    /// <inheritdoc />
    public bool Equals(HttpCheckUrl? other) =>
        other is not null && Path == other.Path && StatusCodes.SequenceEqual(other.StatusCodes) && Digest == other.Digest && VirtualHost == other.VirtualHost;

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Path, StatusCodes.Count, Digest, VirtualHost);
}

/// <summary>An inclusive range of HTTP status codes.</summary>
/// <param name="First">The lowest accepted code.</param>
/// <param name="Last">The highest accepted code.</param>
public readonly record struct StatusCodeRange(int First, int Last)
{
    /// <summary>True when <paramref name="status"/> is in the range.</summary>
    public bool Contains(int status) => status >= First && status <= Last;
}

/// <summary>HTTP_GET / SSL_GET: every URL answered with an accepted status (and digest).</summary>
public sealed record HttpCheck : CheckDefinition
{
    /// <summary>True for HTTPS (SSL_GET).</summary>
    public bool Tls { get; init; }

    /// <inheritdoc />
    public override CheckKind Kind => Tls ? CheckKind.Https : CheckKind.Http;

    /// <summary>The URLs, in order; at least one.</summary>
    public IReadOnlyList<HttpCheckUrl> Urls { get; init; } = [new HttpCheckUrl()];

    /// <summary>The Host header (virtualhost); null means the address.</summary>
    public string? VirtualHost { get; init; }

    /// <summary>Accept any server certificate (keepalived does not verify).</summary>
    public bool InsecureSkipVerify { get; init; } = true;

    /// <inheritdoc />
    public bool Equals(HttpCheck? other) =>
        base.Equals(other) && Tls == other.Tls && Urls.SequenceEqual(other.Urls) && VirtualHost == other.VirtualHost && InsecureSkipVerify == other.InsecureSkipVerify;

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(base.GetHashCode(), Tls, Urls.Count, VirtualHost);
}

/// <summary>TCP_CHECK: a connection is accepted.</summary>
public sealed record TcpCheck : CheckDefinition
{
    /// <inheritdoc />
    public override CheckKind Kind => CheckKind.Tcp;
}

/// <summary>MISC_CHECK: a program run with an argument array; exit 0 up, anything else down, or with <see cref="Dynamic"/> 2–255 up with weight exit−2.</summary>
public sealed record MiscCheck : CheckDefinition
{
    /// <inheritdoc />
    public override CheckKind Kind => CheckKind.Misc;

    /// <summary>The program and its arguments (misc_path, split as keepalived splits it).</summary>
    public IReadOnlyList<string> Command { get; init; } = [];

    /// <summary>The exit status sets the weight (misc_dynamic).</summary>
    public bool Dynamic { get; init; }

    /// <summary>The user (and group, as user:group) the program runs as; null means the daemon's.</summary>
    public string? User { get; init; }

    /// <inheritdoc />
    public bool Equals(MiscCheck? other) =>
        base.Equals(other) && Command.SequenceEqual(other.Command) && Dynamic == other.Dynamic && User == other.User;

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(base.GetHashCode(), Command.Count, Dynamic, User);
}

/// <summary>UDP_CHECK: a datagram is sent; up unless an ICMP error comes back, or, with <see cref="RequireReply"/>, when an answer (starting with <see cref="ExpectedReply"/>) comes.</summary>
public sealed record UdpCheck : CheckDefinition
{
    /// <inheritdoc />
    public override CheckKind Kind => CheckKind.Udp;

    /// <summary>The datagram's bytes (payload); empty sends keepalived's 32 bytes of "keepalived check - " repeated.</summary>
    public ReadOnlyMemory<byte> Payload { get; init; }

    /// <summary>An answer is required (require_reply).</summary>
    public bool RequireReply { get; init; }

    /// <summary>The bytes the answer must start with; empty means any answer.</summary>
    public ReadOnlyMemory<byte> ExpectedReply { get; init; }

    /// <inheritdoc />
    public bool Equals(UdpCheck? other) =>
        base.Equals(other) && Payload.Span.SequenceEqual(other.Payload.Span) && RequireReply == other.RequireReply && ExpectedReply.Span.SequenceEqual(other.ExpectedReply.Span);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(base.GetHashCode(), Payload.Length, RequireReply, ExpectedReply.Length);
}

/// <summary>DNS_CHECK: a query of <see cref="QueryType"/> for <see cref="Name"/> answered with rcode NOERROR (keepalived 2.2.7 does not look at the answer count).</summary>
public sealed record DnsCheck : CheckDefinition
{
    /// <inheritdoc />
    public override CheckKind Kind => CheckKind.Dns;

    /// <summary>The record type (type): A, NS, CNAME, SOA, MX, TXT, AAAA, RRSIG or DNSKEY.</summary>
    public string QueryType { get; init; } = "SOA";

    /// <summary>The name queried (name).</summary>
    public string Name { get; init; } = ".";
}

/// <summary>SMTP_CHECK: a 220 greeting, a 250 answer to HELO, and an answer to QUIT.</summary>
public sealed record SmtpCheck : CheckDefinition
{
    /// <inheritdoc />
    public override CheckKind Kind => CheckKind.Smtp;

    /// <summary>The name sent with HELO (helo_name); null means keepalived's default, smtpchecker.keepalived.org.</summary>
    public string? HeloName { get; init; }
}

/// <summary>PING_CHECK: an ICMP echo is answered.</summary>
public sealed record PingCheck : CheckDefinition
{
    /// <inheritdoc />
    public override CheckKind Kind => CheckKind.Ping;
}

/// <summary>FILE_CHECK: a number read from a file (keepalived's track_file) sets the weight or fails the server.</summary>
public sealed record FileCheck : CheckDefinition
{
    /// <inheritdoc />
    public override CheckKind Kind => CheckKind.File;

    /// <summary>The file holding an integer.</summary>
    public string Path { get; init; } = string.Empty;

    /// <summary>The multiplier of the file's value (weight), whose product is added to the server's weight; 0 means the value only says up (0) or down (non-zero).</summary>
    public int Weight { get; init; }

    /// <summary>The value's sign is inverted (weight N reverse).</summary>
    public bool Reverse { get; init; }
}
