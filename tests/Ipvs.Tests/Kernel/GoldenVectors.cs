using Ipvs.Kernel;
using Ipvs.Netlink;

namespace Ipvs.Tests.Kernel;

/// <summary>
/// The netlink messages of one Debian ipvsadm invocation against the real kernel, as captured by
/// TestData/Golden/capture.sh (strace hex dumps): what ipvsadm sent and what the kernel answered.
/// </summary>
internal sealed class GoldenVectors
{
    private GoldenVectors(IReadOnlyList<(bool Sent, byte[] Message)> messages, ushort familyId)
    {
        Messages = messages;
        FamilyId = familyId;
    }

    public IReadOnlyList<(bool Sent, byte[] Message)> Messages { get; }

    /// <summary>The IPVS family id the kernel assigned in that boot.</summary>
    public ushort FamilyId { get; }

    public static GoldenVectors Load(string name)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "TestData", "Golden", name + ".txt");
        var messages = new List<(bool, byte[])>();
        ushort? familyId = null;
        foreach (var line in File.ReadAllLines(path))
        {
            if (line.Length < 6)
            {
                continue;
            }

            var sent = line.StartsWith("send ", StringComparison.Ordinal);
            var datagram = Convert.FromHexString(line[5..]);
            var reader = new NetlinkMessageReader(datagram);
            var offset = 0;
            while (reader.TryRead(out var message))
            {
                var length = NetlinkConstants.HeaderLength + message.Payload.Length;
                messages.Add((sent, datagram.AsSpan(offset, length).ToArray()));
                offset += NetlinkConstants.Align(length);
                if (!sent && message.Type == GenericNetlink.ControllerId && GenericNetlink.ParseFamily(message) is { Name: IpvsGenl.FamilyName } family)
                {
                    familyId = family.Id;
                }
            }
        }

        return new GoldenVectors(messages, familyId ?? throw new InvalidDataException(name + ": no IPVS family resolution captured"));
    }

    /// <summary>The IPVS messages sent or received with the given generic netlink command.</summary>
    public IEnumerable<byte[]> Ipvs(bool sent, byte command) =>
        Messages.Where(m => m.Sent == sent && BitConverter.ToUInt16(m.Message, 4) == FamilyId && m.Message[NetlinkConstants.HeaderLength] == command)
            .Select(m => m.Message);

    /// <summary>Every received IPVS-family or error message.</summary>
    public IEnumerable<byte[]> Received() => Messages.Where(m => !m.Sent).Select(m => m.Message);

    /// <summary>A copy with the sequence number and port id zeroed, to compare encodings.</summary>
    public static byte[] WithoutSequence(byte[] message)
    {
        var copy = (byte[])message.Clone();
        Array.Clear(copy, 8, 8);
        return copy;
    }
}
