using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Ipvs.Cli.Care;
using Ipvs.Model;
using Ipvs.Tests.Health;

namespace Ipvs.Tests.Care;

/// <summary>The daemon's small parts: log lines, metrics text and endpoint, systemd notifications, masquerade rules, /etc/hosts.</summary>
public sealed class CareSupportTests
{
    [Fact]
    public void Log_Text_AsLvscareWithFields()
    {
        var output = new StringWriter();
        var log = new CareLog(output, LogLevel.Info, json: false, showPath: false, new ManualTimeProvider());
        log.Debug("hidden");
        log.Info("real server 198.18.1.2:443 is healthy", [("service", VirtualServiceKey.Parse("tcp/198.18.200.1:443")), ("latency", TimeSpan.FromMilliseconds(12)), ("error", "connection refused"), ("n", 3)]);
        log.Warn("careful");
        Assert.Equal(
            "2025-01-01T00:00:00 info real server 198.18.1.2:443 is healthy service=tcp/198.18.200.1:443 latency=12ms error=\"connection refused\" n=3\n"
            + "2025-01-01T00:00:00 warn careful\n",
            output.ToString());
    }

    [Fact]
    public void Log_Json_OneObjectPerLine_ShowPathAddsTheCaller()
    {
        var output = new StringWriter();
        var log = new CareLog(output, LogLevel.Debug, json: true, showPath: true, new ManualTimeProvider());
        log.Debug("probe failed", [("server", "198.18.1.2:443"), ("latency", TimeSpan.FromMilliseconds(1500)), ("ok", false), ("n", 2)]);
        using var json = JsonDocument.Parse(output.ToString());
        var root = json.RootElement;
        Assert.Equal("debug", root.GetProperty("level").GetString());
        Assert.Equal("2025-01-01T00:00:00.000+00:00", root.GetProperty("ts").GetString());
        Assert.Equal("probe failed", root.GetProperty("msg").GetString());
        Assert.Equal("198.18.1.2:443", root.GetProperty("server").GetString());
        Assert.Equal(1.5, root.GetProperty("latency_seconds").GetDouble());
        Assert.False(root.GetProperty("ok").GetBoolean());
        Assert.Equal(2, root.GetProperty("n").GetInt32());
        Assert.Matches("^Ipvs.Tests/Care/CareSupportTests.cs:[0-9]+$", root.GetProperty("caller").GetString());
    }

    [Fact]
    public void Prometheus_FamiliesOnce_LabelsEscaped_ValuesFormatted()
    {
        var text = new PrometheusText()
            .Family("a_total", "counter", "Things.\nCounted.")
            .Sample("a_total", 3, ("x", "q\"uo\\te\n"))
            .Family("a_total", "counter", "ignored")
            .Sample("a_total", 0.25)
            .Sample("a_total", double.PositiveInfinity)
            .Sample("a_total", double.NaN)
            .ToString();
        Assert.Equal(
            "# HELP a_total Things.\\nCounted.\n# TYPE a_total counter\na_total{x=\"q\\\"uo\\\\te\\n\"} 3\na_total 0.25\na_total +Inf\na_total NaN\n",
            text);
    }

    [Fact]
    public async Task MetricsServer_ServesMetricsHealthzAnd404_OnLoopback()
    {
        await using var server = MetricsServer.Start(new IPEndPoint(IPAddress.Loopback, 0), _ => Task.FromResult("m 1\n"));
        Assert.Equal("HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\nContent-Length: 4\r\nConnection: close\r\n\r\nm 1\n", await GetAsync(server.LocalEndPoint, "GET /metrics HTTP/1.1"));
        Assert.EndsWith("\r\n\r\nok\n", await GetAsync(server.LocalEndPoint, "GET /healthz HTTP/1.0"), StringComparison.Ordinal);
        Assert.StartsWith("HTTP/1.1 404 Not Found", await GetAsync(server.LocalEndPoint, "GET /nope HTTP/1.1"), StringComparison.Ordinal);
        Assert.StartsWith("HTTP/1.1 405", await GetAsync(server.LocalEndPoint, "POST /metrics HTTP/1.1"), StringComparison.Ordinal);
        Assert.StartsWith("HTTP/1.1 400", await GetAsync(server.LocalEndPoint, "garbage"), StringComparison.Ordinal);
        var head = await GetAsync(server.LocalEndPoint, "HEAD /metrics HTTP/1.1");
        Assert.EndsWith("Content-Length: 4\r\nConnection: close\r\n\r\n", head, StringComparison.Ordinal);
    }

