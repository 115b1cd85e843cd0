using System.Text.Json.Serialization;

namespace Gateway.Host.Control;

/// <summary>
/// POST /vault/unseal: officer shares, or the path of an unseal-key file, or a PKCS#11 token; an empty body
/// means "the way the gateway is configured to unseal itself" (<see cref="VaultHostOptions"/>).
/// </summary>
internal sealed record UnsealRequest(IReadOnlyList<string>? Shares, string? KeyFile, TokenRequest? Pkcs11)
{
    // Shares and PINs are secrets: a request never prints them.
    public override string ToString() => $"unseal request ({Shares?.Count ?? 0} shares, key file {KeyFile ?? "none"}, token {Pkcs11?.Token ?? "none"})";
}

/// <summary>The token part of <see cref="UnsealRequest"/>.</summary>
internal sealed record TokenRequest(string Module, string Token, string Key, string Pin)
{
    public override string ToString() => $"token '{Token}' key '{Key}'";
}

/// <summary>What the control endpoints answer: the vault's state, or why a request was refused.</summary>
internal sealed record VaultStatusReply(
    bool Initialized,
    bool Sealed,
    string? VaultId,
    int Threshold,
    int ShareCount,
    IReadOnlyList<string> Sealers,
    int Keys);

internal sealed record ControlError(string Error);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(UnsealRequest))]
[JsonSerializable(typeof(VaultStatusReply))]
[JsonSerializable(typeof(ControlError))]
internal sealed partial class ControlJsonContext : JsonSerializerContext;
