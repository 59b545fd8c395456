using System.Text;

namespace Ipvs.Cli.State;

/// <summary>
/// Collects a command's output and hands it to the console's writer in large pieces. The
/// process's Console.Out flushes at every write; a plan or table of many thousand lines written
/// line by line would cost a system call each.
/// </summary>
internal sealed class BufferedOutput(TextWriter inner) : TextWriter
{
    private const int Size = 1 << 15;
    private readonly char[] _buffer = new char[Size];
    private int _used;

    public override Encoding Encoding => inner.Encoding;

    public override void Write(char value)
    {
        if (_used == Size)
        {
            Drain();
        }

        _buffer[_used++] = value;
    }

    public override void Write(string? value) => Write(value.AsSpan());

    public override void Write(char[] buffer, int index, int count) => Write(buffer.AsSpan(index, count));

    public override void Write(ReadOnlySpan<char> buffer)
    {
        while (!buffer.IsEmpty)
        {
            if (_used == Size)
            {
                Drain();
            }

            var count = Math.Min(buffer.Length, Size - _used);
            buffer[..count].CopyTo(_buffer.AsSpan(_used));
            _used += count;
            buffer = buffer[count..];
        }
    }

    public override void WriteLine(string? value)
    {
        Write(value.AsSpan());
        Write(CoreNewLine);
    }

    public override void Flush()
    {
        Drain();
        inner.Flush();
    }

    // Flushes what is left; the console's writer is not this writer's to close.
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Flush();
        }

        base.Dispose(disposing);
    }

    private void Drain()
    {
        if (_used > 0)
        {
            inner.Write(_buffer, 0, _used);
            _used = 0;
        }
    }
}
