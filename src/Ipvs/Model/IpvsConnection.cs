using System.Net;

namespace Ipvs.Model;

/// <summary>One entry of the kernel's connection table (<c>/proc/net/ip_vs_conn</c>).</summary>
public sealed record IpvsConnection
{
    /// <summary>The protocol as the kernel names it: TCP, UDP, SCTP, or IP for a persistence template of a firewall-mark service.</summary>
    public required string Protocol { get; init; }

    /// <summary>The client's address.</summary>
    public required IPAddress ClientAddress { get; init; }

    /// <summary>The client's port.</summary>
    public required ushort ClientPort { get; init; }

    /// <summary>The virtual address.</summary>
    public required IPAddress VirtualAddress { get; init; }

    /// <summary>The virtual port.</summary>
    public required ushort VirtualPort { get; init; }

    /// <summary>The local (source) address FULLNAT used towards the real server; null on kernels without FULLNAT.</summary>
    public IPAddress? LocalAddress { get; init; }

    /// <summary>The local (source) port FULLNAT used; 0 without FULLNAT.</summary>
    public ushort LocalPort { get; init; }

    /// <summary>The real server's address.</summary>
    public required IPAddress DestinationAddress { get; init; }

    /// <summary>The real server's port.</summary>
    public required ushort DestinationPort { get; init; }

    /// <summary>The protocol state (ESTABLISHED, FIN_WAIT, NONE for a template, …).</summary>
    public required string State { get; init; }

    /// <summary>Time left before the entry expires.</summary>
    public required TimeSpan Expires { get; init; }

    /// <summary>The persistence engine, when the entry has one.</summary>
    public string? PersistenceEngine { get; init; }

    /// <summary>The persistence engine's data (a SIP Call-ID, for example).</summary>
    public string? PersistenceEngineData { get; init; }
}
