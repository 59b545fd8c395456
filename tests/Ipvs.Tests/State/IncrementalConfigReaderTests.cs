using System.Globalization;
using System.Text;
using Ipvs.State;

namespace Ipvs.Tests.State;

/// <summary>
/// The incremental reader must return exactly what a whole read of the same bytes returns
/// (services, values, positions, diagnostics), while parsing only the items that changed.
/// </summary>
public sealed class IncrementalConfigReaderTests
{
    private const string FileName = "services.yaml";
    private const string JsonFileName = "services.json";

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void RandomEdits_GiveExactlyTheResultOfAWholeRead(bool json)
    {
        int parses = 0, incremental = 0, reused = 0;
        for (var seed = 0; seed < 200; seed++)
        {
            var random = new Random(seed);
            var file = RandomFile.Create(random);
            var name = random.Next(4) == 0 ? "services" : json ? JsonFileName : FileName; // no extension: the format is picked from the text
            var reader = new IncrementalConfigReader(name);
            for (var edit = 0; edit <= 25; edit++)
            {
                if (edit > 0)
                {
                    file.Edit(random);
                }

                var bytes = Encoding.UTF8.GetBytes(json ? file.RenderJson() : file.Render());
                var actual = reader.Parse(bytes);
                var expected = IpvsConfigReader.Parse(bytes, name);
                Assert.True(Describe(expected) == Describe(actual), $"seed {seed}, edit {edit} ({file.LastEdit}), incremental: {reader.LastParseWasIncremental}\n--- file:\n{Encoding.UTF8.GetString(bytes)}\n--- expected:\n{Describe(expected)}\n--- actual:\n{Describe(actual)}");
                Assert.Equal(expected.Config?.Services.Count ?? 0, reader.LastParseWasIncremental ? reader.ParsedServices + reader.ReusedServices : reader.ParsedServices);
                parses++;
                if (reader.LastParseWasIncremental)
                {
                    incremental++;
                    reused += reader.ReusedServices;
                }
            }
        }

        // The incremental path must be taken often, or this test proves little.
        Assert.True(incremental * 3 > parses, $"only {incremental} of {parses} parses were incremental");
        Assert.True(reused > incremental * 3, $"only {reused} services reused over {incremental} incremental parses");
    }

    [Fact]
    public void ChangingOneScheduler_ParsesOnlyThatService()
    {
        var reader = new IncrementalConfigReader(FileName);
        AssertSame(reader, Large(1000, _ => "wlc"));
        Assert.False(reader.LastParseWasIncremental);
        Assert.Equal(1000, reader.ParsedServices);

        var result = AssertSame(reader, Large(1000, i => i == 500 ? "rr" : "wlc"));

        Assert.True(reader.LastParseWasIncremental);
        Assert.Equal(1, reader.ParsedServices);
        Assert.Equal(999, reader.ReusedServices);
        Assert.Equal("rr", result.Config!.Services[500].Service.Scheduler);
    }

    [Fact]
    public void InsertingALineNearTheTop_ShiftsEveryLaterPosition()
    {
        var reader = new IncrementalConfigReader(FileName);
        var before = AssertSame(reader, Large(1000, _ => "wlc")).Config!.Services[999];
        var (line, serverLine) = (before.Location!.Value.Line, before.RealServers[3].Location!.Value.Line);

        // A new real server in the first service: one item changes, every later one moves down a line.
        var text = Large(1000, _ => "wlc").Replace("      - 198.19.0.1:8080\n", "      - 198.19.0.1:8080\n      - 198.19.250.1:8080\n", StringComparison.Ordinal);
        var after = AssertSame(reader, text);

        Assert.True(reader.LastParseWasIncremental);
        Assert.Equal(1, reader.ParsedServices);
        Assert.Equal(999, reader.ReusedServices);
        var last = after.Config!.Services[999];
        Assert.Same(before, last);
        Assert.Equal(line + 1, last.Location!.Value.Line);
        Assert.Equal(serverLine + 1, last.RealServers[3].Location!.Value.Line);
    }

    [Fact]
    public void CommentsAndBlankLines_BetweenItems_AreReusedItemsWithShiftedPositions()
    {
        var reader = new IncrementalConfigReader(FileName);
        AssertSame(reader, "version: 1\nservices:\n  - tcp/198.18.0.1:80\n  - service: tcp/198.18.0.2:80\n    servers: [198.19.0.1:8080]\n");

        AssertSame(reader, "version: 1\nservices:\n  - tcp/198.18.0.1:80\n# a note\n\n  - service: tcp/198.18.0.2:80\n    servers: [198.19.0.1:8080]\n");

        Assert.True(reader.LastParseWasIncremental);
        Assert.Equal(1, reader.ParsedServices);
        Assert.Equal(1, reader.ReusedServices);
    }

