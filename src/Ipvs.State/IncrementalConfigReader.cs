using System.Buffers;
using Ipvs.Model;

namespace Ipvs.State;

/// <summary>
/// Reads successive versions of one configuration file, YAML or JSON (<c>ipvs apply --watch</c>),
/// parsing again only the items of the <c>services</c> list whose text changed since the last
/// version and reusing the others. Every result is exactly what <see cref="IpvsConfigReader.Parse(byte[], string, IpvsConfigReaderOptions?)"/>
/// returns for the same bytes (services, values, positions, diagnostics), just faster.
/// </summary>
/// <remarks>
/// Whenever a version is not plainly a list of independent items, the whole file is read by
/// <see cref="IpvsConfigReader"/>: extension sections, a changed frame (the text around the list),
/// any item that has a diagnostic or repeats a service; in YAML anchors and aliases, tags, block
/// scalars, tabs, document markers, quotes or flow collections left open at the end of a line,
/// top-level keys other than <c>version</c> and <c>services</c>; in JSON comments, and items that
/// do not each begin and end on lines of their own (minified JSON, for one). Not thread-safe.
/// <para>
/// A service reused from one version to the next is the same object, and when lines before it were
/// added or removed its positions move with it (<see cref="SourceLocation"/>): they are those of the
/// latest version read, in earlier results too. Moving thousands of services so costs no copies;
/// the services of a whole read that can be remembered are copied once, anchored, and returned so.
/// </para>
/// </remarks>
public sealed class IncrementalConfigReader
{
    // An item is read as this document, its own lines after this one (JSON: and before the footer).
    private static readonly byte[] s_itemHeader = "services:\n"u8.ToArray();
    private static readonly byte[] s_jsonItemHeader = "{\"services\":[\n"u8.ToArray();
    private static readonly byte[] s_jsonItemFooter = "]}"u8.ToArray();

    // What JSON's structure turns on; everything else is inside strings or scalars.
    private static readonly SearchValues<byte> s_jsonStructure = SearchValues.Create("\"{}[]/"u8);
    private static readonly SearchValues<byte> s_jsonStringEnds = SearchValues.Create("\"\\\n"u8);

    // Characters whose YAML meaning reaches beyond one item (anchors, aliases, tags, block
    // scalars), tabs, and control characters other than line breaks: any of them, anywhere, and
    // the whole file is read.
    private static readonly SearchValues<byte> s_refused = SearchValues.Create(
        "&*!|>\t\0\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008\u000b\u000c\u000e\u000f\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001a\u001b\u001c\u001d\u001e\u001f\u007f"u8);

    private static readonly SearchValues<byte> s_quotesAndBrackets = SearchValues.Create("\"'[]{}"u8);

    private readonly string _fileName;
    private readonly IpvsConfigReaderOptions _options;

    // Null when the options rule incremental reading out (extension readers see nodes and positions).
    private readonly IpvsConfigReaderOptions? _itemOptions;
    private readonly IpvsConfigReaderOptions? _jsonItemOptions;
    private readonly List<ItemRange> _items = new(1024);
    private Dictionary<ItemText, CachedItem> _cache = new();
    private Dictionary<ItemText, CachedItem> _spare = new();
    private byte[] _buffer = [];
    private byte[] _otherBuffer = [];
    private ReadOnlyMemory<byte> _prefix;
    private ReadOnlyMemory<byte> _suffix;
    private int _generation;

    // The format the cache was filled from (with Auto, a file may change format between versions).
    private bool _cacheIsJson;

    /// <summary>Creates a reader for one file.</summary>
    /// <param name="fileName">The file's name, as <see cref="IpvsConfigReader.Parse(byte[], string, IpvsConfigReaderOptions?)"/> takes it: it names the file in positions and, with <see cref="IpvsConfigFormat.Auto"/>, its extension picks the format.</param>
    /// <param name="options">How to read it; with extension sections every version is read whole.</param>
    public IncrementalConfigReader(string fileName, IpvsConfigReaderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(fileName);
        _fileName = fileName;
        _options = options ?? IpvsConfigReaderOptions.Default;
        if (_options.ServiceSections.Count == 0 && _options.TopLevelSections.Count == 0)
        {
            _itemOptions = _options with { Format = IpvsConfigFormat.Yaml };
            _jsonItemOptions = _options with { Format = IpvsConfigFormat.Json };
        }
    }

    /// <summary>Of the last <see cref="Parse(ReadOnlySpan{byte})"/>: the services taken unchanged from the previous version.</summary>
    public int ReusedServices { get; private set; }

