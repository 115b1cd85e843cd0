using System.Text.Json.Serialization;

namespace Gateway.Queue;

/// <summary>Source-generated JSON for trace lines: snake_case, one compact object per line.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    WriteIndented = false,
    Converters = [typeof(StringOrListJsonConverter)])]
[JsonSerializable(typeof(TraceEvent))]
internal sealed partial class TraceJsonContext : JsonSerializerContext;
