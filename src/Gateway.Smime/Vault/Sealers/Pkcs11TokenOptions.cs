namespace Gateway.Smime.Vault.Sealers;

/// <summary>
/// Where the sealing key lives: a PKCS#11 module (e.g. /usr/lib/softhsm/libsofthsm2.so), the token's
/// label, the AES key's label and the user PIN. The module path comes from configuration at every use,
/// never from the seal record, so a tampered record cannot make the gateway load another library.
/// </summary>
public sealed class Pkcs11TokenOptions
{
    public required string ModulePath { get; init; }

    public required string TokenLabel { get; init; }

    public required string KeyLabel { get; init; }

    /// <summary>The user PIN; a string because configuration delivers one. Never in ToString.</summary>
    public required string Pin { get; init; }

    /// <summary>When sealing, create the AES key on the token (non-extractable, sensitive) if it has none with <see cref="KeyLabel"/>.</summary>
    public bool CreateKeyIfMissing { get; init; } = true;

    internal string SealLabel => $"{TokenLabel}/{KeyLabel}";

    public override string ToString() => $"PKCS#11 {ModulePath} token '{TokenLabel}' key '{KeyLabel}'";
}
