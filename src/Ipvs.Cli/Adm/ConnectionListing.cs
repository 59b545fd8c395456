using System.Buffers.Binary;
using Ipvs.Cli.Adm.Interop;

namespace Ipvs.Cli.Adm;

/// <summary>
/// <c>-L -c</c>: /proc/net/ip_vs_conn read as list_conn and print_conn read it: in fgets pieces
/// of at most 255 bytes, each scanned with sscanf("%s %s %hX %s %hX %s %hX %s %d %s %s") into
/// variables that keep what the previous piece left in them.
/// </summary>
internal sealed class ConnectionListing
{
    public const string ProcFile = "/proc/net/ip_vs_conn";

    private readonly AdmOutput _out;
    private readonly AdmNames _names = new();

    // print_conn's locals: what sscanf does not fill keeps the previous line's value.
    private string _protocol = string.Empty;
    private string _client = string.Empty;
    private string _virtual = string.Empty;
    private string _destination = string.Empty;
    private string _state = string.Empty;
    private string _peName = string.Empty;
    private string _peData = string.Empty;
    private ushort _clientPort;
    private ushort _virtualPort;
    private ushort _destinationPort;
    private int _expires;
    private readonly byte[] _clientAddress = new byte[16];
    private readonly byte[] _virtualAddress = new byte[16];
    private readonly byte[] _destinationAddress = new byte[16];

    public ConnectionListing(AdmOutput standardOutput)
    {
        _out = standardOutput;
    }

    public void List(AdmFormat format, string path = ProcFile)
    {
        byte[] content;
        try
        {
            content = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw AdmStopException.Exit(1, "cannot open file " + path + "\n");
        }

        var position = 0;
        if (NextPiece(content, ref position) is null)
        {
            throw AdmStopException.Exit(1, "unexpected input from " + path + "\n");
        }

        _out.Write("IPVS connection entries\n");
        if ((format & AdmFormat.PersistentConn) != 0)
        {
            _out.Write("pro expire state       source             virtual            destination        pe name          pe_data\n");
        }
        else
        {
            _out.Write("pro expire state       source             virtual            destination\n");
        }

        while (NextPiece(content, ref position) is { } line)
        {
            PrintConnection(line, format);
        }
    }

