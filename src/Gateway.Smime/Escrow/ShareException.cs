namespace Gateway.Smime.Escrow;

/// <summary>
/// A share that cannot be read, or a set of shares that cannot be combined. The message says which share
/// (by position or index) and why, and never contains share material.
/// </summary>
public sealed class ShareException : Exception
{
    public ShareException(string message)
        : base(message)
    {
    }

    public ShareException()
    {
    }

    public ShareException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
