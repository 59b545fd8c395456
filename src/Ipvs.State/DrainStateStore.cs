using System.Globalization;
using System.Text.Json;
using Ipvs.Model;

namespace Ipvs.State;

/// <summary>
/// Remembers when real servers started draining, across invocations: the kernel keeps no such
/// time. A small JSON file, written atomically (temporary file and rename), by default under
/// <c>/run/ipvs/</c> (a tmpfs: forgotten at reboot, when the table is gone too). A missing or
/// unreadable file means "nothing is draining yet": draining servers then restart their timeout.
/// </summary>
public sealed class DrainStateStore
{
    /// <summary>The directory of the default state files.</summary>
    public const string DefaultDirectory = "/run/ipvs";

    /// <summary>Creates a store that keeps its state in <paramref name="path"/>.</summary>
    public DrainStateStore(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Path = path;
    }

    /// <summary>The state file.</summary>
    public string Path { get; }

    /// <summary>
    /// The default state file for a network namespace: <c>/run/ipvs/drain-netns-NAME.json</c> for
    /// a named one, else <c>/run/ipvs/drain-net&lt;inode&gt;.json</c> for the caller's own (its
    /// identity, so that <c>ip netns exec</c> runs do not share one file).
    /// </summary>
    public static string DefaultPath(string? networkNamespaceName = null)
    {
        if (!string.IsNullOrEmpty(networkNamespaceName))
        {
            return System.IO.Path.Combine(DefaultDirectory, "drain-netns-" + networkNamespaceName + ".json");
        }

        string? identity = null;
        try
        {
            // "net:[4026531992]"
            var link = File.ResolveLinkTarget("/proc/self/ns/net", returnFinalTarget: false)?.Name ?? new FileInfo("/proc/self/ns/net").LinkTarget;
            if (link is not null && link.StartsWith("net:[", StringComparison.Ordinal) && link.EndsWith(']'))
            {
                identity = link[5..^1];
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        return System.IO.Path.Combine(DefaultDirectory, identity is null ? "drain.json" : "drain-net" + identity + ".json");
    }

    /// <summary>Reads the remembered drain start times; empty when the file does not exist.</summary>
    /// <exception cref="InvalidDataException">The file exists but is not a drain state file.</exception>
    public IReadOnlyDictionary<RealServerId, DateTimeOffset> Load()
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(Path);
        }
        catch (FileNotFoundException)
        {
            return new Dictionary<RealServerId, DateTimeOffset>();
        }
        catch (DirectoryNotFoundException)
        {
            return new Dictionary<RealServerId, DateTimeOffset>();
        }

        return Parse(bytes, Path);
    }

    /// <summary>Writes the drain start times (deleting the file when there are none).</summary>
    public void Save(IReadOnlyDictionary<RealServerId, DateTimeOffset> state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.Count == 0)
        {
            if (File.Exists(Path))
            {
                File.Delete(Path);
            }

            return;
        }

        var directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Path));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        var temporary = Path + ".tmp" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        using (var stream = File.Create(temporary))
        {
            stream.Write(Serialize(state));
        }

        File.Move(temporary, Path, overwrite: true);
    }

    internal static byte[] Serialize(IReadOnlyDictionary<RealServerId, DateTimeOffset> state)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteNumber("version", 1);
            json.WriteStartArray("draining");
            foreach (var (id, since) in state.OrderBy(p => p.Key.ToString(), StringComparer.Ordinal))
            {
                json.WriteStartObject();
                json.WriteString("service", id.Service.ToString());
                json.WriteString("server", AddressPort.Format(id.Address, id.Port));
                json.WriteString("since", since.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture));
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        buffer.WriteByte((byte)'\n');
        return buffer.ToArray();
    }

    internal static Dictionary<RealServerId, DateTimeOffset> Parse(byte[] bytes, string path)
    {
        var state = new Dictionary<RealServerId, DateTimeOffset>();
        try
        {
            using var document = JsonDocument.Parse(bytes);
            foreach (var item in document.RootElement.GetProperty("draining").EnumerateArray())
            {
                var service = VirtualServiceKey.Parse(item.GetProperty("service").GetString() ?? string.Empty);
                if (!AddressPort.TryParse(item.GetProperty("server").GetString() ?? string.Empty, out var address, out var port, out var error))
                {
                    throw new FormatException(error);
                }

                var since = DateTimeOffset.Parse(item.GetProperty("since").GetString() ?? string.Empty, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
                state[new RealServerId(service, address, port)] = since;
            }
        }
        catch (Exception e) when (e is JsonException or FormatException or KeyNotFoundException or InvalidOperationException)
        {
            throw new InvalidDataException($"{path} is not a drain state file: {e.Message}", e);
        }

        return state;
    }
}