    [Fact]
    public void AChangedFrame_IsReadWhole_AndTheNextEditIsIncrementalAgain()
    {
        var reader = new IncrementalConfigReader(FileName);
        AssertSame(reader, Large(50, _ => "wlc"));

        AssertSame(reader, "# a comment above everything\n" + Large(50, _ => "wlc"));
        Assert.False(reader.LastParseWasIncremental);

        AssertSame(reader, "# a comment above everything\n" + Large(50, i => i == 7 ? "sh" : "wlc"));
        Assert.True(reader.LastParseWasIncremental);
        Assert.Equal(1, reader.ParsedServices);
    }

    [Fact]
    public void AnError_IsReportedByTheWholeReader_AndTheFixIsReadWhole()
    {
        var reader = new IncrementalConfigReader(FileName);
        AssertSame(reader, Large(20, _ => "wlc"));

        var broken = AssertSame(reader, Large(20, i => i == 3 ? "rrr" : "wlc"));
        Assert.False(broken.Succeeded);
        Assert.False(reader.LastParseWasIncremental);

        AssertSame(reader, Large(20, _ => "wlc"));
        Assert.False(reader.LastParseWasIncremental);
        AssertSame(reader, Large(20, i => i == 3 ? "rr" : "wlc"));
        Assert.True(reader.LastParseWasIncremental);
    }

    [Fact]
    public void ADuplicateService_MadeByAnEdit_IsReportedByTheWholeReader()
    {
        var reader = new IncrementalConfigReader(FileName);
        AssertSame(reader, "services:\n  - tcp/198.18.0.1:80\n  - tcp/198.18.0.2:80\n  - tcp/198.18.0.3:80\n");

        // Both an identical item and a new item repeating a reused one.
        var same = AssertSame(reader, "services:\n  - tcp/198.18.0.1:80\n  - tcp/198.18.0.2:80\n  - tcp/198.18.0.1:80\n");
        Assert.Contains(same.Diagnostics, d => d.Message.StartsWith("duplicate service", StringComparison.Ordinal));
        AssertSame(reader, "services:\n  - tcp/198.18.0.1:80\n  - tcp/198.18.0.2:80\n  - tcp/198.18.0.3:80\n");
        var repeated = AssertSame(reader, "services:\n  - tcp/198.18.0.1:80\n  - tcp/198.18.0.2:80\n  - service: tcp/198.18.0.1:80\n");
        Assert.Contains(repeated.Diagnostics, d => d.Message.StartsWith("duplicate service", StringComparison.Ordinal));
    }

    [Fact]
    public void AWarning_InAChangedItem_IsReportedByTheWholeReader()
    {
        var reader = new IncrementalConfigReader(FileName);
        AssertSame(reader, "services:\n  - service: tcp/198.18.0.1:80\n  - tcp/198.18.0.2:80\n");

        var result = AssertSame(reader, "services:\n  - service: tcp/198.18.0.1:80\n    netmask: 24\n  - tcp/198.18.0.2:80\n");

        Assert.True(result.Succeeded);
        Assert.Single(result.Diagnostics);
        Assert.False(reader.LastParseWasIncremental);
    }

    [Theory]
    [InlineData("services:\n  - service: tcp/198.18.0.1:80\n    servers: [&s 198.19.0.1:8080]\n  - service: tcp/198.18.0.2:80\n    servers: [*s]\n")]
    [InlineData("services:\n  - service: tcp/198.18.0.1:80\n    flags: [sh-port,\n      sh-fallback]\n    scheduler: sh\n  - tcp/198.18.0.2:80\n")]
    [InlineData("services:\n  - service: tcp/198.18.0.1:80\n    scheduler: 'w\n      lc'\n  - tcp/198.18.0.2:80\n")]
    [InlineData("services:\n  - service: tcp/198.18.0.1:80\n    scheduler: \"wlc\n  - x\"\n  - tcp/198.18.0.2:80\n")]
    [InlineData("---\nservices:\n  - tcp/198.18.0.1:80\n  - tcp/198.18.0.2:80\n")]
    [InlineData("services:\n  - tcp/198.18.0.1:80\n  - tcp/198.18.0.2:80\nextra: 1\n")]
    [InlineData("services:\n\t- tcp/198.18.0.1:80\n")]
    [InlineData("services:\n  - tcp/198.18.0.1:80\r  - tcp/198.18.0.2:80\n")]
    [InlineData("\ufeffservices:\n  - tcp/198.18.0.1:80\n")]
    [InlineData("services:\n  - service: tcp/198.18.0.1:80\n    health: {http: /}\n")]
    public void UnsupportedText_IsAlwaysReadWhole(string text)
    {
        var reader = new IncrementalConfigReader(FileName);
        AssertSame(reader, text);
        AssertSame(reader, text);
        Assert.False(reader.LastParseWasIncremental);
        AssertSame(reader, text.Replace("198.18.0.1", "198.18.0.9", StringComparison.Ordinal));
        Assert.False(reader.LastParseWasIncremental);
    }