    /// <summary>Of the last <see cref="Parse(ReadOnlySpan{byte})"/>: the services parsed anew (all of them when the whole file was read).</summary>
    public int ParsedServices { get; private set; }

    /// <summary>True when the last <see cref="Parse(ReadOnlySpan{byte})"/> reused the previous version rather than reading the whole file.</summary>
    public bool LastParseWasIncremental { get; private set; }

    /// <summary>Parses the file's current content (UTF-8); the array is not kept.</summary>
    /// <returns>The same result as <see cref="IpvsConfigReader.Parse(byte[], string, IpvsConfigReaderOptions?)"/>.</returns>
    public IpvsConfigReadResult Parse(byte[] utf8)
    {
        ArgumentNullException.ThrowIfNull(utf8);
        return Parse(utf8.AsSpan());
    }

    /// <summary>Parses the file's current content (UTF-8), given as a span: the caller may reuse its buffer afterwards.</summary>
    /// <returns>The same result as <see cref="IpvsConfigReader.Parse(byte[], string, IpvsConfigReaderOptions?)"/>.</returns>
    public IpvsConfigReadResult Parse(ReadOnlySpan<byte> utf8)
    {
        LastParseWasIncremental = false;
        ReusedServices = 0;
        var json = IpvsConfigReader.IsJson(utf8, _fileName, _options.Format);
        if (json != _cacheIsJson)
        {
            ClearCache();
            _cacheIsJson = json;
        }

        int prefixEnd, suffixStart;
        if (_itemOptions is null || !(json ? TrySplitJson(utf8, out prefixEnd, out suffixStart) : TrySplit(utf8, out prefixEnd, out suffixStart)))
        {
            ClearCache();
            return ParseWhole(utf8);
        }

        // The cache keeps slices of the text: a copy, so that the caller may reuse its array. The
        // copy goes to the buffer the cache does not point into (two, used in turn), so that a
        // resident process does not leave a dead copy of the file behind at every version.
        (_buffer, _otherBuffer) = (_otherBuffer, _buffer);
        if (_buffer.Length < utf8.Length)
        {
            _buffer = new byte[utf8.Length + (utf8.Length / 8)];
        }

        var text = _buffer;
        var length = utf8.Length;
        utf8.CopyTo(text);
        if (_cache.Count > 0
            && text.AsSpan(0, prefixEnd).SequenceEqual(_prefix.Span)
            && text.AsSpan(suffixStart, length - suffixStart).SequenceEqual(_suffix.Span)
            && TryParseChanged(text) is { } services)
        {
            _prefix = text.AsMemory(0, prefixEnd);
            _suffix = text.AsMemory(suffixStart, length - suffixStart);
            LastParseWasIncremental = true;
            return new IpvsConfigReadResult(new IpvsConfig(services) { Source = _fileName }, []);
        }

        ClearCache();
        var result = ParseWhole(text.AsSpan(0, length));
        if (result.Config is { } config && result.Diagnostics.Count == 0 && (json || IsSelfContained(text.AsSpan(0, length))) && Remember(text, config) is { } anchored)
        {
            _prefix = text.AsMemory(0, prefixEnd);
            _suffix = text.AsMemory(suffixStart, length - suffixStart);
            result = new IpvsConfigReadResult(config with { Services = anchored }, result.Diagnostics);
        }
        else
        {
            ClearCache();
        }

        return result;
    }

    // The whole file, by the ordinary reader (which takes an array of exactly the file).
    private IpvsConfigReadResult ParseWhole(ReadOnlySpan<byte> utf8)
    {
        var result = IpvsConfigReader.Parse(utf8.ToArray(), _fileName, _options);
        ParsedServices = result.Config?.Services.Count ?? 0;
        return result;
    }

    private void ClearCache()
    {
        _cache.Clear();
        _spare.Clear();
        _prefix = default;
        _suffix = default;
    }

