using System.Runtime.InteropServices;
using Ipvs.Cli.Adm.Interop;

namespace Ipvs.Cli.Adm;

/// <summary>
/// Reads <c>-R</c> input the way ipvsadm's config_stream_read does: fscanf("%4096[^ \t\n\r]%1[ \t\n\r]")
/// token by token, a line ending at a newline that follows a token or white space. Its edges
/// carry over: every token "ipvsadm" is dropped, '#' starts no comment, a last line that ends
/// in white space without a newline is lost, a token longer than 4096 bytes is split.
/// </summary>
internal sealed unsafe class RestoreReader
{
    private const int MaxToken = 4096;

    private readonly int _fd;
    private readonly Action _beforeRead;
    private readonly byte[] _buffer = new byte[64 * 1024];
    private readonly char[] _token = new char[MaxToken];
    private int _start;
    private int _end;
    private bool _eof;

    /// <param name="fd">The descriptor to read (0).</param>
    /// <param name="beforeRead">Called before each read(2), which may wait for input: the place to apply what was read so far.</param>
    public RestoreReader(int fd, Action beforeRead)
    {
        _fd = fd;
        _beforeRead = beforeRead;
    }

    /// <summary>The next line's words after <paramref name="first"/> (argv[0]), or null at the end of input.</summary>
    public List<string>? ReadLine(string first)
    {
        var words = new List<string> { first };
        var tokens = 0;
        var token = _token;
        while (true)
        {
            var c = Peek();
            if (c < 0)
            {
                break;
            }

            if (IsSeparator(c))
            {
                // The token conversion failed on white space: skip it by hand.
                while (true)
                {
                    c = Read();
                    if (c < 0)
                    {
                        return null;
                    }

                    if (c == '\n')
                    {
                        return words;
                    }

                    if (c is not (' ' or '\t' or '\r'))
                    {
                        _start--;
                        break;
                    }
                }

                continue;
            }

            var length = 0;
            while (length < MaxToken && (c = Peek()) >= 0 && !IsSeparator(c))
            {
                token[length++] = (char)Read();
            }

            var tail = -1;
            c = Peek();
            if (c >= 0 && IsSeparator(c))
            {
                tail = Read();
            }

            // C strings end at the first NUL.
            var text = new string(token, 0, length);
            var nul = text.IndexOf('\0', StringComparison.Ordinal);
            if (nul >= 0)
            {
                text = text[..nul];
            }

            if (text != "ipvsadm")
            {
                tokens++;
                words.Add(text);
            }

            if (tail == '\n')
            {
                return words;
            }
        }

        return tokens == 0 ? null : words;
    }

    private static bool IsSeparator(int c) => c is ' ' or '\t' or '\n' or '\r';

    private int Peek()
    {
        if (_start == _end && !Fill())
        {
            return -1;
        }

        return _buffer[_start];
    }

    private int Read()
    {
        if (_start == _end && !Fill())
        {
            return -1;
        }

        return _buffer[_start++];
    }

    private bool Fill()
    {
        if (_eof)
        {
            return false;
        }

        _beforeRead();
        while (true)
        {
            nint count;
            fixed (byte* buffer = _buffer)
            {
                count = AdmLibC.Read(_fd, buffer, (nuint)_buffer.Length);
            }

            if (count > 0)
            {
                _start = 0;
                _end = (int)count;
                return true;
            }

            if (count < 0 && Marshal.GetLastPInvokeError() == Errno.EINTR)
            {
                continue;
            }

            _eof = true;
            return false;
        }
    }
}
