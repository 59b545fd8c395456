using Ipvs.Testing;

namespace Ipvs.KernelTests.Cli.Daemon;

public sealed class CliDaemonTests
{
    [Fact]
    public void AddShowDelete_MatchIpvsadm()
    {
        KernelLab.Require();
        using var ns = new TestNamespace();
        HostCommand.Check("ip", "-n", ns.Name, "link", "add", "sync0", "type", "dummy");
        HostCommand.Check("ip", "-n", ns.Name, "link", "set", "sync0", "multicast", "on", "up");
        HostCommand.Check("ip", "-n", ns.Name, "addr", "add", "198.18.5.1/24", "dev", "sync0");

        ns.IpvsOk("daemon", "add", "--state", "master", "--mcast-ifn", "sync0", "--sync-id", "7",
            "--mcast-group", "239.1.1.1", "--mcast-port", "8850", "--mcast-ttl", "2", "--sync-maxlen", "1400");
        ns.IpvsOk("dm", "a", "--state", "backup", "--mcast-ifn", "sync0");

        Assert.Equal(
            """
            master sync daemon (mcast=sync0, syncid=7, maxlen=1400, group=239.1.1.1, port=8850, ttl=2)
            backup sync daemon (mcast=sync0, syncid=0, maxlen=1472, group=224.0.0.81, port=8848, ttl=1)

            """,
            ns.Ipvsadm("-L", "--daemon"));
        var daemons = ns.IpvsJson("daemon", "show").GetProperty("daemons").EnumerateArray().ToArray();
        Assert.Equal(["master", "backup"], daemons.Select(d => d.GetProperty("state").GetString()));
        Assert.Equal("sync0", daemons[0].GetProperty("mcast_interface").GetString());
        Assert.Equal(7, daemons[0].GetProperty("sync_id").GetInt32());
        Assert.Equal("239.1.1.1", daemons[0].GetProperty("mcast_group").GetString());
        Assert.Equal(8850, daemons[0].GetProperty("mcast_port").GetInt32());
        Assert.Equal(2, daemons[0].GetProperty("mcast_ttl").GetInt32());
        Assert.Equal(1400, daemons[0].GetProperty("sync_maxlen").GetInt32());

        ns.Ipvs("daemon", "add", "--state", "master", "--mcast-ifn", "sync0").AssertFails(1, "ipvs: a master sync daemon is already running");
        ns.IpvsOk("daemon", "del", "--state", "master");
        ns.Ipvs("daemon", "d", "--state", "master").AssertFails(1, "ipvs: no master sync daemon is running");
        ns.IpvsOk("daemon", "delete", "--state", "backup");
        Assert.Empty(ns.Ipvsadm("-L", "--daemon"));
    }
}