    // Fills the cache from a whole read: the i-th service must lie within the i-th item, and so
    // must its real servers, or the items are not what the reader saw and nothing is kept. The
    // services are kept, and returned, anchored to their items: copied once here, at the whole
    // read, rather than at the first change that moves them. Null when nothing can be kept.
    private List<VirtualServiceConfig>? Remember(byte[] text, IpvsConfig config)
    {
        var services = config.Services;
        if (services.Count != _items.Count)
        {
            return null;
        }

        var anchored = new List<VirtualServiceConfig>(services.Count);
        for (var i = 0; i < services.Count; i++)
        {
            var service = services[i];
            var item = _items[i];
            var nextLine = i + 1 < _items.Count ? _items[i + 1].Line : int.MaxValue;
            if (service.Extensions.Count != 0 || !IsWithin(service.Location, item.Line, nextLine))
            {
                return null;
            }

            for (var j = 0; j < service.RealServers.Count; j++)
            {
                if (!IsWithin(service.RealServers[j].Location, item.Line, nextLine))
                {
                    return null;
                }
            }

            var anchor = new LineAnchor(item.Line);
            var entry = new CachedItem(Anchored(service, item.Line, anchor), anchor);
            if (!_cache.TryAdd(ItemText.Create(text.AsMemory(item.Start, item.Length)), entry))
            {
                return null;
            }

            anchored.Add(entry.Service);
        }

        return anchored;
    }

    private static bool IsWithin(SourceLocation? location, int firstLine, int nextLine) =>
        location is { } l && l.Line >= firstLine && l.Line < nextLine;

    // The services of this version, reusing the cached items whose text is unchanged; null when
    // the whole file must be read instead.
    private List<VirtualServiceConfig>? TryParseChanged(byte[] text)
    {
        var generation = ++_generation;
        var next = _spare;
        next.Clear();
        next.EnsureCapacity(_items.Count);
        var services = new List<VirtualServiceConfig>(_items.Count);
        HashSet<VirtualServiceKey>? parsedKeys = null;
        foreach (var item in _items)
        {
            var key = ItemText.Create(text.AsMemory(item.Start, item.Length));
            if (_cache.TryGetValue(key, out var entry))
            {
                if (entry.Generation == generation)
                {
                    return null; // the same item twice: a duplicate service
                }

                // Entries are updated in place; if this version is given up, the cache is rebuilt anyway.
                // A moved item's positions follow it through its anchor, without a copy of the service.
                entry.Generation = generation;
                entry.Anchor.Line = item.Line;
            }
            else
            {
                var anchor = new LineAnchor(item.Line);
                if (!(_cacheIsJson || IsSelfContained(key.Bytes.Span)) || ParseItem(key.Bytes.Span, anchor) is not { } service)
                {
                    return null;
                }

                parsedKeys ??= [];
                if (!parsedKeys.Add(service.Key))
                {
                    return null;
                }

                entry = new CachedItem(service, anchor) { Generation = generation };
            }

            next.Add(key, entry);
            services.Add(entry.Service);
        }

        var parsed = parsedKeys?.Count ?? 0;
        if (parsedKeys is not null)
        {
            // Reused services differ from each other (their version was accepted); a new one may
            // repeat one of them.
            var matches = 0;
            foreach (var service in services)
            {
                if (parsedKeys.Contains(service.Key))
                {
                    matches++;
                }
            }

            if (matches != parsed)
            {
                return null;
            }
        }

        _spare = _cache;
        _spare.Clear();
        _cache = next;
        ParsedServices = parsed;
        ReusedServices = services.Count - parsed;
        return services;
    }

    // Reads one item as a document of its own and anchors its positions to where it is in the file;
    // null when it has any diagnostic (the whole file is then read, for the canonical messages).
    private VirtualServiceConfig? ParseItem(ReadOnlySpan<byte> item, LineAnchor anchor)
    {
        var header = _cacheIsJson ? s_jsonItemHeader : s_itemHeader;
        var footer = _cacheIsJson ? s_jsonItemFooter : [];
        var document = new byte[header.Length + item.Length + footer.Length];
        header.CopyTo(document, 0);
        item.CopyTo(document.AsSpan(header.Length));
        footer.CopyTo(document.AsSpan(header.Length + item.Length));
        var result = IpvsConfigReader.Parse(document, _fileName, _cacheIsJson ? _jsonItemOptions : _itemOptions);
        if (result.Diagnostics.Count != 0 || result.Config is not { Services: [var service] } || service.Extensions.Count != 0)
        {
            return null;
        }

        return Anchored(service, 2, anchor); // the item's first line is the document's second
    }

    // The service with its positions made relative to the anchor, whose line is now firstLine's.
    private static VirtualServiceConfig Anchored(VirtualServiceConfig service, int firstLine, LineAnchor anchor)
    {
        var servers = new RealServerConfig[service.RealServers.Count];
        for (var i = 0; i < servers.Length; i++)
        {
            var server = service.RealServers[i];
            servers[i] = server with { Location = Anchored(server.Location, firstLine, anchor) };
        }

        return service with { RealServers = servers, Location = Anchored(service.Location, firstLine, anchor) };
    }

