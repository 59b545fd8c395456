using System.Text.Json;
using Ipvs.State;
using Ipvs.Tests.State.Keepalived;

namespace Ipvs.Tests.Cli.Import;

internal static class JsonElementExtensions
{
    /// <summary>The element as compact JSON.</summary>
    public static string Raw(this JsonElement element)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            element.WriteTo(writer);
        }

        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }
}

public sealed class KeepalivedImportTests : IDisposable
{
    private readonly TempTree _tree = new();

    public void Dispose() => _tree.Dispose();

    private (CliRun Run, string Path) Import(string text, params string[] options)
    {
        var path = _tree.Write("keepalived.conf", text);
        return (CliHarness.Run(["import", "keepalived", path, .. options]), path);
    }

    private JsonElement Json(string text, int expectedExit = 0)
    {
        var (run, _) = Import(text, "-o", "json");
        Assert.True(expectedExit == run.ExitCode, $"exit {run.ExitCode}\n{run.Error}");
        Assert.False(run.KernelTouched);
        return JsonDocument.Parse(run.Out).RootElement;
    }

    private static JsonElement Service(JsonElement document, int index = 0) => document.GetProperty("services")[index];

    private static string[] Strings(JsonElement array) => array.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String ? e.GetString()! : e.Raw()).ToArray();

    [Fact]
    public void VirtualServer_Settings_AndKeepalivedDefaultsWrittenOut()
    {
        var doc = Json("""
            virtual_server 198.18.0.10 80 {
              lvs_sched sh
              sh-port
              flag-2
              protocol TCP
              persistence_timeout
              persistence_granularity 255.255.255.0
              persistence_engine sip
              real_server 198.18.1.2 8080 {
                uthreshold 100
                lthreshold 50
              }
            }
            """);
        var service = Service(doc);
        Assert.Equal("tcp/198.18.0.10:80", service.GetProperty("service").GetString());
        Assert.Equal("sh", service.GetProperty("scheduler").GetString());
        Assert.Equal(["sh-port", "flag-2"], Strings(service.GetProperty("flags")));
        Assert.Equal(360, service.GetProperty("persistent").GetInt32());
        Assert.Equal("255.255.255.0", service.GetProperty("netmask").GetString());
        Assert.Equal("sip", service.GetProperty("pe").GetString());
        var server = service.GetProperty("servers")[0];
        Assert.Equal("198.18.1.2:8080", server.GetProperty("server").GetString());
        Assert.Equal("masq", server.GetProperty("forward").GetString()); // keepalived's default is NAT
        Assert.Equal(1, server.GetProperty("weight").GetInt32());
        Assert.Equal(100, server.GetProperty("upper-threshold").GetInt32());
        Assert.Equal(50, server.GetProperty("lower-threshold").GetInt32());
        var health = service.GetProperty("health");
        Assert.Equal("60s", health.GetProperty("interval").GetString());
        Assert.True(health.GetProperty("fail-closed").GetBoolean());
        Assert.Equal("0s", health.GetProperty("drain-timeout").GetString());
        Assert.False(health.GetProperty("alpha").GetBoolean());
        Assert.False(health.GetProperty("inhibit-on-failure").GetBoolean());
        Assert.Equal(0, health.GetProperty("checks").GetArrayLength()); // no checkers: always up, the keepalived way
    }

    [Fact]
    public void KeepalivedCorrections_AreMirrored_AsWarnings_WithoutChangingTheStatus()
    {
        var (run, path) = Import("""
            virtual_server 198.18.0.10 0 {
              ops
              mh-port
              lvs_method DR
              quorum 5
              hysteresis 7
              real_server 198.18.1.2 8080 {
                weight 2
              }
              real_server 198.18.1.2 80 {
              }
              real_server 2001:db8::2 80 {
              }
            }
            virtual_server 198.18.0.11 80 {
              protocol TCP
            }
            """, "-o", "json");
        Assert.Equal(0, run.ExitCode);
        var service = Service(JsonDocument.Parse(run.Out).RootElement);
        Assert.Equal("udp/198.18.0.10:0", service.GetProperty("service").GetString());
        Assert.Equal("wlc", service.GetProperty("scheduler").GetString());
        Assert.Equal(360, service.GetProperty("persistent").GetInt32());
        Assert.True(service.GetProperty("one-packet").GetBoolean());
        Assert.False(service.TryGetProperty("flags", out _));
        Assert.Equal("198.18.1.2:0", Assert.Single(service.GetProperty("servers").EnumerateArray()).GetProperty("server").GetString());
        Assert.Equal(3, service.GetProperty("health").GetProperty("quorum").GetInt32());
        Assert.Equal(2, service.GetProperty("health").GetProperty("hysteresis").GetInt32());
        Assert.Single(JsonDocument.Parse(run.Out).RootElement.GetProperty("services").EnumerateArray());
        foreach (var expected in new[]
        {
            ":1: warning: virtual_server: no protocol: keepalived uses UDP",
            ":1: warning: virtual_server: no lvs_sched: keepalived uses wlc",
            ":1: warning: virtual_server: port 0 is only valid for a persistent service",
            ":3: warning: mh-port: keepalived ignores it",
            ":7: warning: real_server: a route real server answers on the service's port 0, not 8080",
            ":10: warning: real_server: real server 198.18.1.2:0 is listed twice",
            ":12: warning: real_server: real server 2001:db8::2 is not of the family",
            ":5: warning: quorum: quorum 5 is above the total weight of the real servers (3)",
            ":1: warning: virtual_server: hysteresis 7 is not below quorum 3",
            ":15: warning: virtual_server: a virtual server without real servers",
        })
        {
            Assert.Contains(path + expected, run.Error);
        }

        Assert.Contains("everything carried over", run.Error);
    }

    [Fact]
    public void Forwarding_Tunnels_AndServerOverrides()
    {
        var doc = Json("""
            virtual_server 198.18.0.10 80 {
              protocol TCP
              lvs_method TUN type gue port 6080 csum
              weight 4
              real_server 198.18.1.2 80 {
              }
              real_server 198.18.1.3 80 {
                lvs_method TUN type gre
                weight 0
              }
              real_server 198.18.1.4 {
                lvs_method NAT
              }
              real_server 2001:db8::4 80 {
              }
            }
            """);
        var servers = Service(doc).GetProperty("servers");
        Assert.Equal(4, servers.GetArrayLength());
        Assert.Equal("""{"server":"198.18.1.2:80","forward":"tunnel","tunnel":{"type":"gue","port":6080,"checksum":"csum"},"weight":4}""", servers[0].Raw());
        Assert.Equal("""{"server":"198.18.1.3:80","forward":"tunnel","tunnel":{"type":"gre"},"weight":0}""", servers[1].Raw());
        Assert.Equal("""{"server":"198.18.1.4:80","forward":"masq","weight":4}""", servers[2].Raw());
        Assert.Equal("[2001:db8::4]:80", servers[3].GetProperty("server").GetString()); // tunnelled: another family is fine
    }

    [Fact]
    public void Groups_ExpandIntoOneServicePerAddress_AndFwmarks()
    {
        var doc = Json("""
            virtual_server_group G {
              198.18.0.1 80
              198.18.0.10-12 80
              198.18.0.20/30 443
              198.18.0.30-198.18.0.31 80
              fwmark 9
              fwmark 10 inet6
            }
            virtual_server group G {
              protocol TCP
              real_server 198.18.1.2 {
                lvs_method DR
              }
            }
            virtual_server fwmark 11 {
              real_server 2001:db8::2 80 {
                lvs_method DR
              }
            }
            """);
        var services = doc.GetProperty("services").EnumerateArray().Select(s => s.GetProperty("service").GetString()!).ToArray();
        Assert.Equal<string>(
        [
            "tcp/198.18.0.1:80", "tcp/198.18.0.10:80", "tcp/198.18.0.11:80", "tcp/198.18.0.12:80",
            "tcp/198.18.0.20:443", "tcp/198.18.0.21:443", "tcp/198.18.0.22:443", "tcp/198.18.0.23:443",
            "tcp/198.18.0.30:80", "tcp/198.18.0.31:80", "fwmark/9", "fwmark6/10", "fwmark6/11",
        ], services);
        Assert.Equal("198.18.1.2:443", Service(doc, 4).GetProperty("servers")[0].GetProperty("server").GetString());
        Assert.Equal("198.18.1.2:0", Service(doc, 10).GetProperty("servers")[0].GetProperty("server").GetString());
        Assert.Equal("[2001:db8::2]:0", Service(doc, 12).GetProperty("servers")[0].GetProperty("server").GetString());
    }

    [Fact]
    public void Groups_TooLarge_IsNotCarriedOver()
    {
        var (run, path) = Import("""
            virtual_server_group BIG {
              10.0.0.0/16 80
            }
            virtual_server group BIG {
              protocol TCP
              real_server 198.18.1.2 80 {
              }
            }
            """);
        Assert.Equal(1, run.ExitCode);
        Assert.Contains(path + ":2: 10.0.0.0/16: expands to more than 4096 services", run.Error);
    }

    [Fact]
    public void HttpChecks_Urls_Status_Digest_VirtualHost_AndTiming()
    {
        var doc = Json("""
            virtual_server 198.18.0.10 80 {
              protocol TCP
              delay_loop 6
              virtualhost vs.example.org
              real_server 198.18.1.2 80 {
                virtualhost rs.example.org
                HTTP_GET {
                  url {
                    path /health
                    status_code 200 300-399
                    digest 9B3A0C85A887A256D6939DA88AABD8CD
                  }
                  url {
                    path "/a b"
                    virtualhost url.example.org
                  }
                  connect_timeout 3
                  nb_get_retry 2
                }
                SSL_GET {
                  url { path / }
                  virtualhost chk.example.org
                  delay_before_retry 0.25
                  warmup 0
                }
              }
            }
            """);
        var checks = Service(doc).GetProperty("health").GetProperty("checks");
        Assert.Equal(
            """{"type":"http","urls":[{"path":"/health","status":[200,"300-399"],"digest":"9b3a0c85a887a256d6939da88aabd8cd"},{"path":"/a b","virtualhost":"url.example.org"}],"virtualhost":"rs.example.org","interval":"6s","timeout":"3s","retry":2,"delay-before-retry":"3s","warmup":"6s"}""",
            checks[0].Raw());
        Assert.Equal(
            """{"type":"https","urls":[{"path":"/"}],"virtualhost":"chk.example.org","interval":"6s","timeout":"5s","retry":1,"delay-before-retry":"250ms","warmup":"0s"}""",
            checks[1].Raw());
    }

    [Fact]
    public void Timing_ResolvedAsKeepalived_CheckerThenRealServerThenVirtualServerThenKind()
    {
        var doc = Json("""
            virtual_server 198.18.0.10 53 {
              protocol UDP
              delay_loop 20
              connect_timeout 4
              retry 5
              real_server 198.18.1.2 53 {
                delay_loop 10
                delay_before_retry 2
                DNS_CHECK {
                  name example.org
                }
                MISC_CHECK {
                  misc_path /bin/true
                }
                TCP_CHECK {
                  delay_loop 7
                  retry 0
                  connect_timeout 1
                }
              }
              real_server 198.18.1.3 53 {
                DNS_CHECK {
                  type aaaa
                }
                MISC_CHECK {
                  misc_path "/bin/check 198.18.1.3"
                  misc_timeout 9
                }
                UDP_CHECK {
                }
              }
            }
            """);
        var health = Service(doc).GetProperty("health");
        // Each server has its own list: the first one's is the service's, the other's is per server.
        var first = health.GetProperty("checks");
        Assert.False(health.GetProperty("servers").TryGetProperty("198.18.1.2:53", out _));
        Assert.Equal("""{"type":"dns","name":"example.org","interval":"10s","timeout":"4s","retry":5,"delay-before-retry":"2s","warmup":"10s"}""", first[0].Raw());
        Assert.Equal("""{"type":"misc","run":["/bin/true"],"interval":"10s","timeout":"20s","retry":5,"delay-before-retry":"2s","warmup":"10s"}""", first[1].Raw());
        Assert.Equal("""{"type":"tcp","interval":"7s","timeout":"1s","retry":0,"delay-before-retry":"2s","warmup":"7s"}""", first[2].Raw());
        var second = health.GetProperty("servers").GetProperty("198.18.1.3:53").GetProperty("checks");
        Assert.Equal("""{"type":"dns","query-type":"AAAA","interval":"20s","timeout":"4s","retry":5,"delay-before-retry":"20s","warmup":"20s"}""", second[0].Raw());
        Assert.Equal("""{"type":"misc","run":["/bin/check","198.18.1.3"],"interval":"20s","timeout":"9s","retry":5,"delay-before-retry":"1s","warmup":"20s"}""", second[1].Raw());
        Assert.Equal("""{"type":"udp","interval":"20s","timeout":"4s","retry":5,"delay-before-retry":"1s","warmup":"20s"}""", second[2].Raw());
    }

    [Fact]
    public void KindDefaults_Retry_Misc0_Dns3_Others1_DelayBeforeRetry_Http3s_DnsInterval()
    {
        var doc = Json("""
            virtual_server 198.18.0.10 53 {
              protocol UDP
              real_server 198.18.1.2 53 {
                MISC_CHECK { misc_path /bin/true }
                DNS_CHECK { }
                PING_CHECK { }
                HTTP_GET { url { path / } }
                SMTP_CHECK { helo_name mx.example.org }
              }
            }
            """);
        var checks = Service(doc).GetProperty("health").GetProperty("checks").EnumerateArray().ToArray();
        Assert.Equal([0, 3, 1, 1, 1], checks.Select(c => c.GetProperty("retry").GetInt32()));
        Assert.Equal(["1s", "60s", "1s", "3s", "1s"], checks.Select(c => c.GetProperty("delay-before-retry").GetString()));
        Assert.Equal("60s", checks[0].GetProperty("timeout").GetString()); // misc_timeout: the delay_loop
        Assert.Equal("mx.example.org", checks[4].GetProperty("helo-name").GetString());
    }

    [Fact]
    public void Connection_Options_Udp_Misc_User_FileCheck()
    {
        var doc = Json("""
            global_defs {
              script_user keepalived_script
            }
            track_file w1 {
              file /run/w1
              weight -3 reverse
            }
            track_file w2 {
              file "/run/w 2"
            }
            virtual_server 198.18.0.10 53 {
              protocol UDP
              real_server 198.18.1.2 53 {
                UDP_CHECK {
                  connect_ip 198.18.1.20
                  connect_port 5353
                  bindto 198.18.0.2
                  bind_port 40000
                  payload 01 02 0a
                  require_reply FF00
                }
                MISC_CHECK {
                  misc_path "/bin/check 'x y'"
                  misc_dynamic
                }
                MISC_CHECK {
                  misc_path /bin/check2
                  user nobody nogroup
                }
                FILE_CHECK { track_file w1 }
                FILE_CHECK {
                  track_file w2
                  weight 5
                }
              }
            }
            """);
        var checks = Service(doc).GetProperty("health").GetProperty("checks");
        Assert.Equal("""{"type":"udp","payload":"01020a","require-reply":"ff00","connect-ip":"198.18.1.20","connect-port":5353,"bind-to":"198.18.0.2","bind-port":40000,"interval":"60s","timeout":"5s","retry":1,"delay-before-retry":"1s","warmup":"60s"}""", checks[0].Raw());
        Assert.Equal("""["/bin/check","x y"]""", checks[1].GetProperty("run").Raw());
        Assert.True(checks[1].GetProperty("dynamic").GetBoolean());
        Assert.Equal("keepalived_script", checks[1].GetProperty("user").GetString());
        Assert.Equal("nobody:nogroup", checks[2].GetProperty("user").GetString());
        Assert.Equal("""{"type":"file","path":"/run/w1","weight":-3,"reverse":true}""", checks[3].Raw());
        Assert.Equal("""{"type":"file","path":"/run/w 2","weight":5}""", checks[4].Raw());
    }

    [Fact]
    public void Policies_Alpha_Inhibit_Quorum_Sorry_HaSuspend_Scripts()
    {
        var doc = Json("""
            global_defs {
              script_user nobody
            }
            virtual_server 198.18.0.10 80 {
              protocol TCP
              alpha
              inhibit_on_failure
              quorum 2
              hysteresis 1
              quorum_up "/bin/notify up"
              quorum_down "/bin/notify 'quorum down'" root wheel
              sorry_server 198.18.1.9 8080
              sorry_server_inhibit
              ha_suspend
              real_server 198.18.1.2 80 {
                weight 2
                alpha off
                inhibit_on_failure no
                notify_up "/bin/notify rs up"
                notify_down /bin/down operator
                TCP_CHECK {
                  alpha
                }
              }
              real_server 198.18.1.3 80 {
                TCP_CHECK {
                }
              }
            }
            """);
        var health = Service(doc).GetProperty("health");
        Assert.True(health.GetProperty("alpha").GetBoolean());
        Assert.True(health.GetProperty("inhibit-on-failure").GetBoolean());
        Assert.Equal(2, health.GetProperty("quorum").GetInt32());
        Assert.Equal(1, health.GetProperty("hysteresis").GetInt32());
        Assert.Equal("""{"run":["/bin/notify","up"],"user":"nobody"}""", health.GetProperty("on-quorum-up").Raw());
        Assert.Equal("""{"run":["/bin/notify","quorum down"],"user":"root:wheel"}""", health.GetProperty("on-quorum-down").Raw());
        Assert.Equal("""{"server":"198.18.1.9:8080","forward":"masq","weight":1}""", health.GetProperty("sorry-server").Raw());
        Assert.True(health.GetProperty("sorry-server-inhibit").GetBoolean());
        Assert.True(health.GetProperty("ha-suspend").GetBoolean());
        var first = health.GetProperty("servers").GetProperty("198.18.1.2:80");
        Assert.False(first.GetProperty("alpha").GetBoolean());
        Assert.False(first.GetProperty("inhibit-on-failure").GetBoolean());
        Assert.Equal("""{"run":["/bin/notify","rs","up"],"user":"nobody"}""", first.GetProperty("on-up").Raw());
        Assert.Equal("""{"run":["/bin/down"],"user":"operator"}""", first.GetProperty("on-down").Raw());

        // The first server's checker has alpha while its server has not: it is written on the check.
        // That list is the service's (the first of two equally common), so the second server, whose
        // check takes the service's alpha, lists its own.
        Assert.True(health.GetProperty("checks")[0].GetProperty("alpha").GetBoolean());
        Assert.False(first.TryGetProperty("checks", out _));
        var second = health.GetProperty("servers").GetProperty("198.18.1.3:80");
        Assert.False(second.GetProperty("checks")[0].TryGetProperty("alpha", out _));
    }

    [Fact]
    public void NotCarriedOver_IsListedWithFileAndLine_Exit1_AndTheFileIsStillWritten()
    {
        var (run, path) = Import("""
            global_defs {
              router_id lb1
              lvs_sync_daemon eth1 VI_1 id 5
            }
            vrrp_instance VI_1 {
              interface eth0
              virtual_router_id 51
              priority 150
            }
            virtual_server 198.18.0.10 80 {
              protocol TCP
              omega
              real_server 198.18.1.2 80 {
                HTTP_GET {
                  url {
                    path /
                    regex "ok"
                  }
                  bind_if eth1
                }
                BFD_CHECK {
                  name b1
                }
              }
            }
            """);
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("services:", run.Out);
        foreach (var expected in new[]
        {
            ":2: router_id: it names this host in keepalived's emails and SNMP",
            ":3: lvs_sync_daemon: the sync daemons are the ha section's 'sync' (interface: eth1, id: 5)",
            ":5: vrrp_instance: the ha section (docs/ha.md) describes both directors",
            ":12: omega: ipvs care runs no scripts when it stops",
            ":17: regex: ipvs's HTTP checks compare the status code",
            ":19: bind_if: checks cannot be bound to an interface",
            ":21: BFD_CHECK: BFD is not part of ipvs",
        })
        {
            Assert.Contains(path + expected, run.Error);
        }

        Assert.Contains("router-id: 51", run.Error);
        Assert.Contains("7 items did not carry over", run.Error);
    }

    [Fact]
    public void Check_WritesNothing_ButReportsAndSetsTheStatus()
    {
        var (run, path) = Import("virtual_server 198.18.0.10 80 {\n  protocol TCP\n  smtp_alert\n  real_server 198.18.1.2 80 {\n  }\n}\n", "--check");
        Assert.Equal(1, run.ExitCode);
        Assert.Equal(string.Empty, run.Out);
        Assert.Contains(path + ":3: smtp_alert:", run.Error);
        Assert.Contains("would write 1 service;", run.Error);

        // A control: the same without the item carries over, status 0, still nothing written.
        (run, _) = Import("virtual_server 198.18.0.10 80 {\n  protocol TCP\n  real_server 198.18.1.2 80 {\n  }\n}\n", "--check");
        Assert.Equal(0, run.ExitCode);
        Assert.Equal(string.Empty, run.Out);
    }

    [Theory]
    [InlineData("virtual_server 198.18.0.10 80 {\n  lvs_sched rrr\n}\n", ":2:13: unknown scheduler 'rrr'")]
    [InlineData("virtual_server 198.18.0.300 80 {\n}\n", ":1:16: virtual_server '198.18.0.300' is not an IP address")]
    [InlineData("virtual_server 198.18.0.1 80 {\n real_server 198.18.1.2 80 {\n  HTTP_GET {\n   url {\n    path /\n    digest abc\n   }\n  }\n }\n}\n", ":6:12: digest 'abc' is not an MD5 digest")]
    [InlineData("virtual_server 198.18.0.1 80 {\n real_server 198.18.1.2 80 {\n  FILE_CHECK {\n   track_file nope\n  }\n }\n}\n", ":4:15: track_file 'nope' is not defined")]
    [InlineData("virtual_server group G {\n real_server 198.18.1.2 80 {\n }\n}\n", ":1:22: virtual_server_group 'G' is not defined")]
    [InlineData("virtual_server 198.18.0.1 80 {\n lvs_method TUN type gue\n}\n", ":2:2: gue tunnels need a port")]
    [InlineData("virtual_server 198.18.0.1 80 {\n real_server 198.18.1.2 80 {\n  notify_up \"/bin/x 'open\"\n }\n}\n", ":3:3: '/bin/x 'open': missing the closing '")]
    [InlineData("virtual_server 198.18.0.1 80 {\n real_server 198.18.1.2 80 {\n  weigth 2\n }\n}\n", ":3:3: unknown keyword 'weigth' in real_server (did you mean 'weight'?)")]
    [InlineData("include nothing/*.conf\n", ":1:1: include nothing/*.conf: no file matches")]
    public void BadInput_Exit2_NothingWritten(string text, string expected)
    {
        var (run, path) = Import(text);
        Assert.Equal(2, run.ExitCode);
        Assert.Equal(string.Empty, run.Out);
        Assert.Contains(path + expected, run.Error);
        Assert.Contains("nothing written", run.Error);
        Assert.False(run.KernelTouched);
    }

    [Fact]
    public void ControlCharacters_FromTheFile_AreEscapedInMessages()
    {
        var (run, path) = Import("virtual_server 198.18.0.1 80 {\n  lvs_sched \u001b[31mrr\n}\n");
        Assert.Equal(2, run.ExitCode);
        Assert.DoesNotContain("\u001b", run.Error);
        Assert.Contains(path + ":2:13: unknown scheduler '\\x1b[31mrr'", run.Error);
    }

    [Fact]
    public void DefaultFile_IsKeepalivedsOwn()
    {
        var run = CliHarness.Run("import", "keepalived", "--check");
        Assert.Contains("/etc/keepalived/keepalived.conf", run.Error);
        Assert.NotEqual(-1, run.ExitCode);
    }

    public static TheoryData<string, int, int> Samples => new()
    {
        { "web/keepalived.conf", 1, 2 },
        { "groups/keepalived.conf", 1, 9 },
        { "edge/keepalived.conf", 1, 2 },
    };

    [Theory]
    [MemberData(nameof(Samples))]
    public void Samples_Import_AndTheServicesLoadWithTheDeclarativeReader(string sample, int exit, int services)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "TestData", "keepalived", sample);
        var yaml = CliHarness.Run("import", "keepalived", path);
        var json = CliHarness.Run("import", "keepalived", path, "-o", "json");
        Assert.True(exit == yaml.ExitCode, yaml.Error);
        Assert.Equal(exit, json.ExitCode);
        foreach (var (text, name) in new[] { (yaml.Out, "care.yaml"), (json.Out, "care.json") })
        {
            var result = Ipvs.Ha.HaSectionReader.Parse(text, name);
            Assert.True(result.Succeeded, string.Join("\n", result.Diagnostics));
            Assert.Equal(services, result.Config!.Services.Count);
        }

        // YAML and JSON carry the same document.
        var fromYaml = IpvsConfigReader.Parse(yaml.Out, "care.yaml").Config!;
        var fromJson = IpvsConfigReader.Parse(json.Out, "care.json").Config!;
        Assert.Equal(fromJson.Services.Select(s => s.Service), fromYaml.Services.Select(s => s.Service));
        Assert.Equal(fromJson.Services.SelectMany(s => s.RealServers).Select(r => r.Server), fromYaml.Services.SelectMany(s => s.RealServers).Select(r => r.Server));
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void Samples_Import_LoadAsACareFile(string sample, int exit, int services)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "TestData", "keepalived", sample);
        foreach (var format in new[] { "yaml", "json" })
        {
            var run = CliHarness.Run("import", "keepalived", path, "-o", format);
            Assert.True(exit == run.ExitCode, run.Error);
            var file = Path.Combine(Path.GetTempPath(), $"ipvs-import-{Guid.NewGuid():N}.{format}");
            try
            {
                File.WriteAllText(file, run.Out);
                var loaded = Ipvs.Cli.Care.CareFile.TryLoad(file, "wlc", new Ipvs.Health.HealthCheckOptions(), out var cared, out var error);
                Assert.True(loaded, error);
                Assert.Equal(services, cared!.Count);
                // Every imported service is kept the keepalived way (checks and policies), not lvscare's.
                Assert.All(cared, c => Assert.NotNull(c.Checked));
            }
            finally
            {
                File.Delete(file);
            }
        }
    }

    // The health keys the import writes: the contract with the care file's keepalived-mode reader
    // (docs/care.md, "Checks and policies"). A new key must be added here and documented there.
    private static readonly HashSet<string> s_serviceHealthKeys =
        ["interval", "fail-closed", "drain-timeout", "alpha", "inhibit-on-failure", "quorum", "hysteresis", "on-quorum-up", "on-quorum-down", "sorry-server", "sorry-server-inhibit", "ha-suspend", "checks", "servers"];

    private static readonly HashSet<string> s_serverHealthKeys = ["checks", "on-up", "on-down", "alpha", "inhibit-on-failure"];

    private static readonly Dictionary<string, HashSet<string>> s_checkKeys = new()
    {
        ["http"] = ["urls", "virtualhost"],
        ["https"] = ["urls", "virtualhost"],
        ["tcp"] = [],
        ["ping"] = [],
        ["misc"] = ["run", "dynamic", "user"],
        ["udp"] = ["payload", "require-reply"],
        ["dns"] = ["query-type", "name"],
        ["smtp"] = ["helo-name"],
        ["file"] = ["path", "weight", "reverse"],
    };

    private static readonly HashSet<string> s_commonCheckKeys =
        ["type", "interval", "timeout", "retry", "delay-before-retry", "warmup", "connect-ip", "connect-port", "bind-to", "bind-port", "alpha"];

    [Theory]
    [MemberData(nameof(Samples))]
    public void Samples_UseOnlyTheDocumentedHealthKeys(string sample, int exit, int services)
    {
        _ = (exit, services);
        var path = Path.Combine(AppContext.BaseDirectory, "TestData", "keepalived", sample);
        var run = CliHarness.Run("import", "keepalived", path, "-o", "json");
        var kinds = new HashSet<string>();
        foreach (var service in JsonDocument.Parse(run.Out).RootElement.GetProperty("services").EnumerateArray())
        {
            var health = service.GetProperty("health");
            Assert.All(health.EnumerateObject(), p => Assert.Contains(p.Name, s_serviceHealthKeys));
            var lists = new List<JsonElement> { health.GetProperty("checks") };
            if (health.TryGetProperty("servers", out var servers))
            {
                foreach (var server in servers.EnumerateObject())
                {
                    Assert.All(server.Value.EnumerateObject(), p => Assert.Contains(p.Name, s_serverHealthKeys));
                    if (server.Value.TryGetProperty("checks", out var own))
                    {
                        lists.Add(own);
                    }
                }
            }

            foreach (var check in lists.SelectMany(l => l.EnumerateArray()))
            {
                var type = check.GetProperty("type").GetString()!;
                kinds.Add(type);
                Assert.All(check.EnumerateObject(), p => Assert.True(s_commonCheckKeys.Contains(p.Name) || s_checkKeys[type].Contains(p.Name), $"{type}: {p.Name}"));
                if (type != "file")
                {
                    Assert.All(new[] { "interval", "timeout", "retry", "delay-before-retry", "warmup" }, key => Assert.True(check.TryGetProperty(key, out _), $"{type} lacks {key}"));
                }
            }
        }

        Assert.NotEmpty(kinds);
    }

    [Fact]
    public void Samples_TogetherUseEveryCheckKind()
    {
        var kinds = new HashSet<string>();
        foreach (var sample in new[] { "web", "groups", "edge" })
        {
            var run = CliHarness.Run("import", "keepalived", Path.Combine(AppContext.BaseDirectory, "TestData", "keepalived", sample, "keepalived.conf"), "-o", "json");
            foreach (System.Text.RegularExpressions.Match match in System.Text.RegularExpressions.Regex.Matches(run.Out, "\"type\": \"([a-z]+)\""))
            {
                kinds.Add(match.Groups[1].Value);
            }
        }

        Assert.Superset(s_checkKeys.Keys.ToHashSet(), kinds);
    }
}
