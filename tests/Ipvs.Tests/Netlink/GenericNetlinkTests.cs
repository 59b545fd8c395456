using Ipvs.Netlink;

namespace Ipvs.Tests.Netlink;

public sealed class GenericNetlinkTests
{
    /// <summary>A CTRL_CMD_NEWFAMILY reply laid out as nlctrl sends it, with CTRL_ATTR_OPS.</summary>
    private static byte[] FamilyReply(string name, ushort id, params uint[] operations)
    {
        using var writer = new NetlinkMessageWriter(256);
        writer.BeginMessage(GenericNetlink.ControllerId, 0, 1);
        writer.WriteGenericHeader(1, 2);
        writer.WriteString(GenericNetlink.ControllerAttributeFamilyName, name);
        writer.WriteU16(GenericNetlink.ControllerAttributeFamilyId, id);
        writer.WriteU32(GenericNetlink.ControllerAttributeVersion, 1);
        writer.WriteU32(4, 0); // CTRL_ATTR_HDRSIZE
        writer.WriteU32(GenericNetlink.ControllerAttributeMaxAttribute, 6);
        var ops = writer.BeginNested(GenericNetlink.ControllerAttributeOperations);
        for (var i = 0; i < operations.Length; i++)
        {
            var op = writer.BeginNested((ushort)(i + 1));
            writer.WriteU32(GenericNetlink.ControllerAttributeOperationId, operations[i]);
            writer.WriteU32(2, 0x1a); // CTRL_ATTR_OP_FLAGS: admin perm, has doit/dumpit
            writer.EndNested(op);
        }

        writer.EndNested(ops);
        writer.EndMessage();
        return writer.WrittenSpan.ToArray();
    }

    private static GenericNetlinkFamily? Parse(byte[] bytes)
    {
        var reader = new NetlinkMessageReader(bytes);
        Assert.True(reader.TryRead(out var message));
        return GenericNetlink.ParseFamily(message);
    }

    [Fact]
    public void ParseFamily_ReadsIdVersionAndEveryOperation()
    {
        var mainline = Enumerable.Range(1, 17).Select(i => (uint)i).ToArray();

        var family = Parse(FamilyReply("IPVS", 0x1d, mainline));

        Assert.NotNull(family);
        Assert.Equal((ushort)0x1d, family.Id);
        Assert.Equal("IPVS", family.Name);
        Assert.Equal(1u, family.Version);
        Assert.Equal(6u, family.MaxAttribute);
        Assert.Equal(mainline, family.Operations);
        Assert.True(family.Supports(17));
        Assert.False(family.Supports(18));
    }

    [Fact]
    public void ParseFamily_FullNatKernel_ListsTheLocalAddressCommands()
    {
        var fullNat = Enumerable.Range(1, 20).Select(i => (uint)i).ToArray();

        var family = Parse(FamilyReply("IPVS", 0x1d, fullNat));

        Assert.NotNull(family);
        Assert.True(family.Supports(18) && family.Supports(19) && family.Supports(20));
    }

    [Fact]
    public void ParseFamily_WithoutOperations_HasAnEmptyList()
    {
        var family = Parse(FamilyReply("nlctrl", 0x10));

        Assert.NotNull(family);
        Assert.Empty(family.Operations);
    }
}
