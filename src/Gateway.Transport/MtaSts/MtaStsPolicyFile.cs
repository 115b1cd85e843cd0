using System.Text.Json.Serialization;

namespace Gateway.Transport.MtaSts;

/// <summary>
/// One cached policy on disk. The policy is kept as the text that was fetched and parsed again on load, so a
/// parser fix applies to cached policies too and the file holds nothing a policy author did not write.
/// </summary>
internal sealed record MtaStsPolicyFile(int Format, string Domain, string PolicyId, string PolicyText, DateTimeOffset FetchedAt, DateTimeOffset ExpiresAt)
{
    /// <summary>The version of this layout; a file of another version is ignored (and refetched).</summary>
    public const int CurrentFormat = 1;
}

[JsonSerializable(typeof(MtaStsPolicyFile))]
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
internal sealed partial class MtaStsJsonContext : JsonSerializerContext;
