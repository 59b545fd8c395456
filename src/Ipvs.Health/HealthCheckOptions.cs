using System.Globalization;

namespace Ipvs.Health;

/// <summary>How a real server is probed.</summary>
public enum HealthCheckType
{
    /// <summary>An HTTPS request (lvscare's default): healthy when the status is below 400 or listed as accepted.</summary>
    Https,

    /// <summary>A plain HTTP request, judged as <see cref="Https"/>.</summary>
    Http,

    /// <summary>A TCP connection: healthy when it is accepted.</summary>
    Tcp,

    /// <summary>No probing: every real server is always healthy (the daemon only repairs the table).</summary>
    None,
}

/// <summary>
/// The health-check settings of one virtual service. The defaults are lvscare's: HTTPS GET
/// /healthz every 5 s, certificates not verified, a 10 s timeout (shortened to fit the interval),
/// one failure drains a server (weight 0), the next removes it, one success brings it back.
/// </summary>
public sealed record HealthCheckOptions
{
    /// <summary>The default interval between probe rounds (lvscare's 5 s).</summary>
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(5);

    /// <summary>The default probe timeout (lvscare's 10 s), shortened to fit the interval.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    /// <summary>How servers are probed.</summary>
    public HealthCheckType Type { get; init; } = HealthCheckType.Https;

    /// <summary>The HTTP path, starting with '/'.</summary>
    public string Path { get; init; } = "/healthz";

    /// <summary>The HTTP method.</summary>
    public string Method { get; init; } = "GET";

    /// <summary>Extra request headers, in order; a name may repeat.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; } = [];

    /// <summary>The request body, or null for none.</summary>
    public string? Body { get; init; }

    /// <summary>Status codes of 400 and above that also count as healthy (below 400 always does).</summary>
    public IReadOnlyCollection<int> AcceptedStatusCodes { get; init; } = [];

    /// <summary>Accept any server certificate (lvscare's default: true).</summary>
    public bool InsecureSkipVerify { get; init; } = true;

    /// <summary>How long one probe may take; see <see cref="EffectiveTimeout"/>.</summary>
    public TimeSpan Timeout { get; init; } = DefaultTimeout;

    /// <summary>The time between the starts of two probe rounds.</summary>
    public TimeSpan Interval { get; init; } = DefaultInterval;

    /// <summary>Consecutive successes that bring an unhealthy server back.</summary>
    public int Rise { get; init; } = 1;

    /// <summary>Consecutive failures that make a server unhealthy (drained: weight 0).</summary>
    public int Fall { get; init; } = 1;

    /// <summary>How long an unhealthy server stays at weight 0 before it is removed; null means one interval (lvscare).</summary>
    public TimeSpan? DrainTimeout { get; init; }

    /// <summary>
    /// When every real server is unhealthy, drain and remove them all (an empty service) instead of
    /// keeping them all in service ("panic", the default).
    /// </summary>
    public bool FailClosed { get; init; }

    /// <summary>
    /// The timeout actually applied: <see cref="Timeout"/>, but never more than nine tenths of the
    /// interval, so a round always ends before the next one is due.
    /// </summary>
    public TimeSpan EffectiveTimeout
    {
        get
        {
            var ceiling = Interval * 0.9;
            return Timeout > TimeSpan.Zero && Timeout < ceiling ? Timeout : ceiling;
        }
    }

    /// <summary>The drain timeout actually applied.</summary>
    public TimeSpan EffectiveDrainTimeout => DrainTimeout ?? Interval;

    /// <summary>True when every setting is equal (headers and status codes compared by content).</summary>
    public bool Equals(HealthCheckOptions? other) =>
        other is not null
        && Type == other.Type
        && string.Equals(Path, other.Path, StringComparison.Ordinal)
        && string.Equals(Method, other.Method, StringComparison.Ordinal)
        && Headers.SequenceEqual(other.Headers)
        && string.Equals(Body, other.Body, StringComparison.Ordinal)
        && AcceptedStatusCodes.SequenceEqual(other.AcceptedStatusCodes)
        && InsecureSkipVerify == other.InsecureSkipVerify
        && Timeout == other.Timeout
        && Interval == other.Interval
        && Rise == other.Rise
        && Fall == other.Fall
        && DrainTimeout == other.DrainTimeout
        && FailClosed == other.FailClosed;

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Type, Path, Method, Timeout, Interval, Rise, Fall, FailClosed);

    /// <summary>What is wrong with these settings, one sentence each; empty when they are valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Interval <= TimeSpan.Zero)
        {
            errors.Add($"the interval must be positive, not {Format(Interval)}");
        }

        if (Timeout < TimeSpan.Zero)
        {
            errors.Add($"the health timeout must not be negative, not {Format(Timeout)}");
        }

        if (Rise < 1)
        {
            errors.Add($"the rise threshold must be at least 1, not {Rise}");
        }

        if (Fall < 1)
        {
            errors.Add($"the fall threshold must be at least 1, not {Fall}");
        }

        if (DrainTimeout < TimeSpan.Zero)
        {
            errors.Add($"the drain timeout must not be negative, not {Format(DrainTimeout.Value)}");
        }

        if (Type is HealthCheckType.Http or HealthCheckType.Https)
        {
            if (!Path.StartsWith('/') || Path.Any(char.IsWhiteSpace))
            {
                errors.Add($"the health path '{Path}' must start with '/' and contain no spaces");
            }

            if (Method.Length == 0 || !Method.All(IsTokenChar))
            {
                errors.Add($"'{Method}' is not an HTTP method");
            }

            foreach (var (name, value) in Headers)
            {
                if (name.Length == 0 || !name.All(IsTokenChar))
                {
                    errors.Add($"'{name}' is not an HTTP header name");
                }
                else if (value.Any(c => c is '\r' or '\n' or '\0'))
                {
                    errors.Add($"the value of header {name} contains a line break");
                }
            }

            foreach (var code in AcceptedStatusCodes)
            {
                if (code is < 100 or > 999)
                {
                    errors.Add($"{code} is not an HTTP status code");
                }
            }
        }

        return errors;
    }

    /// <summary>A duration the way Go prints one (<c>5s</c>, <c>1m30s</c>, <c>500ms</c>), for messages.</summary>
    public static string Format(TimeSpan value)
    {
        if (value == TimeSpan.Zero)
        {
            return "0s";
        }

        var sign = value < TimeSpan.Zero ? "-" : string.Empty;
        value = value.Duration();
        if (value < TimeSpan.FromSeconds(1))
        {
            return sign + (value.TotalMilliseconds >= 1
                ? value.TotalMilliseconds.ToString("0.###", CultureInfo.InvariantCulture) + "ms"
                : (value.Ticks * 100).ToString(CultureInfo.InvariantCulture) + "ns");
        }

        var text = string.Empty;
        if (value.TotalHours >= 1)
        {
            text += ((long)value.TotalHours).ToString(CultureInfo.InvariantCulture) + "h";
        }

        if (value.TotalMinutes >= 1)
        {
            text += value.Minutes.ToString(CultureInfo.InvariantCulture) + "m";
        }

        var seconds = value.Seconds + (value.Ticks % TimeSpan.TicksPerSecond / (double)TimeSpan.TicksPerSecond);
        return sign + text + seconds.ToString("0.#########", CultureInfo.InvariantCulture) + "s";
    }

    // RFC 9110 tchar.
    private static bool IsTokenChar(char c) =>
        c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9')
            or '!' or '#' or '$' or '%' or '&' or '\'' or '*' or '+' or '-' or '.' or '^' or '_' or '`' or '|' or '~';
}
