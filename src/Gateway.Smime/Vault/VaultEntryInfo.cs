namespace Gateway.Smime.Vault;

/// <summary>What <c>keys list</c> shows about an entry: readable while sealed, as it holds no secret.</summary>
public sealed record VaultEntryInfo(
    VaultIdentity Identity,
    string Subject,
    string Sha256Thumbprint,
    DateTimeOffset NotBefore,
    DateTimeOffset NotAfter,
    string KeyAlgorithm,
    string Origin,
    DateTimeOffset Created);