    private static SourceLocation? Anchored(SourceLocation? location, int firstLine, LineAnchor anchor) =>
        location is { } l ? new SourceLocation(l.File, anchor, l.Line - firstLine, l.Column) : null;

    // Splits the text into the frame and the items of the services list (into _items); false when
    // the text is not a plain list of items in a frame of comments, 'version' and 'services'.
    private bool TrySplit(ReadOnlySpan<byte> text, out int prefixEnd, out int suffixStart)
    {
        _items.Clear();
        prefixEnd = suffixStart = 0;
        if (text.IndexOfAny(s_refused) >= 0 || !HasOnlyPlainLineBreaks(text))
        {
            return false;
        }

        var state = SplitState.BeforeServices;
        var sawVersion = false;
        var itemIndent = 0;
        var itemStart = 0;
        var itemLine = 0;
        var position = 0;
        var number = 0;
        while (position < text.Length)
        {
            number++;
            var newline = text[position..].IndexOf((byte)'\n');
            var end = newline < 0 ? text.Length : position + newline;
            var lineEnd = end > position && text[end - 1] == '\r' ? end - 1 : end;
            var line = text[position..lineEnd];
            var indent = line.IndexOfAnyExcept((byte)' ');
            var isTrivia = indent < 0 || line[indent] == '#';
            if (state == SplitState.Items)
            {
                if (isTrivia || indent > itemIndent)
                {
                    position = end + 1;
                    continue;
                }

                _items.Add(new ItemRange(itemLine, itemStart, position - itemStart));
                if (indent == itemIndent && IsItemStart(line, indent))
                {
                    itemStart = position;
                    itemLine = number;
                    position = end + 1;
                    continue;
                }

                state = SplitState.AfterItems;
                suffixStart = position;
            }

            if (!isTrivia)
            {
                switch (state)
                {
                    case SplitState.BeforeServices when indent == 0 && IsServicesLine(line):
                        state = SplitState.BeforeItems;
                        break;
                    case SplitState.BeforeServices or SplitState.AfterItems when indent == 0 && !sawVersion && IsVersionLine(line):
                        sawVersion = true;
                        break;
                    case SplitState.BeforeItems when IsItemStart(line, indent):
                        state = SplitState.Items;
                        itemIndent = indent;
                        itemStart = prefixEnd = position;
                        itemLine = number;
                        break;
                    default:
                        return false;
                }
            }

            position = end + 1;
        }

        if (state == SplitState.Items)
        {
            _items.Add(new ItemRange(itemLine, itemStart, text.Length - itemStart));
            suffixStart = text.Length;
        }

        return _items.Count > 0;
    }

    // Splits JSON text the same way: the first "services" key of the top-level object, whose
    // array's items (objects or strings) each start a line and end one (then a comma, if another
    // follows); an item's bytes run from the start of its first line to the start of the next
    // item's. False for anything else, and for comments, which the frame's comparison would not see.
    private bool TrySplitJson(ReadOnlySpan<byte> text, out int prefixEnd, out int suffixStart)
    {
        _items.Clear();
        prefixEnd = suffixStart = 0;
        if (!HasOnlyPlainLineBreaks(text) || FindServicesArray(text) is not (>= 0 and var open) || !EndsLine(text, open + 1, out var position))
        {
            return false;
        }

        var line = text[..position].Count((byte)'\n') + 1;
        var itemStart = -1;
        var itemLine = 0;
        var comma = false;
        while (true)
        {
            // The next item, or the end of the list, after blank lines.
            var next = text[position..].IndexOfAnyExcept(" \t\r\n"u8);
            if (next < 0)
            {
                return false;
            }

            var at = position + next;
            var lineStart = text[..at].LastIndexOf((byte)'\n') + 1;
            line += text[position..lineStart].Count((byte)'\n');
            if (text[at] == ']')
            {
                if (itemStart < 0)
                {
                    return false;
                }

                _items.Add(new ItemRange(itemLine, itemStart, position - itemStart));
                suffixStart = position;
                return true;
            }

            if (text[at] is not ((byte)'{' or (byte)'"') || (itemStart >= 0 && !comma))
            {
                return false;
            }

            if (itemStart >= 0)
            {
                _items.Add(new ItemRange(itemLine, itemStart, lineStart - itemStart));
            }
            else
            {
                prefixEnd = lineStart;
            }

            itemStart = lineStart;
            itemLine = line;
            var end = text[at] == '"' ? JsonStringEnd(text, at) : JsonContainerEnd(text, at);
            if (end < 0)
            {
                return false;
            }

            // After the item: spaces, at most one comma, spaces, the end of the line.
            var after = end + text[end..].IndexOfAnyExcept(" \t\r"u8);
            comma = after >= end && after < text.Length && text[after] == ',';
            if (after < end || !EndsLine(text, comma ? after + 1 : after, out position))
            {
                return false;
            }

            line += text[lineStart..position].Count((byte)'\n');
        }
    }

