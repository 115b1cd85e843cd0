using System.Text.Json.Serialization;

namespace Gateway.Pipeline.Limits;

/// <summary>The greylist as stored in "&lt;state&gt;/greylist/greylist.json"; times are Unix milliseconds (UTC).</summary>
internal sealed record GreylistFile(
    [property: JsonPropertyName("format")] int Format,
    [property: JsonPropertyName("triplets")] IReadOnlyList<GreylistFileTriplet> Triplets,
    [property: JsonPropertyName("networks")] IReadOnlyList<GreylistFileNetwork> Networks)
{
    public const int CurrentFormat = 1;
}

/// <summary>A triplet seen once and not yet retried in time.</summary>
internal sealed record GreylistFileTriplet(
    [property: JsonPropertyName("network")] string Network,
    [property: JsonPropertyName("sender")] string Sender,
    [property: JsonPropertyName("recipient")] string Recipient,
    [property: JsonPropertyName("first_seen")] long FirstSeen,
    [property: JsonPropertyName("expires")] long Expires);

/// <summary>A client network that passed a retry and is let through until <see cref="Expires"/>.</summary>
internal sealed record GreylistFileNetwork(
    [property: JsonPropertyName("network")] string Network,
    [property: JsonPropertyName("expires")] long Expires);

[JsonSourceGenerationOptions(WriteIndented = false)]
[JsonSerializable(typeof(GreylistFile))]
internal sealed partial class GreylistJsonContext : JsonSerializerContext;
