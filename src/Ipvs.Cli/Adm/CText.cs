namespace Ipvs.Cli.Adm;

/// <summary>
/// The C library's text conversions as glibc performs them (strtol, atoi, inet_aton, inet_pton,
/// inet_ntop, strtok), because ipvsadm accepts and prints exactly what they accept and print.
/// Strings here hold one byte per character (Latin-1), the way C sees them.
/// </summary>
internal static class CText
{
    /// <summary>isspace() in the C locale.</summary>
    public static bool IsSpace(char c) => c is ' ' or '\t' or '\n' or '\v' or '\f' or '\r';

    public static bool IsDigit(char c) => c is >= '0' and <= '9';

    /// <summary>strtol(s, &amp;end, 10): the value, where parsing stopped, and whether it overflowed (ERANGE).</summary>
    public static long StrToL(string s, out int end, out bool overflow)
    {
        overflow = false;
        var i = 0;
        while (i < s.Length && IsSpace(s[i]))
        {
            i++;
        }

        var negative = false;
        if (i < s.Length && (s[i] == '+' || s[i] == '-'))
        {
            negative = s[i] == '-';
            i++;
        }

        var digitsStart = i;
        ulong magnitude = 0;
        const ulong limit = (ulong)long.MaxValue + 1;
        while (i < s.Length && IsDigit(s[i]))
        {
            if (!overflow)
            {
                var next = (magnitude * 10) + (ulong)(s[i] - '0');
                if (magnitude > limit / 10 || next > limit)
                {
                    overflow = true;
                }
                else
                {
                    magnitude = next;
                }
            }

            i++;
        }

        if (i == digitsStart)
        {
            end = 0;
            return 0;
        }

        end = i;
        if (!overflow && !negative && magnitude == limit)
        {
            overflow = true;
        }

        if (overflow)
        {
            return negative ? long.MinValue : long.MaxValue;
        }

        return negative ? -(long)magnitude : (long)magnitude;
    }

    /// <summary>ipvsadm's string_to_number: the whole string a decimal in [min, max], else -1.</summary>
    public static int StringToNumber(string s, int min, int max)
    {
        var number = StrToL(s, out var end, out var overflow);
        if (end == s.Length && end != 0 && !overflow && min <= number && number <= max)
        {
            return (int)number;
        }

        return -1;
    }

    /// <summary>atoi: glibc's (int)strtol(s, NULL, 10), truncated to 32 bits.</summary>
    public static int Atoi(string s) => unchecked((int)StrToL(s, out _, out _));

    /// <summary>
    /// inet_aton: the forms a, a.b, a.b.c and a.b.c.d, each part decimal, octal (0…) or hex (0x…),
    /// trailing white space and anything after it ignored.
    /// </summary>
    /// <param name="s">The text.</param>
    /// <param name="address">The address as a number whose big-endian bytes are the address.</param>
    public static bool InetAton(string s, out uint address)
    {
        address = 0;
        Span<uint> parts = stackalloc uint[4];
        var count = 0;
        var i = 0;
        uint value;
        while (true)
        {
            if (i >= s.Length || !IsDigit(s[i]))
            {
                return false;
            }

            if (!StrToULBase0(s, ref i, out var parsed) || parsed > 0xFFFFFFFF)
            {
                return false;
            }

            value = (uint)parsed;
            if (i < s.Length && s[i] == '.')
            {
                if (count > 2 || value > 0xFF)
                {
                    return false;
                }

                parts[count++] = value;
                i++;
            }
            else
            {
                break;
            }
        }

        if (i < s.Length && !(s[i] < 0x80 && IsSpace(s[i])))
        {
            return false;
        }

        uint max = count switch { 0 => 0xFFFFFFFF, 1 => 0xFFFFFF, 2 => 0xFFFF, _ => 0xFF };
        if (value > max)
        {
            return false;
        }

        uint word = 0;
        for (var p = 0; p < count; p++)
        {
            word |= parts[p] << (24 - (8 * p));
        }

        address = word | value;
        return true;
    }

    /// <summary>strtoul with base 0 from a position holding a digit: 0x… hex, 0… octal, else decimal. False on overflow.</summary>
    private static bool StrToULBase0(string s, ref int i, out ulong value)
    {
        value = 0;
        var radix = 10u;
        if (s[i] == '0')
        {
            if (i + 2 < s.Length && (s[i + 1] == 'x' || s[i + 1] == 'X') && HexValue(s[i + 2]) >= 0)
            {
                radix = 16;
                i += 2;
            }
            else
            {
                radix = 8;
            }
        }

        var overflow = false;
        while (i < s.Length)
        {
            var digit = HexValue(s[i]);
            if (digit < 0 || digit >= radix)
            {
                break;
            }

            if (value > (ulong.MaxValue - (uint)digit) / radix)
            {
                overflow = true;
            }

            value = unchecked((value * radix) + (uint)digit);
            i++;
        }

        return !overflow;
    }

