using System.Buffers;
using System.Net;
using System.Text.Json;
using Ipvs.Model;

namespace Ipvs.Cli.Care;

/// <summary>
/// What a running daemon set up, written to /run/ipvs/care-net-INODE.json (one per network
/// namespace), so that <c>ipvs care --clean</c> without <c>--vs</c> knows what to remove.
/// </summary>
internal sealed record CareRecord(IReadOnlyList<VirtualServiceKey> Services, CareMode Mode, string Interface, IPAddress? Gateway)
{
    public const string Directory = "/run/ipvs";

    /// <summary>The record's path for the current network namespace.</summary>
    public static string PathForThisNamespace()
    {
        var inode = "default";
        try
        {
            // readlink /proc/self/ns/net → "net:[4026531840]"
            if (new FileInfo("/proc/self/ns/net").LinkTarget is { } target)
            {
                inode = new string(target.Where(char.IsAsciiDigit).ToArray());
            }
        }
        catch (IOException)
        {
        }

        return System.IO.Path.Combine(Directory, "care-net-" + inode + ".json");
    }

    public void Save(string path)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteStartArray("services");
            foreach (var service in Services)
            {
                json.WriteStringValue(service.ToString());
            }

            json.WriteEndArray();
            json.WriteString("mode", Mode switch { CareMode.Link => "link", CareMode.Route => "route", _ => string.Empty });
            json.WriteString("iface", Interface);
            if (Gateway is not null)
            {
                json.WriteString("gateway", Gateway.ToString());
            }

            json.WriteEndObject();
        }

        System.IO.Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        var temporary = path + ".tmp";
        File.WriteAllBytes(temporary, buffer.WrittenSpan.ToArray());
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>Reads a record; null when there is none or it cannot be read.</summary>
    public static CareRecord? Load(string path)
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(path));
            var root = document.RootElement;
            var services = new List<VirtualServiceKey>();
            foreach (var item in root.GetProperty("services").EnumerateArray())
            {
                if (VirtualServiceKey.TryParse(item.GetString(), out var key))
                {
                    services.Add(key);
                }
            }

            var mode = root.GetProperty("mode").GetString() switch
            {
                "link" => CareMode.Link,
                "route" => CareMode.Route,
                _ => CareMode.None,
            };
            var iface = root.GetProperty("iface").GetString() ?? "lvscare";
            IPAddress? gateway = root.TryGetProperty("gateway", out var g) && IPAddress.TryParse(g.GetString(), out var parsed) ? parsed : null;
            return new CareRecord(services, mode, iface, gateway);
        }
        catch (Exception e) when (e is IOException or JsonException or KeyNotFoundException or InvalidOperationException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
