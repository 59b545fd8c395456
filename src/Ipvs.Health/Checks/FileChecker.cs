using System.Globalization;

namespace Ipvs.Health.Checks;

/// <summary>
/// FILE_CHECK (a track_file) as keepalived 2.2.7 applies it to a real server. The file's first
/// 127 bytes are read as C's strtol(…, 0) reads them (leading blanks, a sign, 0x for hex, a
/// leading 0 for octal, anything after the number ignored; no number, an empty or a missing
/// file is 0). A number out of range (outside −2147483648..2147483648) is ignored: the last
/// value read stands (0 at first). Then, with weight 0: a non-zero value is down and 0 is up
/// (reversed by reverse); with a weight: value × weight (× −1 when reverse), clamped to a
/// 32-bit int, is added to the real server's configured weight, and the server is down only
/// when that product reaches −2147483648 (keepalived's IPVS_WEIGHT_FAULT). The weight reported
/// is the configured weight plus the product, bounded to 0..int.MaxValue as keepalived's
/// real_weight bounds it.
/// </summary>
internal sealed class FileChecker : IChecker
{
    private readonly FileCheck _check;
    private readonly TimeProvider _timeProvider;
    private long _lastValue;

    public FileChecker(FileCheck check, TimeProvider timeProvider)
    {
        if (string.IsNullOrEmpty(check.Path))
        {
            throw new ArgumentException("a FILE check needs a file", nameof(check));
        }

        _check = check;
        _timeProvider = timeProvider;
    }

    public CheckDefinition Definition => _check;

    public ValueTask<CheckResult> CheckAsync(CheckTarget target, CancellationToken cancellationToken)
    {
        var started = _timeProvider.GetTimestamp();
        var value = Read(_check.Path) ?? Interlocked.Read(ref _lastValue);
        Interlocked.Exchange(ref _lastValue, value);
        var elapsed = _timeProvider.GetElapsedTime(started);
        var text = value.ToString(CultureInfo.InvariantCulture);
        if (_check.Weight == 0)
        {
            var failed = (value != 0) != _check.Reverse;
            return ValueTask.FromResult(failed
                ? CheckResult.Down(elapsed, $"{SafeText.From(_check.Path)} holds {text}")
                : CheckResult.Up(elapsed));
        }

        var product = Math.Clamp(value * _check.Weight * (_check.Reverse ? -1L : 1L), int.MinValue, int.MaxValue);
        if (product == int.MinValue)
        {
            return ValueTask.FromResult(CheckResult.Down(elapsed, $"{SafeText.From(_check.Path)} holds {text}: weight {product.ToString(CultureInfo.InvariantCulture)} is the fault level"));
        }

        var weight = (int)Math.Clamp(target.Weight + product, 0, int.MaxValue);
        return ValueTask.FromResult(CheckResult.Up(elapsed, weight));
    }

    public void Dispose()
    {
    }

    /// <summary>The value in the file, 0 when it is missing or holds no number, null when the number is out of range (ignored).</summary>
    internal static long? Read(string path)
    {
        Span<byte> buffer = stackalloc byte[127];
        int length;
        try
        {
            using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, FileOptions.None);
            length = RandomAccess.Read(handle, buffer, 0);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return 0;
        }

        return StrToL(buffer[..length]);
    }

    /// <summary>C's strtol with base 0, limited as keepalived limits it: null for a value out of −2^31..2^31.</summary>
    internal static long? StrToL(ReadOnlySpan<byte> text)
    {
        var i = 0;
        while (i < text.Length && text[i] is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\v' or (byte)'\f' or (byte)'\r')
        {
            i++;
        }

        var negative = false;
        if (i < text.Length && text[i] is (byte)'+' or (byte)'-')
        {
            negative = text[i] == '-';
            i++;
        }

        var radix = 10;
        if (i + 1 < text.Length && text[i] == '0' && (text[i + 1] | 0x20) == 'x' && i + 2 < text.Length && Digit(text[i + 2]) is >= 0 and < 16)
        {
            radix = 16;
            i += 2;
        }
        else if (i < text.Length && text[i] == '0')
        {
            radix = 8;
        }

        decimal value = 0;
        for (; i < text.Length; i++)
        {
            var digit = Digit(text[i]);
            if (digit < 0 || digit >= radix)
            {
                break;
            }

            value = (value * radix) + digit;
            if (value > 1L << 40)
            {
                return null; // far out of range (strtol's ERANGE or keepalived's bound)
            }
        }

        var result = (long)(negative ? -value : value);
        return result is < int.MinValue or > (long)int.MaxValue + 1 ? null : result;
    }

    private static int Digit(byte c) => c switch
    {
        >= (byte)'0' and <= (byte)'9' => c - '0',
        >= (byte)'a' and <= (byte)'z' => c - 'a' + 10,
        >= (byte)'A' and <= (byte)'Z' => c - 'A' + 10,
        _ => -1,
    };
}