    [Fact]
    public void Json_AsExportWritesIt_ParsesOnlyTheChangedService()
    {
        var reader = new IncrementalConfigReader(JsonFileName);
        AssertSameJson(reader, LargeJson(1000, _ => "wlc"));
        Assert.False(reader.LastParseWasIncremental);

        var result = AssertSameJson(reader, LargeJson(1000, i => i == 500 ? "rr" : "wlc"));

        Assert.True(reader.LastParseWasIncremental);
        Assert.Equal(1, reader.ParsedServices);
        Assert.Equal(999, reader.ReusedServices);
        Assert.Contains(result.Config!.Services, s => s.Service.Scheduler == "rr");
    }

    [Fact]
    public void Json_InsertingAServiceNearTheTop_ShiftsEveryLaterPosition()
    {
        var reader = new IncrementalConfigReader(JsonFileName);
        var config = IpvsConfigReader.Parse(Large(51, _ => "wlc"), FileName).Config!;
        var before = AssertSameJson(reader, IpvsConfigWriter.ToJson(config with { Services = [config.Services[0], .. config.Services.Skip(2)] }));
        var line = before.Config!.Services[1].Location!.Value.Line;

        var after = AssertSameJson(reader, IpvsConfigWriter.ToJson(config));

        Assert.True(reader.LastParseWasIncremental);
        Assert.Equal(1, reader.ParsedServices);
        Assert.Equal(50, reader.ReusedServices);
        var inserted = after.Config!.Services[2].Location!.Value.Line - after.Config.Services[1].Location!.Value.Line;
        Assert.Equal(line + inserted, after.Config.Services[2].Location!.Value.Line);
    }

    [Fact]
    public void MovedServices_StayTheSameObjects_AndTheirPositionsFollowTheFile()
    {
        var reader = new IncrementalConfigReader(JsonFileName);
        var config = IpvsConfigReader.Parse(Large(12, _ => "wlc"), FileName).Config!;
        AssertSameJson(reader, IpvsConfigWriter.ToJson(config with { Services = config.Services.Skip(2).ToList() }));
        var moved = AssertSameJson(reader, IpvsConfigWriter.ToJson(config with { Services = config.Services.Skip(1).ToList() }));
        var lineBefore = moved.Config!.Services[5].RealServers[2].Location!.Value.Line;

        var again = AssertSameJson(reader, IpvsConfigWriter.ToJson(config));

        // Moved a second time: no copy, and the earlier result's positions are the file's latest.
        Assert.True(reader.LastParseWasIncremental);
        Assert.Equal(11, reader.ReusedServices);
        Assert.Same(moved.Config.Services[5], again.Config!.Services[6]);
        var inserted = again.Config.Services[1].Location!.Value.Line - again.Config.Services[0].Location!.Value.Line;
        Assert.Equal(lineBefore + inserted, moved.Config.Services[5].RealServers[2].Location!.Value.Line);
    }

    [Theory]
    [InlineData("{\"services\": [\"tcp/198.18.0.1:80\", \"tcp/198.18.0.2:80\"]}\n")] // minified: items share a line
    [InlineData("{\n  \"services\": [\n    \"tcp/198.18.0.1:80\", \"tcp/198.18.0.2:80\"\n  ]\n}\n")] // two items on one line
    [InlineData("{\n  \"services\": [\n    \"tcp/198.18.0.1:80\", // the first\n    \"tcp/198.18.0.2:80\"\n  ]\n}\n")] // a comment
    [InlineData("{\n  \"services\": [\n    \"tcp/198.18.0.1:80\"\n    , \"tcp/198.18.0.2:80\"\n  ]\n}\n")] // a comma that starts a line
    [InlineData("{\n  \"services\": [ \"tcp/198.18.0.1:80\",\n    \"tcp/198.18.0.2:80\"\n  ]\n}\n")] // the list's first item on its key's line
    [InlineData("{\n  \"services\": [\n    \"tcp/198.18.0.1:80\",\n    \"tcp/198.18.0.2:80\" ]\n}\n")] // the list's end on its last item's line
    [InlineData("{\n  \"x\": {\"services\": [\n    \"tcp/198.18.0.1:80\"\n  ]},\n  \"services\": [\n    \"tcp/198.18.0.2:80\"\n  ]\n}\n")] // an inner key of the same name first
    [InlineData("{\n  \"services\": [\n    \"tcp/198.18.0.1:80\",\n    7,\n    \"tcp/198.18.0.2:80\"\n  ]\n}\n")] // an item neither object nor string
    public void Json_NotLaidOutAsLinesOfItems_IsReadWhole(string text)
    {
        var reader = new IncrementalConfigReader(JsonFileName);
        AssertSameJson(reader, text);
        AssertSameJson(reader, text.Replace("198.18.0.2", "198.18.0.9", StringComparison.Ordinal));
        Assert.False(reader.LastParseWasIncremental);
    }

