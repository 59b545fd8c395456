using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Ipvs.Cli.Output;

namespace Ipvs.Cli.Import;

/// <summary>
/// An ordered JSON document built by the importer and written as JSON or, through the same
/// structure, as YAML (<see cref="YamlWriter"/>): the care file's YAML and JSON forms are one schema.
/// </summary>
internal abstract class DocumentNode
{
    public abstract void Write(Utf8JsonWriter writer);

    /// <summary>The node as compact JSON: equal text means equal structure (used to share checks).</summary>
    public string ToJson()
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            Write(writer);
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    public string ToIndentedJson()
    {
        using var stream = new MemoryStream();
        // Quotes, '+' and non-ASCII letters as they are (scripts' arguments stay readable); still valid JSON.
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            Write(writer);
        }

        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    public string ToYaml()
    {
        using var document = JsonDocument.Parse(ToJson());
        return YamlWriter.Write(document.RootElement);
    }
}

internal sealed class MapNode : DocumentNode
{
    public List<KeyValuePair<string, DocumentNode>> Entries { get; } = [];

    public DocumentNode? this[string key] => Entries.FirstOrDefault(e => e.Key == key).Value;

    public MapNode Add(string key, DocumentNode value)
    {
        Entries.RemoveAll(e => e.Key == key);
        Entries.Add(new(key, value));
        return this;
    }

    public MapNode Add(string key, string value) => Add(key, new ValueNode(value));

    public MapNode Add(string key, long value) => Add(key, new ValueNode(value));

    public MapNode Add(string key, bool value) => Add(key, new ValueNode(value));

    public override void Write(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        foreach (var (key, value) in Entries)
        {
            writer.WritePropertyName(key);
            value.Write(writer);
        }

        writer.WriteEndObject();
    }
}

internal sealed class ListNode : DocumentNode
{
    public ListNode()
    {
    }

    public ListNode(IEnumerable<DocumentNode> items) => Items.AddRange(items);

    public List<DocumentNode> Items { get; } = [];

    public static ListNode Strings(IEnumerable<string> values) => new(values.Select(v => new ValueNode(v)));

    public override void Write(Utf8JsonWriter writer)
    {
        writer.WriteStartArray();
        foreach (var item in Items)
        {
            item.Write(writer);
        }

        writer.WriteEndArray();
    }
}

internal sealed class ValueNode : DocumentNode
{
    public ValueNode(string value) => Value = value;

    public ValueNode(long value) => Value = value;

    public ValueNode(bool value) => Value = value;

    public object Value { get; }

    public override void Write(Utf8JsonWriter writer)
    {
        switch (Value)
        {
            case string text:
                writer.WriteStringValue(text);
                break;
            case long number:
                writer.WriteNumberValue(number);
                break;
            case bool flag:
                writer.WriteBooleanValue(flag);
                break;
        }
    }
}
