namespace Ipvs.Model;

/// <summary>The connection timeouts of IPVS (ipvsadm <c>--set tcp tcpfin udp</c>).</summary>
/// <param name="Tcp">Idle timeout of established TCP connections.</param>
/// <param name="TcpFin">Timeout of TCP connections after a FIN.</param>
/// <param name="Udp">Timeout of UDP flows.</param>
/// <remarks>When setting, <see cref="TimeSpan.Zero"/> keeps the current value. The kernel counts whole seconds.</remarks>
public sealed record IpvsTimeouts(TimeSpan Tcp, TimeSpan TcpFin, TimeSpan Udp);
