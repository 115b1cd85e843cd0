namespace Gateway.Smime.Vault;

/// <summary>The vault refused an operation; the message says why and never holds key material. Base of the vault's own exceptions, so a caller can catch them apart from I/O failures.</summary>
public class VaultException : Exception
{
    public VaultException(string message)
        : base(message)
    {
    }

    public VaultException()
    {
    }

    public VaultException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
