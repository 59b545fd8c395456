namespace Ipvs.KernelTests.Care;

/// <summary>
/// The timing scenarios run alone (after every parallel test), so that on the lab's single CPU
/// their windows are not stretched by unrelated work.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class CareTimingCollection
{
    public const string Name = "care timing";
}
