using System.Text.Json.Serialization;

namespace Ipvs.Cli.Output;

/// <summary>The source-generated (AOT-safe) serializer of the output schema: snake_case, nulls written.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(ServiceView))]
[JsonSerializable(typeof(ServiceListView))]
[JsonSerializable(typeof(ServerListView))]
[JsonSerializable(typeof(ServiceCheckView))]
[JsonSerializable(typeof(ServiceStringView))]
[JsonSerializable(typeof(TimeoutsView))]
[JsonSerializable(typeof(DaemonListView))]
[JsonSerializable(typeof(ConnectionListView))]
[JsonSerializable(typeof(LocalAddressListView))]
[JsonSerializable(typeof(VersionView))]
[JsonSerializable(typeof(Doctor.DoctorView))]
internal sealed partial class CliJsonContext : JsonSerializerContext;
