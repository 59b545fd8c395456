namespace Ipvs.Health.Checks;

/// <summary>Creates the checker for a <see cref="CheckDefinition"/>.</summary>
public static class Checkers
{
    /// <summary>A checker for <paramref name="definition"/>; time (timeouts, durations) comes from <paramref name="timeProvider"/>.</summary>
    /// <exception cref="NotSupportedException">The kind has no checker yet.</exception>
    public static IChecker Create(CheckDefinition definition, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(definition);
        timeProvider ??= TimeProvider.System;
        return definition switch
        {
            TcpCheck tcp => new TcpChecker(tcp, timeProvider),
            HttpCheck http => new HttpChecker(http, timeProvider),
            MiscCheck misc => new MiscChecker(misc, timeProvider),
            UdpCheck udp => new UdpChecker(udp, timeProvider),
            DnsCheck dns => new DnsChecker(dns, timeProvider),
            SmtpCheck smtp => new SmtpChecker(smtp, timeProvider),
            PingCheck ping => new PingChecker(ping, timeProvider),
            FileCheck file => new FileChecker(file, timeProvider),
            _ => throw new NotSupportedException($"{definition.Kind} checks are not available yet"),
        };
    }
}
