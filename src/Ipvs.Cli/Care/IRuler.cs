namespace Ipvs.Cli.Care;

/// <summary>
/// What makes the virtual addresses reachable from the node itself, besides IPVS: a route
/// (route mode) or a dummy link with masquerade rules (link mode). lvscare's "Ruler".
/// </summary>
internal interface IRuler
{
    /// <summary>The mode's name, for logs.</summary>
    string Name { get; }

    /// <summary>Checks, without changing anything, that <see cref="Setup"/> can work (run before the first change).</summary>
    /// <exception cref="InvalidOperationException">It cannot; the message says why.</exception>
    void Check();

    /// <summary>Creates what is missing.</summary>
    void Setup();

    /// <summary>Puts back what someone removed; returns what was repaired (empty when nothing).</summary>
    IReadOnlyList<string> Repair();

    /// <summary>The virtual addresses it serves.</summary>
    IReadOnlyList<System.Net.IPAddress> Addresses { get; }

    /// <summary>Removes everything this mode creates (what is already gone is not an error).</summary>
    void Cleanup();

    /// <summary>Removes what serves <paramref name="addresses"/> only (after a reload dropped them).</summary>
    void Release(IEnumerable<System.Net.IPAddress> addresses);
}
