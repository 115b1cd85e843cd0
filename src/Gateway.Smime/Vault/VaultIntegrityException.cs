namespace Gateway.Smime.Vault;

/// <summary>Authenticated data did not verify: wrong shares, key file or token key, or a seal record or entry changed on disk (swapped, edited, moved between identities). Fail closed.</summary>
public sealed class VaultIntegrityException : VaultException
{
    public VaultIntegrityException(string message)
        : base(message)
    {
    }

    public VaultIntegrityException()
    {
    }

    public VaultIntegrityException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
