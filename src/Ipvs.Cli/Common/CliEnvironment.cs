namespace Ipvs.Cli.Common;

/// <summary>What the command tree needs from the outside world: a console and how to reach IPVS.</summary>
/// <param name="Console">The console to talk to.</param>
/// <param name="ClientOptions">How to open the IPVS client (tests point it at a network namespace).</param>
internal sealed record CliEnvironment(CliConsole Console, IpvsClientOptions ClientOptions)
{
    /// <summary>Replaces opening the client (host tests use it to prove the kernel is not touched).</summary>
    public Func<IpvsClient>? ClientFactory { get; init; }

    /// <summary>The process's console and the current network namespace.</summary>
    public static CliEnvironment System() => new(CliConsole.System(), new IpvsClientOptions());

    /// <summary>Opens IPVS; called only after every argument was validated.</summary>
    public IpvsClient OpenClient() => ClientFactory?.Invoke() ?? IpvsClient.Open(ClientOptions);

    /// <summary>Opens IPVS in <paramref name="networkNamespace"/> (a path), or as <see cref="OpenClient()"/> when null.</summary>
    public IpvsClient OpenClient(string? networkNamespace) =>
        networkNamespace is null ? OpenClient() : ClientFactory?.Invoke() ?? IpvsClient.Open(ClientOptions with { NetworkNamespace = networkNamespace });
}
