namespace Gateway.Smime.Vault;

/// <summary>The operation needs the master key and the vault is sealed: the pipeline defers signing (never sends unsigned) and passes encrypted mail through with a marker.</summary>
public sealed class VaultSealedException : VaultException
{
    public VaultSealedException(string message)
        : base(message)
    {
    }

    public VaultSealedException()
    {
    }

    public VaultSealedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
