using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Ipvs.Cli.Output;

/// <summary>Prints a read command's result in the chosen format.</summary>
internal static class OutputWriter
{
    /// <summary>JSON or YAML from the view; the table from <paramref name="table"/>.</summary>
    public static void Write<T>(TextWriter output, OutputFormat format, T view, JsonTypeInfo<T> typeInfo, Action<TextWriter> table)
    {
        switch (format)
        {
            case OutputFormat.Json:
                output.WriteLine(Json(view, typeInfo));
                break;
            case OutputFormat.Yaml:
                output.Write(Yaml(view, typeInfo));
                break;
            default:
                table(output);
                break;
        }
    }

    public static string Json<T>(T view, JsonTypeInfo<T> typeInfo) => JsonSerializer.Serialize(view, typeInfo);

    public static string Yaml<T>(T view, JsonTypeInfo<T> typeInfo)
    {
        using var document = JsonSerializer.SerializeToDocument(view, typeInfo);
        return YamlWriter.Write(document.RootElement);
    }
}
