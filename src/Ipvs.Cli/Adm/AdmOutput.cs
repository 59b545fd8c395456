using System.Runtime.InteropServices;
using Ipvs.Cli.Adm.Interop;

namespace Ipvs.Cli.Adm;

/// <summary>
/// A standard stream written the way glibc's stdio writes it for ipvsadm, straight to the file
/// descriptor (no Console): standard output fully buffered in blocks of the descriptor's block
/// size (at most BUFSIZ), or line buffered on a terminal; standard error unbuffered. So output
/// interleaves exactly as ipvsadm's does when both streams go to the same place, and what a crash
/// would lose is lost. Text holds one byte per character.
/// </summary>
internal sealed unsafe class AdmOutput
{
    private const int BufSiz = 8192;

    private readonly int _fd;
    private readonly bool _unbuffered;
    private byte[] _buffer = [];
    private int _length;
    private bool _lineBuffered;
    private bool _initialized;

    private AdmOutput(int fd, bool unbuffered)
    {
        _fd = fd;
        _unbuffered = unbuffered;
    }

    /// <summary>A stream on another descriptor (for tests).</summary>
    internal static AdmOutput ForDescriptor(int fd, bool unbuffered) => new(fd, unbuffered);

    /// <summary>Standard output (fd 1), buffered like stdout.</summary>
    public static AdmOutput StandardOutput() => new(1, unbuffered: false);

    /// <summary>Standard error (fd 2): every <see cref="WriteMessage"/> is written at once.</summary>
    public static AdmOutput StandardError() => new(2, unbuffered: true);

    /// <summary>Writes text (one byte per character, the low byte of each).</summary>
    public void Write(string text) => Write(text.AsSpan());

    public void Write(ReadOnlySpan<char> text)
    {
        if (_unbuffered)
        {
            WriteMessage(text);
            return;
        }

        EnsureBuffer();
        var newline = false;
        foreach (var c in text)
        {
            Put(c);
            newline |= c == '\n';
        }

        if (newline && _lineBuffered)
        {
            FlushBuffer();
        }
    }

    public void Write(char c)
    {
        if (_unbuffered)
        {
            WriteMessage([c]);
            return;
        }

        EnsureBuffer();
        Put(c);
        if (c == '\n' && _lineBuffered)
        {
            FlushBuffer();
        }
    }

    /// <summary>printf("%u") / ("%llu").</summary>
    public void WriteNumber(ulong value)
    {
        Span<char> digits = stackalloc char[21];
        var length = CText.FormatDecimal(value, digits);
        Write(digits[..length]);
    }

    /// <summary>printf("%d").</summary>
    public void WriteNumber(long value)
    {
        Span<char> digits = stackalloc char[21];
        var length = CText.FormatDecimal(value, digits);
        Write(digits[..length]);
    }

    /// <summary>printf("%-Ns"): the text, then spaces up to the width (never cut).</summary>
    public void WriteLeft(string text, int width)
    {
        Write(text);
        Pad(width - text.Length);
    }

    /// <summary>printf("%Ns"): spaces up to the width, then the text.</summary>
    public void WriteRight(string text, int width)
    {
        Pad(width - text.Length);
        Write(text);
    }

    /// <summary>printf("%-Nu").</summary>
    public void WriteLeft(ulong value, int width)
    {
        Span<char> digits = stackalloc char[21];
        var length = CText.FormatDecimal(value, digits);
        Write(digits[..length]);
        Pad(width - length);
    }

    /// <summary>printf("%-Nd").</summary>
    public void WriteLeft(long value, int width)
    {
        Span<char> digits = stackalloc char[21];
        var length = CText.FormatDecimal(value, digits);
        Write(digits[..length]);
        Pad(width - length);
    }

    /// <summary>printf("%Nllu").</summary>
    public void WriteRight(ulong value, int width)
    {
        Span<char> digits = stackalloc char[21];
        var length = CText.FormatDecimal(value, digits);
        Pad(width - length);
        Write(digits[..length]);
    }

    /// <summary>Writes a whole message with one write(2), as an unbuffered stream does for one fprintf.</summary>
    public void WriteMessage(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty)
        {
            return;
        }

        var bytes = text.Length <= 1024 ? stackalloc byte[text.Length] : new byte[text.Length];
        for (var i = 0; i < text.Length; i++)
        {
            bytes[i] = (byte)text[i];
        }

        WriteAll(bytes);
    }

    /// <summary>What exit() does to the stream: writes out what is buffered.</summary>
    public void Flush()
    {
        if (_length > 0)
        {
            FlushBuffer();
        }
    }

    /// <summary>What a crash does to the stream: what is still buffered is lost.</summary>
    public void Discard() => _length = 0;

    private void Pad(int count)
    {
        if (count <= 0)
        {
            return;
        }

        if (_unbuffered)
        {
            WriteMessage(new string(' ', count));
            return;
        }

        EnsureBuffer();
        for (var i = 0; i < count; i++)
        {
            Put(' ');
        }
    }

    private void Put(char c)
    {
        _buffer[_length++] = (byte)c;
        if (_length == _buffer.Length)
        {
            FlushBuffer();
        }
    }

    private void EnsureBuffer()
    {
        if (_initialized)
        {
            return;
        }

        // glibc's _IO_file_doallocate: st_blksize when smaller than BUFSIZ; a character device
        // that is a terminal is line buffered.
        _initialized = true;
        var size = BufSiz;
        if (AdmLibC.TryGetStreamInfo(_fd, out var isCharacterDevice, out var blockSize))
        {
            if (isCharacterDevice && AdmLibC.IsATty(_fd) == 1)
            {
                _lineBuffered = true;
            }

            if (blockSize > 0 && blockSize < BufSiz)
            {
                size = (int)blockSize;
            }
        }

        _buffer = new byte[size];
    }

    private void FlushBuffer()
    {
        var length = _length;
        _length = 0;
        WriteAll(_buffer.AsSpan(0, length));
    }

    private void WriteAll(ReadOnlySpan<byte> bytes)
    {
        fixed (byte* start = bytes)
        {
            var offset = 0;
            while (offset < bytes.Length)
            {
                var written = AdmLibC.Write(_fd, start + offset, (nuint)(bytes.Length - offset));
                if (written >= 0)
                {
                    offset += (int)written;
                    continue;
                }

                var errno = Marshal.GetLastPInvokeError();
                if (errno == Errno.EINTR)
                {
                    continue;
                }

                if (errno == Errno.EPIPE)
                {
                    // ipvsadm does not ignore SIGPIPE (the runtime does): die of it as ipvsadm would.
                    AdmLibC.Signal(AdmLibC.SIGPIPE, 0);
                    AdmLibC.Raise(AdmLibC.SIGPIPE);
                }

                // stdio drops what it cannot write and carries on.
                return;
            }
        }
    }
}
