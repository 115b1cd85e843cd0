using System.Text.Json.Serialization;

namespace Gateway.Authentication.Reports;

/// <summary>Source-generated JSON for the report store: no reflection, enums as their names.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    UseStringEnumConverter = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(DmarcReportRecord))]
internal sealed partial class DmarcReportJsonContext : JsonSerializerContext;
