namespace Gateway.Smime.Vault;

/// <summary>The key types the vault generates; the S/MIME profile of issue 12 (RSA-2048/3072, EC P-256).</summary>
public enum VaultKeyAlgorithm
{
    Rsa2048,
    Rsa3072,
    EcP256,
}