    /// <summary>fgets(buffer, 256): up to 255 bytes, through the first newline.</summary>
    private static string? NextPiece(byte[] content, ref int position)
    {
        if (position >= content.Length)
        {
            return null;
        }

        var start = position;
        while (position < content.Length && position - start < 255)
        {
            if (content[position++] == '\n')
            {
                break;
            }
        }

        return string.Create(position - start, (content, start), static (span, state) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = (char)state.content[state.start + i];
            }
        });
    }

    private void PrintConnection(string line, AdmFormat format)
    {
        var n = Scan(line);
        if (n == -1)
        {
            // print_conn exits quietly when sscanf finds nothing at all.
            throw AdmStopException.Exit(1);
        }

        var protocol = _protocol switch
        {
            "TCP" => AdmRequest.ProtocolTcp,
            "UDP" => AdmRequest.ProtocolUdp,
            "SCTP" => AdmRequest.ProtocolSctp,
            _ => (ushort)0,
        };

        var family = AdmLibC.AF_INET;
        Span<byte> buffer = stackalloc byte[16];
        if (CText.InetPton6(_client, buffer))
        {
            buffer.CopyTo(_clientAddress);
            if (CText.InetPton6(_virtual, buffer))
            {
                buffer.CopyTo(_virtualAddress);
            }

            family = AdmLibC.AF_INET6;
        }
        else if (CText.InetPton4(_client, buffer))
        {
            buffer[..4].CopyTo(_clientAddress);
            if (CText.InetPton4(_virtual, buffer))
            {
                buffer[..4].CopyTo(_virtualAddress);
            }
        }
        else
        {
            BinaryPrimitives.WriteUInt32BigEndian(_clientAddress, StrToULHex(_client));
            BinaryPrimitives.WriteUInt32BigEndian(_virtualAddress, StrToULHex(_virtual));
        }

        var destinationFamily = AdmLibC.AF_INET;
        if (CText.InetPton6(_destination, buffer))
        {
            buffer.CopyTo(_destinationAddress);
            destinationFamily = AdmLibC.AF_INET6;
        }
        else if (CText.InetPton4(_destination, buffer))
        {
            buffer[..4].CopyTo(_destinationAddress);
        }
        else
        {
            BinaryPrimitives.WriteUInt32BigEndian(_destinationAddress, StrToULHex(_destination));
        }

        var numeric = (format & AdmFormat.Numeric) != 0;
        var clientName = _names.AddressPort(family, _clientAddress, _clientPort, protocol, numeric);
        var virtualName = _names.AddressPort(family, _virtualAddress, _virtualPort, protocol, numeric);
        var destinationName = _names.AddressPort(destinationFamily, _destinationAddress, _destinationPort, protocol, numeric);

        var expires = unchecked((uint)_expires);
        var expire = TwoDigits((int)(expires / 60)) + ":" + TwoDigits((int)(expires % 60));

        _out.WriteLeft(_protocol, 3);
        _out.Write(' ');
        _out.WriteLeft(expire, 6);
        _out.Write(' ');
        _out.WriteLeft(_state, 11);
        _out.Write(' ');
        _out.WriteLeft(clientName, 18);
        _out.Write(' ');
        _out.WriteLeft(virtualName, 18);
        _out.Write(' ');
        if ((format & AdmFormat.PersistentConn) != 0 && n == 11)
        {
            _out.WriteLeft(destinationName, 16);
            _out.Write(' ');
            _out.WriteLeft(_peName, 18);
            _out.Write(' ');
            _out.Write(_peData);
        }
        else
        {
            _out.Write(destinationName);
        }

        _out.Write('\n');
    }

    /// <summary>printf("%02d").</summary>
    private static string TwoDigits(int value)
    {
        var text = CText.Decimal((long)value);
        return value >= 0 && text.Length < 2 ? "0" + text : value < 0 && text.Length < 3 ? "-0" + text[1..] : text;
    }

    /// <summary>sscanf with print_conn's format; returns what sscanf returns.</summary>
    private int Scan(string line)
    {
        var position = 0;
        var count = 0;
        for (var field = 0; field < 11; field++)
        {
            while (position < line.Length && CText.IsSpace(line[position]))
            {
                position++;
            }

            if (position >= line.Length)
            {
                return count == 0 ? -1 : count;
            }

            switch (field)
            {
                case 2:
                case 4:
                case 6:
                    if (!ScanHex(line, ref position, out var port))
                    {
                        return count;
                    }

                    if (field == 2)
                    {
                        _clientPort = port;
                    }
                    else if (field == 4)
                    {
                        _virtualPort = port;
                    }
                    else
                    {
                        _destinationPort = port;
                    }

                    break;
                case 8:
                    if (!ScanDecimal(line, ref position, out _expires))
                    {
                        return count;
                    }

                    break;
                default:
                    var start = position;
                    while (position < line.Length && !CText.IsSpace(line[position]))
                    {
                        position++;
                    }

                    var word = line[start..position];
                    switch (field)
                    {
                        case 0:
                            _protocol = word;
                            break;
                        case 1:
                            _client = word;
                            break;
                        case 3:
                            _virtual = word;
                            break;
                        case 5:
                            _destination = word;
                            break;
                        case 7:
                            _state = word;
                            break;
                        case 9:
                            _peName = word;
                            break;
                        default:
                            _peData = word;
                            break;
                    }

                    break;
            }

            count++;
        }

        return count;
    }

    /// <summary>%hX: an optionally signed hex number, "0x" allowed, kept to 16 bits.</summary>
    private static bool ScanHex(string s, ref int position, out ushort value)
    {
        value = 0;
        var i = position;
        var negative = false;
        if (i < s.Length && (s[i] == '+' || s[i] == '-'))
        {
            negative = s[i] == '-';
            i++;
        }

        if (i + 1 < s.Length && s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'X') && i + 2 < s.Length && Uri.IsHexDigit(s[i + 2]))
        {
            i += 2;
        }

        var digitsStart = i;
        ulong number = 0;
        while (i < s.Length && Uri.IsHexDigit(s[i]))
        {
            number = unchecked((number << 4) | (uint)CText.HexValue(s[i]));
            i++;
        }

        if (i == digitsStart)
        {
            return false;
        }

        position = i;
        value = unchecked((ushort)(negative ? (ulong)-(long)number : number));
        return true;
    }

    /// <summary>%d.</summary>
    private static bool ScanDecimal(string s, ref int position, out int value)
    {
        var i = position;
        var negative = false;
        if (i < s.Length && (s[i] == '+' || s[i] == '-'))
        {
            negative = s[i] == '-';
            i++;
        }

        var digitsStart = i;
        long number = 0;
        while (i < s.Length && CText.IsDigit(s[i]))
        {
            number = unchecked((number * 10) + (s[i] - '0'));
            i++;
        }

        if (i == digitsStart)
        {
            value = 0;
            return false;
        }

        position = i;
        value = unchecked((int)(negative ? -number : number));
        return true;
    }

    /// <summary>(__u32)strtoul(text, NULL, 16).</summary>
    private static uint StrToULHex(string s)
    {
        var i = 0;
        while (i < s.Length && CText.IsSpace(s[i]))
        {
            i++;
        }

        var negative = false;
        if (i < s.Length && (s[i] == '+' || s[i] == '-'))
        {
            negative = s[i] == '-';
            i++;
        }

        if (i + 2 < s.Length && s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'X') && Uri.IsHexDigit(s[i + 2]))
        {
            i += 2;
        }

        ulong number = 0;
        var overflow = false;
        while (i < s.Length && Uri.IsHexDigit(s[i]))
        {
            if (number > (ulong.MaxValue >> 4))
            {
                overflow = true;
            }

            number = unchecked((number << 4) | (uint)CText.HexValue(s[i]));
            i++;
        }

        if (overflow)
        {
            return uint.MaxValue;
        }

        return unchecked((uint)(negative ? (ulong)-(long)number : number));
    }
}