    [Theory]
    [InlineData("\"tcp/198.18.0.1:80\",", "\"tcp/198.18.0.1:80\"")] // a comma missing between items
    [InlineData("\"tcp/198.18.0.1:80\",", "\"tcp/198.18.0.1:80\",,")] // two commas
    [InlineData("\"tcp/198.18.0.2:80\",", "\"tcp/198.18.0.2:80\",\n    ,")] // an empty item
    [InlineData("\"tcp/198.18.0.2:80\",", "{\"service\": \"tcp/198.18.0.2:80\"},")] // braces that match
    [InlineData("\"tcp/198.18.0.2:80\",", "{\"service\": \"tcp/198.18.0.2:80\"]},")] // braces that do not
    [InlineData("\"tcp/198.18.0.2:80\",", "\"tcp/198.18.0.2:80\\\",")] // a string left open
    [InlineData("\"tcp/198.18.0.2:80\",", "\"tcp/198.18.0.1:80\",")] // a duplicate service
    public void Json_AnEditedItem_GivesExactlyTheWholeReadsResult(string from, string to)
    {
        var reader = new IncrementalConfigReader(JsonFileName);
        var text = "{\n  \"services\": [\n    \"tcp/198.18.0.1:80\",\n    \"tcp/198.18.0.2:80\",\n    \"tcp/198.18.0.3:80\"\n  ]\n}\n";
        AssertSameJson(reader, text);

        AssertSameJson(reader, text.Replace(from, to, StringComparison.Ordinal));
        AssertSameJson(reader, text);
    }

    [Fact]
    public void Json_TrailingCommaAndBlankLines_AreReadIncrementally()
    {
        var reader = new IncrementalConfigReader(JsonFileName);
        var text = "{\n  \"services\": [\n    \"tcp/198.18.0.1:80\",\n\n    {\"service\": \"tcp/198.18.0.2:80\", \"scheduler\": \"rr\"},\n\n  ],\n  \"version\": 1\n}\n";
        AssertSameJson(reader, text);

        AssertSameJson(reader, text.Replace("\"rr\"", "\"lc\"", StringComparison.Ordinal));

        Assert.True(reader.LastParseWasIncremental);
        Assert.Equal(1, reader.ParsedServices);
    }

    [Fact]
    public void AFileThatChangesFormat_IsReadWholeAtTheChange()
    {
        var reader = new IncrementalConfigReader("services"); // no extension: the format is picked from the text
        var json = LargeJson(10, _ => "wlc");
        AssertSame(reader, Large(10, _ => "wlc"), "services");
        AssertSame(reader, json, "services");
        Assert.False(reader.LastParseWasIncremental);
        AssertSame(reader, json.Replace("\"wlc\"", "\"rr\"", StringComparison.Ordinal), "services");
        Assert.True(reader.LastParseWasIncremental);
        AssertSame(reader, Large(10, _ => "wlc"), "services");
        Assert.False(reader.LastParseWasIncremental);
    }

    [Fact]
    public void ExtensionReaders_MakeEveryReadWhole()
    {
        var options = new IpvsConfigReaderOptions
        {
            ServiceSections = new Dictionary<string, ServiceSectionReader> { ["health"] = context => context.Node },
        };
        var reader = new IncrementalConfigReader(FileName, options);
        var text = Large(10, _ => "wlc");
        var bytes = Encoding.UTF8.GetBytes(text);
        Assert.Equal(Describe(IpvsConfigReader.Parse(bytes, FileName, options)), Describe(reader.Parse(bytes)));
        reader.Parse(Encoding.UTF8.GetBytes(Large(10, i => i == 1 ? "rr" : "wlc")));
        Assert.False(reader.LastParseWasIncremental);
        Assert.Equal(10, reader.ParsedServices);
    }

    [Fact]
    public void CrlfLines_AreReadIncrementally()
    {
        var reader = new IncrementalConfigReader(FileName);
        AssertSame(reader, Large(30, _ => "wlc").Replace("\n", "\r\n", StringComparison.Ordinal));

        AssertSame(reader, Large(30, i => i == 29 ? "lc" : "wlc").Replace("\n", "\r\n", StringComparison.Ordinal));

        Assert.True(reader.LastParseWasIncremental);
        Assert.Equal(1, reader.ParsedServices);
    }

    [Fact]
    public void TheCallersArray_MayBeReusedAfterAParse()
    {
        var reader = new IncrementalConfigReader(FileName);
        var bytes = Encoding.UTF8.GetBytes(Large(5, _ => "wlc"));
        reader.Parse(bytes);
        Array.Fill(bytes, (byte)' ');

        AssertSame(reader, Large(5, i => i == 0 ? "rr" : "wlc"));

        Assert.True(reader.LastParseWasIncremental);
        Assert.Equal(4, reader.ReusedServices);
    }

    [Fact]
    public void IndentlessList_IsReadIncrementally()
    {
        var reader = new IncrementalConfigReader(FileName);
        AssertSame(reader, "services:\n- service: tcp/198.18.0.1:80\n  servers:\n  - 198.19.0.1:8080\n- tcp/198.18.0.2:80\nversion: 1\n");

        AssertSame(reader, "services:\n- service: tcp/198.18.0.1:80\n  servers:\n  - 198.19.0.1:8080\n  - 198.19.0.2:8080\n- tcp/198.18.0.2:80\nversion: 1\n");

        Assert.True(reader.LastParseWasIncremental);
        Assert.Equal(1, reader.ParsedServices);
        Assert.Equal(1, reader.ReusedServices);
    }