    [Fact]
    public void Systemd_NotifiesARealSocket_WatchdogIsHalfOfWatchdogUsec()
    {
        var path = Path.Combine(Path.GetTempPath(), $"ipvs-notify-{Guid.NewGuid():N}.sock");
        using var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(path));
        try
        {
            var variables = new Dictionary<string, string> { ["NOTIFY_SOCKET"] = path, ["WATCHDOG_USEC"] = "30000000", ["WATCHDOG_PID"] = "4242" };
            using var notifier = SystemdNotifier.FromEnvironment(n => variables.GetValueOrDefault(n), 4242);
            Assert.NotNull(notifier);
            Assert.Equal(TimeSpan.FromSeconds(15), notifier.WatchdogInterval);
            Assert.True(notifier.Notify("READY=1\nSTATUS=ok"));
            var buffer = new byte[256];
            Assert.Equal("READY=1\nSTATUS=ok", Encoding.UTF8.GetString(buffer, 0, socket.Receive(buffer)));

            using var other = SystemdNotifier.FromEnvironment(n => variables.GetValueOrDefault(n), 1);
            Assert.Null(other!.WatchdogInterval); // the watchdog is for another process
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Systemd_AbstractSocketAndAbsence()
    {
        var name = $"ipvs-notify-{Guid.NewGuid():N}";
        using var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint("\0" + name));
        using var notifier = SystemdNotifier.FromEnvironment(n => n == "NOTIFY_SOCKET" ? "@" + name : null, 1);
        Assert.True(notifier!.Notify("WATCHDOG=1"));
        var buffer = new byte[64];
        Assert.Equal("WATCHDOG=1", Encoding.UTF8.GetString(buffer, 0, socket.Receive(buffer)));
        Assert.Null(SystemdNotifier.FromEnvironment(_ => null, 1));
        Assert.Null(SystemdNotifier.FromEnvironment(n => n == "NOTIFY_SOCKET" ? "relative" : null, 1));
    }

    [Fact]
    public void Nftables_Ruleset_MarksEachVirtualServerAndMasqueradesMarked()
    {
        VirtualServiceKey[] services = [VirtualServiceKey.Parse("tcp/198.18.200.1:443"), VirtualServiceKey.Parse("udp/198.18.200.1:53"), VirtualServiceKey.Parse("tcp/[2001:db8::1]:443"), VirtualServiceKey.Parse("fwmark/7")];
        Assert.Equal(
            """
            table ip ipvs-care
            delete table ip ipvs-care
            table ip ipvs-care {
            	chain prerouting {
            		type nat hook prerouting priority -100; policy accept;
            		ip daddr 198.18.200.1 tcp dport 443 meta mark set meta mark | 0x00004000
            		ip daddr 198.18.200.1 udp dport 53 meta mark set meta mark | 0x00004000
            	}
            	chain output {
            		type nat hook output priority -100; policy accept;
            		ip daddr 198.18.200.1 tcp dport 443 meta mark set meta mark | 0x00004000
            		ip daddr 198.18.200.1 udp dport 53 meta mark set meta mark | 0x00004000
            	}
            	chain postrouting {
            		type nat hook postrouting priority 100; policy accept;
            		meta mark & 0x00004000 == 0x00004000 masquerade fully-random
            	}
            }
            table ip6 ipvs-care
            delete table ip6 ipvs-care
            table ip6 ipvs-care {
            	chain prerouting {
            		type nat hook prerouting priority -100; policy accept;
            		ip6 daddr 2001:db8::1 tcp dport 443 meta mark set meta mark | 0x00004000
            	}
            	chain output {
            		type nat hook output priority -100; policy accept;
            		ip6 daddr 2001:db8::1 tcp dport 443 meta mark set meta mark | 0x00004000
            	}
            	chain postrouting {
            		type nat hook postrouting priority 100; policy accept;
            		meta mark & 0x00004000 == 0x00004000 masquerade fully-random
            	}
            }

            """,
            new NftablesMasquerade(services, 0x4000).Ruleset());
    }

    [Fact]
    public void HostsFile_FindsTheFirstLineNamingTheHost()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, "127.0.0.1 localhost\n# 198.18.0.1 lvscare.node.ip\n198.18.50.9\tnode1 lvscare.node.ip # sealos\n198.18.50.10 lvscare.node.ip\n");
            Assert.Equal("198.18.50.9", HostsFile.Lookup(path, "lvscare.node.ip"));
            Assert.Null(HostsFile.Lookup(path, "lvscare"));
            Assert.Null(HostsFile.Lookup(path + ".missing", "lvscare.node.ip"));
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static async Task<string> GetAsync(IPEndPoint endpoint, string requestLine)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(endpoint);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(requestLine + "\r\nHost: x\r\n\r\n"));
        using var reader = new StreamReader(stream, Encoding.ASCII);
        return await reader.ReadToEndAsync();
    }
}
