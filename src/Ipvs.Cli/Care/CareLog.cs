using System.Buffers;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;

namespace Ipvs.Cli.Care;

/// <summary>
/// The daemon's log: one line per event, as text (lvscare's: <c>2006-01-02T15:04:05 info
/// message key=value</c>) or JSON (<c>{"level":"info","ts":"…","msg":"…",…}</c>), timestamps
/// from the <see cref="TimeProvider"/>. Thread-safe.
/// </summary>
internal sealed class CareLog
{
    private readonly TextWriter _output;
    private readonly LogLevel _minimum;
    private readonly bool _json;
    private readonly bool _showPath;
    private readonly TimeProvider _timeProvider;
    private readonly Lock _lock = new();
    private readonly ArrayBufferWriter<byte> _jsonBuffer = new(512);

    public CareLog(TextWriter output, LogLevel minimum, bool json, bool showPath, TimeProvider timeProvider)
    {
        _output = output;
        _minimum = minimum;
        _json = json;
        _showPath = showPath;
        _timeProvider = timeProvider;
    }

    public bool IsEnabled(LogLevel level) => level >= _minimum;

    public void Debug(string message, (string Key, object? Value)[]? fields = null, [CallerFilePath] string file = "", [CallerLineNumber] int line = 0) =>
        Write(LogLevel.Debug, message, fields, file, line);

    public void Info(string message, (string Key, object? Value)[]? fields = null, [CallerFilePath] string file = "", [CallerLineNumber] int line = 0) =>
        Write(LogLevel.Info, message, fields, file, line);

    public void Warn(string message, (string Key, object? Value)[]? fields = null, [CallerFilePath] string file = "", [CallerLineNumber] int line = 0) =>
        Write(LogLevel.Warn, message, fields, file, line);

    public void Error(string message, (string Key, object? Value)[]? fields = null, [CallerFilePath] string file = "", [CallerLineNumber] int line = 0) =>
        Write(LogLevel.Error, message, fields, file, line);

    public void Write(LogLevel level, string message, (string Key, object? Value)[]? fields, string file, int line)
    {
        if (level < _minimum)
        {
            return;
        }

        var caller = _showPath ? ShortPath(file) + ":" + line.ToString(CultureInfo.InvariantCulture) : null;
        lock (_lock)
        {
            var now = _timeProvider.GetLocalNow();
            if (_json)
            {
                _jsonBuffer.ResetWrittenCount();
                using (var json = new Utf8JsonWriter(_jsonBuffer))
                {
                    json.WriteStartObject();
                    json.WriteString("level", Name(level));
                    json.WriteString("ts", now.ToString("yyyy-MM-dd'T'HH:mm:ss.fffzzz", CultureInfo.InvariantCulture));
                    if (caller is not null)
                    {
                        json.WriteString("caller", caller);
                    }

                    json.WriteString("msg", message);
                    foreach (var (key, value) in fields ?? [])
                    {
                        WriteJsonValue(json, key, value);
                    }

                    json.WriteEndObject();
                }

                _output.Write(Encoding.UTF8.GetString(_jsonBuffer.WrittenSpan));
                _output.Write('\n');
            }
            else
            {
                var text = new StringBuilder(128);
                text.Append(now.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture)).Append(' ').Append(Name(level)).Append(' ');
                if (caller is not null)
                {
                    text.Append(caller).Append(' ');
                }

                text.Append(message);
                foreach (var (key, value) in fields ?? [])
                {
                    text.Append(' ').Append(key).Append('=').Append(FormatTextValue(value));
                }

                text.Append('\n');
                _output.Write(text.ToString());
            }

            _output.Flush();
        }
    }

    private static string Name(LogLevel level) => level switch
    {
        LogLevel.Debug => "debug",
        LogLevel.Info => "info",
        LogLevel.Warn => "warn",
        _ => "error",
    };

    private static string ShortPath(string file)
    {
        var normalized = file.Replace('\\', '/');
        // Relative to the repository's src/ (or tests/): Ipvs.Cli/Care/CareDaemon.cs.
        foreach (var root in new[] { "/src/", "/tests/" })
        {
            var at = normalized.LastIndexOf(root, StringComparison.Ordinal);
            if (at >= 0)
            {
                return normalized[(at + root.Length)..];
            }
        }

        return Path.GetFileName(normalized);
    }

    private static string FormatTextValue(object? value)
    {
        var text = value switch
        {
            null => "null",
            TimeSpan span => Ipvs.Health.HealthCheckOptions.Format(span),
            bool b => b ? "true" : "false",
            IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
            _ => value.ToString() ?? string.Empty,
        };
        return text.Length == 0 || text.Any(c => c is ' ' or '"' or '=' || char.IsControl(c))
            ? JsonSerializerEscape(text)
            : text;
    }

    private static string JsonSerializerEscape(string text)
    {
        var builder = new StringBuilder(text.Length + 2).Append('"');
        foreach (var c in text)
        {
            switch (c)
            {
                case '"':
                    builder.Append("\\\"");
                    break;
                case '\\':
                    builder.Append("\\\\");
                    break;
                case '\n':
                    builder.Append("\\n");
                    break;
                case '\r':
                    builder.Append("\\r");
                    break;
                case '\t':
                    builder.Append("\\t");
                    break;
                default:
                    if (char.IsControl(c))
                    {
                        builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        builder.Append(c);
                    }

                    break;
            }
        }

        return builder.Append('"').ToString();
    }

    private static void WriteJsonValue(Utf8JsonWriter json, string key, object? value)
    {
        switch (value)
        {
            case null:
                json.WriteNull(key);
                break;
            case bool b:
                json.WriteBoolean(key, b);
                break;
            case int i:
                json.WriteNumber(key, i);
                break;
            case long l:
                json.WriteNumber(key, l);
                break;
            case double d:
                json.WriteNumber(key, d);
                break;
            case TimeSpan span:
                // Seconds as a number: what log processors can compare.
                json.WriteNumber(key + "_seconds", Math.Round(span.TotalSeconds, 6));
                break;
            case IFormattable formattable:
                json.WriteString(key, formattable.ToString(null, CultureInfo.InvariantCulture));
                break;
            default:
                json.WriteString(key, value.ToString());
                break;
        }
    }
}