    // Services as `ipvs apply` users write them: four real servers each.
    internal static string Large(int count, Func<int, string> scheduler)
    {
        var text = new StringBuilder("version: 1\nservices:\n");
        for (var i = 0; i < count; i++)
        {
            var (high, low) = (i / 250, (i % 250) + 1);
            text.Append(CultureInfo.InvariantCulture, $"  - service: tcp/198.18.{high}.{low}:80\n    scheduler: {scheduler(i)}\n    servers:\n");
            for (var j = 0; j < 4; j++)
            {
                text.Append(CultureInfo.InvariantCulture, $"      - 198.19.{((i * 4) + j) >> 8}.{((i * 4) + j) & 255}:8080\n");
            }
        }

        return text.ToString();
    }

    // The same services, as `ipvs export -o json` writes them.
    internal static string LargeJson(int count, Func<int, string> scheduler) =>
        IpvsConfigWriter.ToJson(IpvsConfigReader.Parse(Large(count, scheduler), FileName).Config!);

    private static IpvsConfigReadResult AssertSame(IncrementalConfigReader reader, string text, string fileName = FileName)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        var actual = reader.Parse(bytes);
        Assert.Equal(Describe(IpvsConfigReader.Parse(bytes, fileName)), Describe(actual));
        return actual;
    }

    private static IpvsConfigReadResult AssertSameJson(IncrementalConfigReader reader, string text) => AssertSame(reader, text, JsonFileName);

    // Everything a caller can see of a result: diagnostics, every field and position.
    private static string Describe(IpvsConfigReadResult result)
    {
        var text = new StringBuilder();
        text.Append("succeeded: ").Append(result.Succeeded).Append('\n');
        foreach (var diagnostic in result.Diagnostics)
        {
            text.Append(diagnostic).Append('\n');
        }

        if (result.Config is { } config)
        {
            text.Append("source: ").Append(config.Source).Append(", extensions: ").Append(config.Extensions.Count).Append('\n');
            foreach (var service in config.Services)
            {
                text.Append(service.Service).Append(" at ").Append(service.Location).Append(", extensions: ").Append(string.Join(',', service.Extensions.Select(e => e.Key))).Append('\n');
                foreach (var server in service.RealServers)
                {
                    text.Append("  ").Append(server.Server).Append(" at ").Append(server.Location).Append('\n');
                }
            }
        }

        return text.ToString();
    }

    /// <summary>A configuration file as a model that renders to YAML or JSON in many styles, and random edits of it.</summary>
    private sealed class RandomFile
    {
        private static readonly string[] s_schedulers = ["rr", "wrr", "lc", "wlc", "sed", "nq"];

        private readonly List<ServiceItem> _services = [];
        private int _nextService;
        private int _nextServer;
        private int _indent;
        private bool _versionAfter;
        private bool _crlf;
        private string? _header;

        // JSON only: comments (which the incremental reader leaves to a whole read), everything on
        // one line, a comma after the last item.
        private bool _jsonComments;
        private bool _jsonMinified;
        private bool _jsonTrailingComma;

        public string LastEdit { get; private set; } = "none";

        public static RandomFile Create(Random random)
        {
            var file = new RandomFile
            {
                _indent = random.Next(2) * 2,
                _versionAfter = random.Next(4) == 0,
                _crlf = random.Next(10) == 0,
                _header = random.Next(3) == 0 ? "# services of the lab" : null,
                _jsonComments = random.Next(8) == 0,
                _jsonMinified = random.Next(12) == 0,
                _jsonTrailingComma = random.Next(4) == 0,
            };
            var count = random.Next(1, 25);
            for (var i = 0; i < count; i++)
            {
                file._services.Add(file.NewService(random));
            }

            return file;
        }

        public void Edit(Random random)
        {
            var roll = random.Next(100);
            if (_services.Count == 0 || roll < 8)
            {
                LastEdit = "insert a service";
                _services.Insert(random.Next(_services.Count + 1), NewService(random));
                return;
            }

            var service = _services[random.Next(_services.Count)];
            switch (roll)
            {
                case < 25:
                    LastEdit = "scheduler";
                    service.Scheduler = s_schedulers[random.Next(s_schedulers.Length)];
                    service.Compact = false;
                    break;
                case < 40 when service.Servers.Count > 0:
                    LastEdit = "weight";
                    var server = service.Servers[random.Next(service.Servers.Count)];
                    server.Weight = random.Next(0, 5);
                    if (server.Form == ServerForm.Compact)
                    {
                        server.Form = random.Next(2) == 0 ? ServerForm.Flow : ServerForm.Block;
                    }

                    break;
                case < 52:
                    LastEdit = "add a server";
                    service.Compact = false;
                    service.Servers.Insert(random.Next(service.Servers.Count + 1), NewServer(random, service.IPv6));
                    break;
                case < 60 when service.Servers.Count > 0:
                    LastEdit = "remove a server";
                    service.Servers.RemoveAt(random.Next(service.Servers.Count));
                    break;
                case < 66:
                    LastEdit = "delete a service";
                    _services.Remove(service);
                    break;
                case < 74:
                    LastEdit = "add a comment";
                    service.Trailing.Add(random.Next(3) == 0 ? string.Empty : new string(' ', random.Next(0, 7)) + "# note " + random.Next(1000).ToString(CultureInfo.InvariantCulture));
                    break;
                case < 78:
                    LastEdit = "swap two services";
                    var index = _services.IndexOf(service);
                    if (index + 1 < _services.Count)
                    {
                        (_services[index], _services[index + 1]) = (_services[index + 1], service);
                    }

                    break;
                case < 86:
                    LastEdit = "break a service";
                    BreakOrFix(random, service, broken: true);
                    break;
                case < 94:
                    LastEdit = "fix the broken services";
                    foreach (var s in _services)
                    {
                        BreakOrFix(random, s, broken: false);
                    }

                    break;
                case < 96:
                    LastEdit = "multi-line flags";
                    service.Compact = false;
                    service.MultiLineFlags = !service.MultiLineFlags;
                    break;
                case < 97:
                    LastEdit = "indentation";
                    _indent = 2 - _indent;
                    break;
                case < 98:
                    LastEdit = "version line";
                    _versionAfter = !_versionAfter;
                    break;
                case < 99:
                    LastEdit = "header";
                    _header = _header is null ? "# edited" : null;
                    break;
                default:
                    LastEdit = "line breaks";
                    _crlf = !_crlf;
                    break;
            }
        }

        public string Render()
        {
            var lines = new List<string>();
            if (_header is not null)
            {
                lines.Add(_header);
            }

            if (!_versionAfter)
            {
                lines.Add("version: 1");
            }

            lines.Add("services:");
            foreach (var service in _services)
            {
                service.Render(lines, new string(' ', _indent));
            }

            if (_versionAfter)
            {
                lines.Add("version: 1   # after the list");
            }

            var newline = _crlf ? "\r\n" : "\n";
            return string.Join(newline, lines) + newline;
        }

        public string RenderJson()
        {
            var step = _indent == 0 ? "  " : "    ";
            var newline = _crlf ? "\r\n" : "\n";
            if (_jsonMinified)
            {
                var items = _services.Select((s, i) => s.RenderJsonInline() + (s.SyntaxError ? (i + 1 == _services.Count ? ",," : string.Empty) : i + 1 < _services.Count ? ", " : string.Empty));
                return (_versionAfter ? "{\"services\": [" : "{\"version\": 1, \"services\": [") + string.Concat(items) + (_versionAfter ? "], \"version\": 1}" : "]}") + newline;
            }

            var lines = new List<string>();
            if (_header is not null)
            {
                lines.Add(_jsonComments ? "// " + _header.TrimStart('#', ' ') : string.Empty);
            }

            lines.Add("{");
            if (!_versionAfter)
            {
                lines.Add(step + "\"version\": 1,");
            }

            lines.Add(step + "\"services\": [");
            for (var i = 0; i < _services.Count; i++)
            {
                var service = _services[i];
                var last = i + 1 == _services.Count;
                var itemLines = service.RenderJson(step + step, step, _jsonComments);
                var separator = service.SyntaxError ? (last ? ",," : string.Empty) : !last || _jsonTrailingComma ? "," : string.Empty;
                itemLines[^1] += separator;
                lines.AddRange(itemLines);
                foreach (var trailing in service.Trailing)
                {
                    lines.Add(trailing.Length == 0 || !_jsonComments ? string.Empty : step + step + "// " + trailing.TrimStart(' ', '#'));
                }
            }

            lines.Add(step + "]" + (_versionAfter ? "," : string.Empty));
            if (_versionAfter)
            {
                lines.Add(step + "\"version\": 1");
            }

            lines.Add("}");
            return string.Join(newline, lines) + newline;
        }

        private void BreakOrFix(Random random, ServiceItem service, bool broken)
        {
            service.Compact &= !broken;
            switch (random.Next(6))
            {
                case 0:
                    service.BadScheduler = broken;
                    break;
                case 1:
                    service.DuplicateOf = broken && _services.Count > 1 ? _services[random.Next(_services.Count)].Key : null;
                    break;
                case 2:
                    service.MisspeltKey = broken;
                    break;
                case 3:
                    service.NetmaskWithoutPersistence = broken; // a warning
                    break;
                case 4:
                    service.SyntaxError = broken;
                    break;
                default:
                    if (!broken)
                    {
                        service.BadScheduler = false;
                        service.DuplicateOf = null;
                        service.MisspeltKey = false;
                        service.NetmaskWithoutPersistence = false;
                        service.SyntaxError = false;
                    }
                    else if (service.Servers.Count > 0)
                    {
                        service.Servers.Add(new ServerItem(service.Servers[0].Address, ServerForm.Flow)); // a duplicate server
                    }

                    break;
            }
        }

        private ServiceItem NewService(Random random)
        {
            var n = _nextService++;
            var ipv6 = random.Next(5) == 0;
            var key = ipv6
                ? $"tcp/[2001:db8::{n + 1:x}]:80"
                : $"{(random.Next(4) == 0 ? "udp" : "tcp")}/198.18.{n / 250}.{(n % 250) + 1}:80";
            var service = new ServiceItem(key, ipv6)
            {
                Compact = random.Next(6) == 0,
                LongForm = !ipv6 && random.Next(5) == 0,
                DashAlone = random.Next(8) == 0,
                Scheduler = random.Next(2) == 0 ? s_schedulers[random.Next(s_schedulers.Length)] : null,
                Persistent = random.Next(4) switch { 0 => "600", 1 => "true", _ => null },
                HashFlags = random.Next(6) == 0,
                LineComment = random.Next(6) == 0 ? "# service " + n.ToString(CultureInfo.InvariantCulture) : null,
                IndentlessServers = random.Next(4) == 0,
                FlowServers = random.Next(8) == 0,
            };
            if (!service.Compact)
            {
                var servers = random.Next(0, 5);
                for (var i = 0; i < servers; i++)
                {
                    service.Servers.Add(NewServer(random, ipv6));
                }
            }

            if (random.Next(5) == 0)
            {
                service.Trailing.Add(random.Next(2) == 0 ? string.Empty : "    # about the service above");
            }

            return service;
        }

        private ServerItem NewServer(Random random, bool ipv6)
        {
            var n = _nextServer++;
            var address = ipv6 ? $"2001:db8:1::{n + 1:x}" : $"198.19.{n / 250}.{(n % 250) + 1}";
            return new ServerItem(address, (ServerForm)random.Next(3)) { Weight = random.Next(3) == 0 ? random.Next(0, 10) : null };
        }
    }

    private enum ServerForm
    {
        Compact,
        Flow,
        Block,
    }

    private sealed class ServiceItem(string key, bool ipv6)
    {
        public string Key { get; } = key;

        public bool IPv6 { get; } = ipv6;

        public bool Compact { get; set; }

        public bool LongForm { get; set; }

        public bool DashAlone { get; set; }

        public string? Scheduler { get; set; }

        public string? Persistent { get; set; }

        public bool HashFlags { get; set; }

        public bool MultiLineFlags { get; set; }

        public string? LineComment { get; set; }

        public bool IndentlessServers { get; set; }

        public bool FlowServers { get; set; }

        public bool BadScheduler { get; set; }

        public string? DuplicateOf { get; set; }

        public bool MisspeltKey { get; set; }

        public bool NetmaskWithoutPersistence { get; set; }

        // YAML: a flow sequence left open; JSON: the comma after the item missing (or doubled after the last).
        public bool SyntaxError { get; set; }

        public List<ServerItem> Servers { get; } = [];

        public List<string> Trailing { get; } = [];

        public void Render(List<string> lines, string indent)
        {
            var key = DuplicateOf ?? Key;
            var comment = LineComment is null ? string.Empty : "   " + LineComment;
            if (Compact && Servers.Count == 0)
            {
                lines.Add($"{indent}- {key}{comment}");
                lines.AddRange(Trailing);
                return;
            }

            var inner = indent + "  ";
            var entries = Fields(json: false, inner + "    ").Select(f => f.Key + ": " + f.Value).ToList();

            if (Servers.Count > 0)
            {
                if (FlowServers && Servers.TrueForAll(s => s.Form == ServerForm.Compact))
                {
                    entries.Add("servers: [" + string.Join(", ", Servers.Select(s => s.Compact(IPv6))) + "]");
                }
                else
                {
                    var serverIndent = IndentlessServers ? inner : inner + "  ";
                    var serverLines = new List<string>();
                    foreach (var server in Servers)
                    {
                        server.Render(serverLines, serverIndent, IPv6);
                    }

                    entries.Add("servers:\n" + string.Join('\n', serverLines));
                }
            }

            if (DashAlone)
            {
                lines.Add(indent + "-" + comment);
                foreach (var entry in entries)
                {
                    lines.AddRange((inner + entry).Split('\n'));
                }
            }
            else
            {
                lines.AddRange((indent + "- " + entries[0] + comment).Split('\n'));
                foreach (var entry in entries.Skip(1))
                {
                    lines.AddRange((inner + entry).Split('\n'));
                }
            }

            lines.AddRange(Trailing);
        }

        // The item's lines in JSON, without the comma that may follow it.
        public List<string> RenderJson(string indent, string step, bool comments)
        {
            if (Compact && Servers.Count == 0)
            {
                return [indent + Quote(DuplicateOf ?? Key)];
            }

            if (DashAlone)
            {
                return [indent + RenderJsonInline()];
            }

            var inner = indent + step;
            var entries = JsonEntries(inline: false, inner, step);
            var lines = new List<string> { indent + "{" + (comments && LineComment is not null ? " // " + LineComment.TrimStart('#', ' ') : string.Empty) };
            for (var i = 0; i < entries.Count; i++)
            {
                lines.AddRange((inner + entries[i] + (i + 1 < entries.Count ? "," : string.Empty)).Split('\n'));
            }

            lines.Add(indent + "}");
            return lines;
        }

        // The service's keys and values but its servers, in either format; a multi-line flow
        // sequence continues on a line that starts with continuation (null: on the same line).
        private List<(string Key, string Value)> Fields(bool json, string? continuation)
        {
            string Text(string value) => json ? Quote(value) : value;
            var key = DuplicateOf ?? Key;
            var fields = new List<(string Key, string Value)>();
            if (LongForm && DuplicateOf is null)
            {
                var slash = key.IndexOf('/', StringComparison.Ordinal);
                var colon = key.LastIndexOf(':');
                fields.Add(("protocol", Text(key[..slash])));
                fields.Add(("address", Text(key[(slash + 1)..colon])));
                fields.Add(("port", key[(colon + 1)..]));
            }
            else
            {
                fields.Add(("service", Text(key)));
            }

            if ((BadScheduler ? "rrr" : HashFlags ? "sh" : Scheduler) is { } scheduler)
            {
                fields.Add(("scheduler", Text(scheduler)));
            }

            if (HashFlags || MultiLineFlags)
            {
                fields.Add(("flags", MultiLineFlags
                    ? "[" + Text("flag-1") + "," + (continuation is null ? " " : "\n" + continuation) + Text("flag-2") + "]"
                    : "[" + Text("sh-port") + "]"));
            }

            if (Persistent is not null)
            {
                fields.Add(("persistent", Persistent));
            }

            if (NetmaskWithoutPersistence && Persistent is null)
            {
                fields.Add(("netmask", "24"));
            }

            if (MisspeltKey)
            {
                fields.Add(("schedular", Text("rr")));
            }

            if (SyntaxError && !json)
            {
                fields.Add(("bad", "[unclosed")); // JSON's syntax error is between items
            }

            return fields;
        }

        public string RenderJsonInline() =>
            Compact && Servers.Count == 0 ? Quote(DuplicateOf ?? Key) : "{" + string.Join(", ", JsonEntries(inline: true, string.Empty, string.Empty)) + "}";

        private List<string> JsonEntries(bool inline, string inner, string step)
        {
            var entries = Fields(json: true, inline ? null : inner + step).Select(f => Quote(f.Key) + ": " + f.Value).ToList();

            if (Servers.Count > 0)
            {
                if (inline || FlowServers)
                {
                    entries.Add("\"servers\": [" + string.Join(", ", Servers.Select(s => s.RenderJsonInline(IPv6))) + "]");
                }
                else
                {
                    var serverLines = new List<string>();
                    for (var i = 0; i < Servers.Count; i++)
                    {
                        var separator = i + 1 < Servers.Count ? "," : string.Empty;
                        var server = Servers[i].RenderJson(inner + step, step, IPv6);
                        server[^1] += separator;
                        serverLines.AddRange(server);
                    }

                    entries.Add("\"servers\": [\n" + string.Join('\n', serverLines) + "\n" + inner + "]");
                }
            }

            return entries;
        }
    }

    private static string Quote(string text) => "\"" + text + "\"";

    private sealed class ServerItem(string address, ServerForm form)
    {
        public string Address { get; } = address;

        public ServerForm Form { get; set; } = form;

        public int? Weight { get; set; }

        public string Compact(bool ipv6) => ipv6 ? $"\"[{Address}]:8080\"" : Address + ":8080";

        public string RenderJsonInline(bool ipv6)
        {
            var endpoint = Quote(ipv6 ? $"[{Address}]:8080" : Address + ":8080");
            return Form == ServerForm.Compact && Weight is null ? endpoint : "{\"server\": " + endpoint + (Weight is { } w ? ", \"weight\": " + w.ToString(CultureInfo.InvariantCulture) : string.Empty) + "}";
        }

        public List<string> RenderJson(string indent, string step, bool ipv6)
        {
            if (Form != ServerForm.Block)
            {
                return [indent + RenderJsonInline(ipv6)];
            }

            var endpoint = Quote(ipv6 ? $"[{Address}]:8080" : Address + ":8080");
            return Weight is { } w
                ? [indent + "{", indent + step + "\"server\": " + endpoint + ",", indent + step + "\"weight\": " + w.ToString(CultureInfo.InvariantCulture), indent + "}"]
                : [indent + "{", indent + step + "\"server\": " + endpoint, indent + "}"];
        }

        public void Render(List<string> lines, string indent, bool ipv6)
        {
            var endpoint = Compact(ipv6);
            var weight = Weight is { } w ? w.ToString(CultureInfo.InvariantCulture) : null;
            switch (Form)
            {
                case ServerForm.Compact when weight is null:
                    lines.Add($"{indent}- {endpoint}");
                    break;
                case ServerForm.Flow or ServerForm.Compact:
                    lines.Add($"{indent}- {{server: {endpoint}" + (weight is null ? string.Empty : ", weight: " + weight) + "}");
                    break;
                default:
                    lines.Add($"{indent}- server: {endpoint}");
                    if (weight is not null)
                    {
                        lines.Add($"{indent}  weight: {weight}   # weight");
                    }

                    break;
            }
        }
    }
}
