using Ipvs.Cli.Care;
using Ipvs.Testing;

namespace Ipvs.Tests.Care;

/// <summary>The files in deploy/: the static pod is what --print-static-pod prints, the unit's command line and the example file are valid.</summary>
public sealed class DeployTests
{
    [Fact]
    public void StaticPodFile_IsWhatPrintStaticPodPrints()
    {
        var file = File.ReadAllText(Path.Combine(TestPaths.Root, "deploy", "static-pod.yaml"));
        var command = file.Split('\n').First(l => l.StartsWith("#   ipvs care ", StringComparison.Ordinal))[("#   ipvs care ".Length)..].Split(' ');
        Assert.True(CareFlags.TryParse(command, null, _ => null, out var options, out _, out var error, _ => null), error);
        Assert.True(options.PrintStaticPod);
        var yaml = string.Concat(file.Split('\n').Where(l => !l.StartsWith('#')).Select(l => l + "\n")).TrimEnd('\n') + "\n";
        Assert.Equal(StaticPod.Render(options.StaticPodArguments, options.Image, options.File), yaml);
    }

    [Fact]
    public void StaticPod_HasTheShapeSealosGives()
    {
        var yaml = StaticPod.Render(["care", "--vs", "10.10.10.10:6443", "--rs", "116.31.96.134:6443", "--health-status", "401"], CareFlags.DefaultImage, null);
        Assert.Equal(
            $$"""
            apiVersion: v1
            kind: Pod
            metadata:
              creationTimestamp: null
              name: ipvs-care
              namespace: kube-system
            spec:
              containers:
              - args:
                - care
                - --vs
                - 10.10.10.10:6443
                - --rs
                - 116.31.96.134:6443
                - --health-status
                - "401"
                command:
                - /usr/sbin/ipvs
                image: {{CareFlags.DefaultImage}}
                imagePullPolicy: IfNotPresent
                name: ipvs-care
                resources: {}
                securityContext:
                  privileged: true
                volumeMounts:
                - mountPath: /lib/modules
                  name: lib-modules
                  readOnly: true
              hostNetwork: true
              priorityClassName: system-node-critical
              volumes:
              - hostPath:
                  path: /lib/modules
                  type: ""
                name: lib-modules
            status: {}

            """,
            yaml);
    }

    [Fact]
    public void StaticPod_WithAFile_MountsItsDirectory()
    {
        var yaml = StaticPod.Render(["care", "--file", "/etc/ipvs/care.yaml"], CareFlags.DefaultImage, "/etc/ipvs/care.yaml");
        Assert.Contains("    - mountPath: /etc/ipvs\n      name: config\n      readOnly: true\n", yaml, StringComparison.Ordinal);
        Assert.Contains("  - hostPath:\n      path: /etc/ipvs\n      type: Directory\n    name: config\n", yaml, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("10.0.0.1:6443", "10.0.0.1:6443")]
    [InlineData("/healthz", "/healthz")]
    [InlineData("--interval=5s", "--interval=5s")]
    [InlineData("k=v,k2=v2", "k=v,k2=v2")]
    [InlineData("401", "\"401\"")]
    [InlineData("1.5", "\"1.5\"")]
    [InlineData("true", "\"true\"")]
    [InlineData("no", "\"no\"")]
    [InlineData("", "\"\"")]
    [InlineData("a: b", "\"a: b\"")]
    [InlineData("x #y", "\"x #y\"")]
    [InlineData("*star", "\"*star\"")]
    [InlineData("say \"hi\"", "say \"hi\"")]
    [InlineData("tab\there", "\"tab\\there\"")]
    [InlineData("12:30", "\"12:30\"")]
    public void YamlScalars_QuotedOnlyWhenNeeded(string value, string expected) => Assert.Equal(expected, StaticPod.Scalar(value));

    [Fact]
    public void SystemdUnit_IsNotifyWithWatchdog_AndItsCommandLineParsesWithTheExampleFile()
    {
        var unit = File.ReadAllLines(Path.Combine(TestPaths.Root, "deploy", "ipvs-care.service"));
        Assert.Contains("Type=notify", unit);
        Assert.Contains(unit, l => l.StartsWith("WatchdogSec=", StringComparison.Ordinal));
        Assert.Contains("ExecReload=/bin/kill -HUP $MAINPID", unit);
        var exec = unit.Single(l => l.StartsWith("ExecStart=", StringComparison.Ordinal))["ExecStart=".Length..].Split(' ');
        Assert.Equal(["/usr/local/bin/ipvs", "care", "-f", "/etc/ipvs/care.yaml"], exec);
        var example = Path.Combine(TestPaths.Root, "deploy", "care.yaml");
        Assert.True(CareFlags.TryParse(["-f", example], null, _ => null, out var options, out _, out var error, _ => null), error);
        Assert.Equal(2, options.Services.Count);
        Assert.Equal(3, options.Services[0].RealServers.Count);
        Assert.Equal(TimeSpan.FromSeconds(3), options.Services[0].Health.Timeout);
        Assert.Equal(Ipvs.Health.HealthCheckType.Tcp, options.Services[1].Health.Type);
    }
}
