using FsCheck;
using FsCheck.Fluent;
using Ipvs.Netlink;

namespace Ipvs.Tests.Netlink;

public sealed class NetlinkAttributePropertyTests
{
    private static readonly Gen<(ushort Type, byte[] Value)[]> s_attributes =
        Gen.ArrayOf(
            from type in Gen.Choose(1, 0x3fff)
            from length in Gen.Choose(0, 40)
            from bytes in Gen.ArrayOf(Gen.Choose(0, 255), length)
            select ((ushort)type, bytes.Select(b => (byte)b).ToArray()));

    [Fact]
    public void Attributes_WrittenInANest_ReadBackInOrderWithTheirPayloads() =>
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(300), Prop.ForAll(Arb.From(s_attributes), attributes =>
        {
            using var writer = new NetlinkMessageWriter(8);
            writer.BeginMessage(0x20, 0, 1);
            writer.WriteGenericHeader(1, 1);
            var nest = writer.BeginNested(7);
            foreach (var (type, value) in attributes)
            {
                writer.WriteBytes(type, value);
            }

            writer.EndNested(nest);
            writer.EndMessage();

            var messages = new NetlinkMessageReader(writer.WrittenSpan);
            messages.TryRead(out var message);
            var outer = message.Attributes(GenericNetlink.HeaderLength);
            outer.TryRead(out var nestType, out var nested);
            var read = new List<(ushort, byte[])>();
            var inner = new NetlinkAttributeReader(nested);
            while (inner.TryRead(out var type, out var value))
            {
                read.Add((type, value.ToArray()));
            }

            return nestType == 7
                && writer.Length % 4 == 0
                && read.Count == attributes.Length
                && read.Zip(attributes).All(p => p.First.Item1 == p.Second.Type && p.First.Item2.AsSpan().SequenceEqual(p.Second.Value));
        }));
}
