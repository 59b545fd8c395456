using System.Runtime.InteropServices;
using System.Text;
using Ipvs.Cli.Adm;

namespace Ipvs.Tests.Adm;

/// <summary>
/// The C text conversions, checked against this machine's glibc itself: the same random and edge
/// inputs go through our emulation and through libc's inet_aton, inet_pton, inet_ntop and strtol.
/// </summary>
public sealed unsafe partial class CTextTests
{
    private static readonly string[] s_edges =
    [
        "", "0", "1", "1.2", "1.2.3", "1.2.3.4", "1.2.3.4.5", "255.255.255.255", "256.1.1.1", "0x7f.1", "0X7F.0.0.1", "017.0.0.1",
        "08.1.1.1", "0x", "0x.1", "1.2.3.4 x", "1.2.3.4\tx", "1.2.3.4x", " 1.2.3.4", "1..2", "1.2.3.", ".1.2.3", "4294967295",
        "4294967296", "1.16777215", "1.16777216", "1.2.65535", "1.2.65536", "99999999999999999999", "1.2.3.04", "0.0.0.0",
        "::", "::1", "1::", "1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8:9", "1::2::3", ":1::", "1:::2", "::ffff:1.2.3.4", "::1.2.3.4",
        "1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5:6:7:1.2.3.4", "2001:db8::1", "2001:DB8::A", "12345::", "1:2:3:4:5:6:7::", "::2:3:4:5:6:7:8",
        "fe80::1%eth0", "[::1]", "::1.2.3", "::1.2.3.4.5", "1.2.3.4:80", "2001:db8::1:80", "g::", "-1", "+1", "1e2",
        "::0.0.0.1", "0:0:0:0:0:ffff:0:0", "1:0:0:1:0:0:0:1", "1:0:0:0:1:0:0:1", "0:0:1:0:0:0:0:0",
    ];

    [LibraryImport("libc", EntryPoint = "inet_aton")]
    private static partial int LibcInetAton(byte* text, uint* address);

    [LibraryImport("libc", EntryPoint = "inet_pton")]
    private static partial int LibcInetPton(int family, byte* text, byte* address);

    [LibraryImport("libc", EntryPoint = "inet_ntop")]
    private static partial byte* LibcInetNtop(int family, byte* address, byte* text, uint size);

    [LibraryImport("libc", EntryPoint = "strtol")]
    private static partial nint LibcStrToL(byte* text, byte** end, int radix);

    public static TheoryData<string> Edges() => [.. s_edges];

    [Theory]
    [MemberData(nameof(Edges))]
    public void InetAton_Edges_AgreesWithGlibc(string text) => AssertAtonAgrees(text);

    [Theory]
    [MemberData(nameof(Edges))]
    public void InetPton_Edges_AgreesWithGlibc(string text)
    {
        AssertPton4Agrees(text);
        AssertPton6Agrees(text);
    }

    [Theory]
    [MemberData(nameof(Edges))]
    public void StrToL_Edges_AgreesWithGlibc(string text) => AssertStrToLAgrees(text);

    [Fact]
    public void Conversions_RandomText_AgreeWithGlibc()
    {
        var random = new Random(7);
        const string alphabet = "0123456789abcdefxX.:  \t+-fF";
        for (var i = 0; i < 20_000; i++)
        {
            var length = random.Next(0, 24);
            var text = new StringBuilder(length);
            for (var j = 0; j < length; j++)
            {
                text.Append(alphabet[random.Next(alphabet.Length)]);
            }

            var s = text.ToString();
            AssertAtonAgrees(s);
            AssertPton4Agrees(s);
            AssertPton6Agrees(s);
            AssertStrToLAgrees(s);
        }
    }

    [Fact]
    public void InetNtop6_RandomAddresses_AgreesWithGlibc()
    {
        var random = new Random(11);
        Span<byte> address = stackalloc byte[16];
        var text = stackalloc byte[64];
        for (var i = 0; i < 20_000; i++)
        {
            // Many zero groups, so that the "::" choice and the IPv4 tails are exercised.
            for (var g = 0; g < 8; g++)
            {
                var word = random.Next(3) == 0 ? random.Next(0x10000) : 0;
                if (g == 5 && random.Next(4) == 0)
                {
                    word = 0xFFFF;
                }

                address[2 * g] = (byte)(word >> 8);
                address[(2 * g) + 1] = (byte)word;
            }

            fixed (byte* a = address)
            {
                LibcInetNtop(10, a, text, 64);
            }

            Assert.Equal(Marshal.PtrToStringUTF8((nint)text), CText.InetNtop6(address));
        }
    }