    internal static int HexValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => -1,
    };

    /// <summary>inet_pton(AF_INET): exactly four decimal parts of 0–255 without leading zeros.</summary>
    public static bool InetPton4(string s, Span<byte> destination) => InetPton4(s, 0, s.Length, destination);

    private static bool InetPton4(string s, int start, int end, Span<byte> destination)
    {
        Span<byte> temp = stackalloc byte[4];
        temp.Clear();
        var sawDigit = false;
        var octets = 0;
        var tp = 0;
        for (var i = start; i < end; i++)
        {
            var ch = s[i];
            if (ch is >= '0' and <= '9')
            {
                var value = (temp[tp] * 10) + (ch - '0');
                if (sawDigit && temp[tp] == 0)
                {
                    return false;
                }

                if (value > 255)
                {
                    return false;
                }

                temp[tp] = (byte)value;
                if (!sawDigit)
                {
                    if (++octets > 4)
                    {
                        return false;
                    }

                    sawDigit = true;
                }
            }
            else if (ch == '.' && sawDigit)
            {
                if (octets == 4)
                {
                    return false;
                }

                temp[++tp] = 0;
                sawDigit = false;
            }
            else
            {
                return false;
            }
        }

        if (octets < 4)
        {
            return false;
        }

        temp.CopyTo(destination);
        return true;
    }

    /// <summary>inet_pton(AF_INET6) as glibc 2.36 parses it (one "::", at most four hex digits a group, an IPv4 tail).</summary>
    public static bool InetPton6(string s, Span<byte> destination)
    {
        Span<byte> temp = stackalloc byte[16];
        temp.Clear();
        var end = s.Length;
        var src = 0;
        var tp = 0;
        var colon = -1;
        if (src == end)
        {
            return false;
        }

        if (s[src] == ':')
        {
            src++;
            if (src == end || s[src] != ':')
            {
                return false;
            }
        }

        var token = src;
        var digits = 0;
        var value = 0u;
        while (src < end)
        {
            var ch = s[src++];
            var digit = HexValue(ch);
            if (digit >= 0)
            {
                if (digits == 4)
                {
                    return false;
                }

                value = (value << 4) | (uint)digit;
                if (value > 0xFFFF)
                {
                    return false;
                }

                digits++;
                continue;
            }

            if (ch == ':')
            {
                token = src;
                if (digits == 0)
                {
                    if (colon >= 0)
                    {
                        return false;
                    }

                    colon = tp;
                    continue;
                }
                else if (src == end)
                {
                    return false;
                }

                if (tp + 2 > 16)
                {
                    return false;
                }

                temp[tp++] = (byte)(value >> 8);
                temp[tp++] = (byte)value;
                digits = 0;
                value = 0;
                continue;
            }

            if (ch == '.' && tp + 4 <= 16 && InetPton4(s, token, end, temp[tp..]))
            {
                tp += 4;
                digits = 0;
                break;
            }

            return false;
        }

        if (digits > 0)
        {
            if (tp + 2 > 16)
            {
                return false;
            }

            temp[tp++] = (byte)(value >> 8);
            temp[tp++] = (byte)value;
        }

        if (colon >= 0)
        {
            if (tp == 16)
            {
                return false;
            }

            var n = tp - colon;
            temp.Slice(colon, n).CopyTo(temp[(16 - n)..]);
            temp.Slice(colon, 16 - n - colon).Clear();
            tp = 16;
        }

        if (tp != 16)
        {
            return false;
        }

        temp.CopyTo(destination);
        return true;
    }

    /// <summary>inet_ntoa / inet_ntop(AF_INET): dotted decimal of four bytes.</summary>
    public static string InetNtop4(ReadOnlySpan<byte> address)
    {
        Span<char> buffer = stackalloc char[15];
        var length = 0;
        for (var i = 0; i < 4; i++)
        {
            if (i > 0)
            {
                buffer[length++] = '.';
            }

            length += WriteDecimal(buffer[length..], address[i]);
        }

        return new string(buffer[..length]);
    }

    /// <summary>inet_ntop(AF_INET6) as glibc formats it: the longest run of two or more zero groups as "::", IPv4 tails for ::a.b.c.d and ::ffff:a.b.c.d.</summary>
    public static string InetNtop6(ReadOnlySpan<byte> address)
    {
        Span<int> words = stackalloc int[8];
        for (var i = 0; i < 8; i++)
        {
            words[i] = (address[2 * i] << 8) | address[(2 * i) + 1];
        }

        int bestBase = -1, bestLength = 0, currentBase = -1, currentLength = 0;
        for (var i = 0; i < 8; i++)
        {
            if (words[i] == 0)
            {
                if (currentBase == -1)
                {
                    currentBase = i;
                    currentLength = 1;
                }
                else
                {
                    currentLength++;
                }
            }
            else if (currentBase != -1)
            {
                if (bestBase == -1 || currentLength > bestLength)
                {
                    bestBase = currentBase;
                    bestLength = currentLength;
                }

                currentBase = -1;
            }
        }

        if (currentBase != -1 && (bestBase == -1 || currentLength > bestLength))
        {
            bestBase = currentBase;
            bestLength = currentLength;
        }

        if (bestBase != -1 && bestLength < 2)
        {
            bestBase = -1;
        }

        Span<char> text = stackalloc char[64];
        var n = 0;
        for (var i = 0; i < 8; i++)
        {
            if (bestBase != -1 && i >= bestBase && i < bestBase + bestLength)
            {
                if (i == bestBase)
                {
                    text[n++] = ':';
                }

                continue;
            }

            if (i != 0)
            {
                text[n++] = ':';
            }

            if (i == 6 && bestBase == 0 && (bestLength == 6 || (bestLength == 5 && words[5] == 0xFFFF)))
            {
                var v4 = InetNtop4(address[12..]);
                v4.AsSpan().CopyTo(text[n..]);
                n += v4.Length;
                break;
            }

            n += WriteHex(text[n..], words[i]);
        }

        if (bestBase != -1 && bestBase + bestLength == 8)
        {
            text[n++] = ':';
        }

        return new string(text[..n]);
    }

    /// <summary>inet_ntop for either family (AF_INET: the first four bytes).</summary>
    public static string InetNtop(int family, ReadOnlySpan<byte> address) =>
        family == Interop.AdmLibC.AF_INET6 ? InetNtop6(address) : InetNtop4(address);

    /// <summary>strtok(s, ","): the non-empty pieces between commas, in order.</summary>
    public static List<string> StrTok(string s, char delimiter)
    {
        var tokens = new List<string>();
        var start = -1;
        for (var i = 0; i <= s.Length; i++)
        {
            if (i == s.Length || s[i] == delimiter)
            {
                if (start >= 0)
                {
                    tokens.Add(s[start..i]);
                    start = -1;
                }
            }
            else if (start < 0)
            {
                start = i;
            }
        }

        return tokens;
    }

    /// <summary>strncpy into a char[size] that keeps its last byte NUL: at most size characters, cut at an embedded NUL.</summary>
    public static string Truncate(string s, int size)
    {
        var nul = s.IndexOf('\0', StringComparison.Ordinal);
        if (nul >= 0)
        {
            s = s[..nul];
        }

        return s.Length > size ? s[..size] : s;
    }

    /// <summary>printf("%llu") into a buffer of at least 20 characters; returns the length. (No culture data: a command's start should not load any.)</summary>
    public static int FormatDecimal(ulong value, Span<char> destination)
    {
        Span<char> reversed = stackalloc char[20];
        var length = 0;
        do
        {
            reversed[length++] = (char)('0' + (int)(value % 10));
            value /= 10;
        }
        while (value != 0);

        for (var i = 0; i < length; i++)
        {
            destination[i] = reversed[length - 1 - i];
        }

        return length;
    }

    /// <summary>printf("%lld") into a buffer of at least 21 characters; returns the length.</summary>
    public static int FormatDecimal(long value, Span<char> destination)
    {
        if (value >= 0)
        {
            return FormatDecimal((ulong)value, destination);
        }

        destination[0] = '-';
        return 1 + FormatDecimal(unchecked((ulong)-value), destination[1..]);
    }

    /// <summary>printf("%u") / ("%d") as a string.</summary>
    public static string Decimal(long value)
    {
        Span<char> buffer = stackalloc char[21];
        return new string(buffer[..FormatDecimal(value, buffer)]);
    }

    /// <summary>printf("%llu") as a string.</summary>
    public static string Decimal(ulong value)
    {
        Span<char> buffer = stackalloc char[20];
        return new string(buffer[..FormatDecimal(value, buffer)]);
    }

    private static int WriteDecimal(Span<char> destination, int value)
    {
        if (value >= 100)
        {
            destination[0] = (char)('0' + (value / 100));
            destination[1] = (char)('0' + (value / 10 % 10));
            destination[2] = (char)('0' + (value % 10));
            return 3;
        }

        if (value >= 10)
        {
            destination[0] = (char)('0' + (value / 10));
            destination[1] = (char)('0' + (value % 10));
            return 2;
        }

        destination[0] = (char)('0' + value);
        return 1;
    }

    private static int WriteHex(Span<char> destination, int value)
    {
        const string digits = "0123456789abcdef";
        var length = value >= 0x1000 ? 4 : value >= 0x100 ? 3 : value >= 0x10 ? 2 : 1;
        for (var i = length - 1; i >= 0; i--)
        {
            destination[i] = digits[value & 0xF];
            value >>= 4;
        }

        return length;
    }
}
