namespace Ipvs.Model;

/// <summary>What the kernel says about its IPVS implementation.</summary>
/// <param name="VersionCode">The version as the kernel encodes it (0x010201 for 1.2.1).</param>
/// <param name="ConnectionTableSize">The size of the connection hash table.</param>
public sealed record IpvsInfo(uint VersionCode, uint ConnectionTableSize)
{
    /// <summary>The IPVS version (1.2.1 on every current kernel).</summary>
    public Version Version => new((int)(VersionCode >> 16), (int)((VersionCode >> 8) & 0xff), (int)(VersionCode & 0xff));
}
