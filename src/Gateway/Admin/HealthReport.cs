using System.Text.Json.Serialization;

namespace Gateway.Host.Admin;

internal sealed record HealthReport(string Status, int Sessions, DateTimeOffset PolicyLoadedAt, IReadOnlyList<string> PolicyFiles);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(HealthReport))]
internal sealed partial class AdminJsonContext : JsonSerializerContext;
