namespace Gateway.Smime.Vault;

/// <summary>State of the vault for status pages and the CLI; <see cref="Sealers"/> as "kind:label" (never a secret).</summary>
public sealed record VaultStatus(bool IsInitialized, bool IsSealed, string? VaultId, int Threshold, int ShareCount, IReadOnlyList<string> Sealers);