    // Where the array of the top-level object's first "services" key opens; -1 when there is none
    // or the structure is not plain (comments). Keys are matched as written (escapes are not undone).
    private static int FindServicesArray(ReadOnlySpan<byte> text)
    {
        var depth = 0;
        var i = 0;
        while (NextJsonToken(text, ref i, out var token))
        {
            if (text[token] != '"')
            {
                depth += text[token] is (byte)'{' or (byte)'[' ? 1 : -1;
            }
            else if (depth == 1 && text[(token + 1)..(i - 1)].SequenceEqual("services"u8))
            {
                var colon = i + text[i..].IndexOfAnyExcept(" \t\r\n"u8);
                if (colon >= i && text[colon] == ':')
                {
                    var value = colon + 1 + text[(colon + 1)..].IndexOfAnyExcept(" \t\r\n"u8);
                    return value > colon && text[value] == '[' ? value : -1;
                }
            }
        }

        return -1;
    }

    // True when only spaces (and a CR) follow from this index to the end of its line; position is
    // then the start of the next line.
    private static bool EndsLine(ReadOnlySpan<byte> text, int from, out int position)
    {
        position = 0;
        var rest = from + text[from..].IndexOfAnyExcept(" \t\r"u8);
        if (rest < from || text[rest] != '\n')
        {
            return false;
        }

        position = rest + 1;
        return true;
    }

    // The index after the string that starts at this quote; -1 when it does not end on its line.
    private static int JsonStringEnd(ReadOnlySpan<byte> text, int quote)
    {
        var i = quote + 1;
        while (true)
        {
            var next = text[i..].IndexOfAny(s_jsonStringEnds);
            if (next < 0)
            {
                return -1;
            }

            i += next;
            switch (text[i])
            {
                case (byte)'"':
                    return i + 1;
                case (byte)'\\':
                    i += 2;
                    if (i >= text.Length)
                    {
                        return -1;
                    }

                    break;
                default:
                    return -1;
            }
        }
    }

    // The index after the object or array that opens here; -1 when it does not close or holds a
    // comment. Brackets are only counted: the item's own parse checks that they match.
    private static int JsonContainerEnd(ReadOnlySpan<byte> text, int open)
    {
        var depth = 0;
        var i = open;
        while (NextJsonToken(text, ref i, out var token))
        {
            if (text[token] == '"')
            {
                continue;
            }

            depth += text[token] is (byte)'{' or (byte)'[' ? 1 : -1;
            if (depth == 0)
            {
                return i;
            }
        }

        return -1;
    }

    // Finds the next bracket or string from i, at token, and moves i past it (past a string's
    // closing quote); false at the end of the text, at a comment, or at a string that does not end
    // on its line.
    private static bool NextJsonToken(ReadOnlySpan<byte> text, ref int i, out int token)
    {
        var next = text[i..].IndexOfAny(s_jsonStructure);
        token = i + next;
        if (next < 0 || text[token] == '/')
        {
            return false;
        }

        i = text[token] == '"' ? JsonStringEnd(text, token) : token + 1;
        return i >= 0;
    }

    // Every CR must end a line (CRLF), as both YAML readers take it; a lone CR, NEL, LS, PS or a
    // byte order mark would count lines or columns differently from this reader.
    private static bool HasOnlyPlainLineBreaks(ReadOnlySpan<byte> text)
    {
        for (var i = text.IndexOf((byte)'\r'); i >= 0; i = NextIndex(text, i, (byte)'\r'))
        {
            if (i + 1 >= text.Length || text[i + 1] != '\n')
            {
                return false;
            }
        }

        if (text.IndexOfAnyInRange((byte)0x80, (byte)0xff) < 0)
        {
            return true;
        }

        return text.IndexOf("\u0085"u8) < 0 && text.IndexOf("\u2028"u8) < 0 && text.IndexOf("\u2029"u8) < 0 && text.IndexOf("\ufeff"u8) < 0;
    }