    [Theory]
    [InlineData(",,", new string[0])]
    [InlineData("sh-port,", new[] { "sh-port" })]
    [InlineData(",a,,b,", new[] { "a", "b" })]
    public void StrTok_SkipsEmptyPieces(string text, string[] expected) => Assert.Equal(expected, CText.StrTok(text, ','));

    [Theory]
    [InlineData("80", 0, 65535, 80)]
    [InlineData("+80", 0, 65535, 80)]
    [InlineData(" 80", 0, 65535, 80)]
    [InlineData("80 ", 0, 65535, -1)]
    [InlineData("65536", 0, 65535, -1)]
    [InlineData("-1", 0, 65535, -1)]
    [InlineData("", 0, 65535, -1)]
    [InlineData("0x10", 0, 65535, -1)]
    [InlineData("2147483647", 0, int.MaxValue, int.MaxValue)]
    [InlineData("2147483648", 0, int.MaxValue, -1)]
    [InlineData("99999999999999999999", 0, int.MaxValue, -1)]
    public void StringToNumber_IsIpvsadms(string text, int min, int max, int expected) =>
        Assert.Equal(expected, CText.StringToNumber(text, min, max));

    [Theory]
    [InlineData("64", 64)]
    [InlineData("64abc", 64)]
    [InlineData(" -3", -3)]
    [InlineData("4294967360", 64)]
    [InlineData("x", 0)]
    public void Atoi_IsGlibcs(string text, int expected) => Assert.Equal(expected, CText.Atoi(text));

    private static void AssertAtonAgrees(string text)
    {
        var bytes = Encoding.Latin1.GetBytes(text + "\0");
        uint libc;
        int ok;
        fixed (byte* p = bytes)
        {
            ok = LibcInetAton(p, &libc);
        }

        var ours = CText.InetAton(text, out var address);
        Assert.True(ok != 0 == ours, $"inet_aton(\"{text}\"): glibc {ok}, ours {ours}");
        if (ours)
        {
            // glibc's s_addr is in network order; ours is the number whose big-endian bytes are the address.
            Assert.Equal(System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(libc), address);
        }
    }

    private static void AssertPton4Agrees(string text)
    {
        var bytes = Encoding.Latin1.GetBytes(text + "\0");
        var libc = new byte[4];
        int ok;
        fixed (byte* p = bytes)
        fixed (byte* a = libc)
        {
            ok = LibcInetPton(2, p, a);
        }

        var ours = new byte[4];
        Assert.True(ok == 1 == CText.InetPton4(text, ours), $"inet_pton(AF_INET, \"{text}\")");
        if (ok == 1)
        {
            Assert.Equal(libc, ours);
        }
    }

    private static void AssertPton6Agrees(string text)
    {
        var bytes = Encoding.Latin1.GetBytes(text + "\0");
        var libc = new byte[16];
        int ok;
        fixed (byte* p = bytes)
        fixed (byte* a = libc)
        {
            ok = LibcInetPton(10, p, a);
        }

        var ours = new byte[16];
        Assert.True(ok == 1 == CText.InetPton6(text, ours), $"inet_pton(AF_INET6, \"{text}\"): glibc {ok}");
        if (ok == 1)
        {
            Assert.Equal(libc, ours);
        }
    }

    private static void AssertStrToLAgrees(string text)
    {
        var bytes = Encoding.Latin1.GetBytes(text + "\0");
        nint value;
        long end;
        fixed (byte* p = bytes)
        {
            byte* e;
            Marshal.SetLastPInvokeError(0);
            value = LibcStrToL(p, &e, 10);
            end = e - p;
        }

        var ours = CText.StrToL(text, out var ourEnd, out _);
        Assert.Equal((long)value, ours);
        Assert.Equal(end, ourEnd);
    }
}
