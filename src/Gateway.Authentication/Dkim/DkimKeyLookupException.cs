namespace Gateway.Authentication.Dkim;

/// <summary>
/// Thrown by <see cref="DnsDkimPublicKeyLocator"/> through MimeKit's <see cref="MimeKit.Cryptography.IDkimPublicKeyLocator"/>
/// contract, which can only answer with a key or an exception. Our own verifiers never let it escape.
/// </summary>
public sealed class DkimKeyLookupException : Exception
{
    public DkimKeyLookupException()
    {
    }

    public DkimKeyLookupException(string message)
        : base(message)
    {
    }

    public DkimKeyLookupException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public DkimKeyLookupException(DkimResult result, string reason)
        : base(reason)
    {
        Result = result;
    }

    /// <summary>TempError or PermError.</summary>
    public DkimResult Result { get; } = DkimResult.PermError;
}
