namespace Ipvs.Netlink;

/// <summary>A generic netlink family as the kernel's nlctrl describes it.</summary>
/// <param name="Id">The message type to address the family with.</param>
/// <param name="Name">The family name.</param>
/// <param name="Version">The family's interface version.</param>
/// <param name="MaxAttribute">The highest top-level attribute the family accepts.</param>
/// <param name="Operations">The command numbers the family implements (CTRL_ATTR_OPS), in the kernel's order.</param>
internal sealed record GenericNetlinkFamily(ushort Id, string Name, uint Version, uint MaxAttribute, IReadOnlyList<uint> Operations)
{
    /// <summary>True when the kernel lists <paramref name="command"/> among the family's operations.</summary>
    public bool Supports(uint command) => Operations.Contains(command);
}

/// <summary>Generic netlink constants and family resolution through nlctrl (linux/genetlink.h).</summary>
internal static class GenericNetlink
{
    internal const int HeaderLength = 4;
    internal const ushort ControllerId = 0x10;
    internal const byte ControllerGetFamily = 3;
    internal const ushort ControllerAttributeFamilyId = 1;
    internal const ushort ControllerAttributeFamilyName = 2;
    internal const ushort ControllerAttributeVersion = 3;
    internal const ushort ControllerAttributeMaxAttribute = 5;
    internal const ushort ControllerAttributeOperations = 6;
    internal const ushort ControllerAttributeOperationId = 1;

    /// <summary>Writes a CTRL_CMD_GETFAMILY request for <paramref name="name"/>.</summary>
    public static void WriteGetFamily(NetlinkMessageWriter writer, string name)
    {
        writer.BeginMessage(ControllerId, NetlinkConstants.FlagRequest, 0);
        writer.WriteGenericHeader(ControllerGetFamily, 1);
        writer.WriteString(ControllerAttributeFamilyName, name);
        writer.EndMessage();
    }

    /// <summary>Asks nlctrl for a family's id; null when the kernel has no such family (ENOENT).</summary>
    public static GenericNetlinkFamily? ResolveFamily(NetlinkSocket socket, string name, CancellationToken cancellationToken)
    {
        using var writer = new NetlinkMessageWriter(256);
        WriteGetFamily(writer, name);
        var handler = new FamilyHandler();
        var outcome = socket.Execute(writer.WrittenSpan, handler, cancellationToken)[0];
        if (outcome.Errno == Errno.ENOENT)
        {
            return null;
        }

        if (!outcome.Succeeded)
        {
            throw new NetlinkException(outcome.Errno, outcome.KernelMessage, $"resolving the generic netlink family {name}");
        }

        return handler.Family ?? throw new NetlinkProtocolException($"nlctrl answered without the id of family {name}.");
    }

    /// <summary>Parses a CTRL_CMD_NEWFAMILY reply.</summary>
    internal static GenericNetlinkFamily? ParseFamily(NetlinkMessage message)
    {
        ushort? id = null;
        string? name = null;
        uint version = 0, maxAttribute = 0;
        List<uint> operations = [];
        var attributes = message.Attributes(HeaderLength);
        while (attributes.TryRead(out var type, out var value))
        {
            switch (type)
            {
                case ControllerAttributeFamilyId:
                    id = NetlinkAttributeReader.ReadU16(value);
                    break;
                case ControllerAttributeFamilyName:
                    name = NetlinkAttributeReader.ReadString(value);
                    break;
                case ControllerAttributeVersion:
                    version = NetlinkAttributeReader.ReadU32(value);
                    break;
                case ControllerAttributeMaxAttribute:
                    maxAttribute = NetlinkAttributeReader.ReadU32(value);
                    break;
                case ControllerAttributeOperations:
                    ReadOperations(value, operations);
                    break;
            }
        }

        return id is { } familyId && name is not null ? new GenericNetlinkFamily(familyId, name, version, maxAttribute, operations) : null;
    }

    /// <summary>CTRL_ATTR_OPS is an array: one nest per operation (numbered from 1), holding CTRL_ATTR_OP_ID and CTRL_ATTR_OP_FLAGS.</summary>
    private static void ReadOperations(ReadOnlySpan<byte> array, List<uint> operations)
    {
        var entries = new NetlinkAttributeReader(array);
        while (entries.TryRead(out _, out var entry))
        {
            var fields = new NetlinkAttributeReader(entry);
            while (fields.TryRead(out var type, out var value))
            {
                if (type == ControllerAttributeOperationId)
                {
                    operations.Add(NetlinkAttributeReader.ReadU32(value));
                }
            }
        }
    }

    private sealed class FamilyHandler : INetlinkReplyHandler
    {
        public GenericNetlinkFamily? Family { get; private set; }

        public void OnMessage(int request, NetlinkMessage message) => Family = ParseFamily(message) ?? Family;

        public void OnRestart(int request) => Family = null;
    }
}
