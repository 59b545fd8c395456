using System.Text.Json;
using System.Text.Json.Serialization;
using Ipvs.Model;

namespace Ipvs.Cli.Output;

/// <summary>Writes <see cref="StatsView"/> as the counters' table names them, in its order, so JSON and YAML need no copy of the counters.</summary>
internal sealed class StatsViewConverter : JsonConverter<StatsView>
{
    public override StatsView Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("stats: expected an object");
        }

        Span<ulong> values = stackalloc ulong[IpvsStatistics.Counters.Count];
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.GetString();
            reader.Read();
            var index = IndexOf(name);
            if (index >= 0)
            {
                values[index] = reader.GetUInt64();
            }
            else
            {
                reader.Skip();
            }
        }

        return new StatsView(IpvsStatistics.FromValues(values, is64Bit: true));
    }

    public override void Write(Utf8JsonWriter writer, StatsView value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        foreach (var counter in IpvsStatistics.Counters)
        {
            writer.WriteNumber(counter.Name, value.Statistics[counter.Counter]);
        }

        writer.WriteEndObject();
    }

    private static int IndexOf(string? name)
    {
        for (var i = 0; i < IpvsStatistics.Counters.Count; i++)
        {
            if (IpvsStatistics.Counters[i].Name == name)
            {
                return i;
            }
        }

        return -1;
    }
}