    private static int NextIndex(ReadOnlySpan<byte> text, int after, byte value)
    {
        var i = text[(after + 1)..].IndexOf(value);
        return i < 0 ? -1 : after + 1 + i;
    }

    private static bool IsItemStart(ReadOnlySpan<byte> line, int indent) =>
        line[indent] == '-' && (indent + 1 == line.Length || line[indent + 1] == ' ');

    // "services:", then nothing but spaces and a comment.
    private static bool IsServicesLine(ReadOnlySpan<byte> line)
    {
        if (!line.StartsWith("services:"u8))
        {
            return false;
        }

        var rest = line["services:".Length..];
        var content = rest.IndexOfAnyExcept((byte)' ');
        return content < 0 || (content > 0 && rest[content] == '#');
    }

    // "version:", then a plain word (no quotes or brackets that could run on), spaces and a comment.
    private static bool IsVersionLine(ReadOnlySpan<byte> line)
    {
        if (!line.StartsWith("version:"u8))
        {
            return false;
        }

        var rest = line["version:".Length..];
        if (rest.IsEmpty)
        {
            return true;
        }

        if (rest[0] != ' ')
        {
            return false;
        }

        var i = 0;
        while (i < rest.Length && rest[i] == ' ')
        {
            i++;
        }

        while (i < rest.Length && (char.IsAsciiLetterOrDigit((char)rest[i]) || rest[i] is (byte)'.' or (byte)'_' or (byte)'+' or (byte)'-'))
        {
            i++;
        }

        var spaces = i;
        while (i < rest.Length && rest[i] == ' ')
        {
            i++;
        }

        return i == rest.Length || (rest[i] == '#' && i > spaces);
    }

    // True when no line leaves a quoted scalar or a flow collection open: then each item's lines
    // mean the same alone as in the file, and a "- " at the list's indentation always starts an
    // item. A quote can only start a scalar at its beginning, so one right after a letter or
    // digit is text; counting more quotes than YAML does only makes this refuse more.
    private static bool IsSelfContained(ReadOnlySpan<byte> text)
    {
        while (!text.IsEmpty)
        {
            var newline = text.IndexOf((byte)'\n');
            var line = newline < 0 ? text : text[..newline];
            text = newline < 0 ? default : text[(newline + 1)..];
            if (line.IndexOfAny(s_quotesAndBrackets) >= 0 && !IsLineSelfContained(line))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsLineSelfContained(ReadOnlySpan<byte> line)
    {
        var depth = 0;
        byte quote = 0;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quote != 0)
            {
                if (c == '\\' && quote == '"')
                {
                    i++;
                }
                else if (c == quote)
                {
                    quote = 0;
                }

                continue;
            }

            var previous = i == 0 ? (byte)' ' : line[i - 1];
            switch (c)
            {
                case (byte)'#' when previous == ' ':
                    return depth == 0;
                case (byte)'"' or (byte)'\'' when !char.IsAsciiLetterOrDigit((char)previous):
                    quote = c;
                    break;
                case (byte)'[' or (byte)'{':
                    depth++;
                    break;
                case (byte)']' or (byte)'}':
                    if (--depth < 0)
                    {
                        return false;
                    }

                    break;
            }
        }

        return quote == 0 && depth == 0;
    }

    private enum SplitState
    {
        BeforeServices,
        BeforeItems,
        Items,
        AfterItems,
    }

    /// <summary>Where an item of the list is: its first line (1-based) and its bytes, from the start of its first line to the next item.</summary>
    private readonly record struct ItemRange(int Line, int Start, int Length);

    /// <summary>An item's exact bytes, with their hash computed once.</summary>
    private readonly record struct ItemText(ReadOnlyMemory<byte> Bytes, int Hash)
    {
        public static ItemText Create(ReadOnlyMemory<byte> bytes)
        {
            var hash = new HashCode();
            hash.AddBytes(bytes.Span);
            return new ItemText(bytes, hash.ToHashCode());
        }

        public bool Equals(ItemText other) => Hash == other.Hash && Bytes.Span.SequenceEqual(other.Bytes.Span);

        public override int GetHashCode() => Hash;
    }

    /// <summary>An item's service as read, anchored to the item's first line.</summary>
    private sealed class CachedItem(VirtualServiceConfig service, LineAnchor anchor)
    {
        public VirtualServiceConfig Service { get; } = service;

        // The item's first line, which the service's positions are relative to.
        public LineAnchor Anchor { get; } = anchor;

        // The parse that last used it, so that an item repeated in one version is noticed.
        public int Generation { get; set; }
    }
}
