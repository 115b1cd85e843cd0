namespace Gateway.Smime.Cms;

public enum SmimeSignStatus
{
    Success,

    /// <summary>No key for the sender or domain, or the vault is sealed: the message must wait, not go unsigned.</summary>
    NoKey,
}

/// <summary>
/// The outcome of signing. <see cref="SignedContent"/> holds the exact bytes the signature covers (for a detached
/// signature, the first part of the multipart/signed as it appears on the wire when the message is written
/// with CRLF line endings).
/// </summary>
public sealed record SmimeSignResult(SmimeSignStatus Status, string? KeyName, byte[]? SignedContent)
{
    public static SmimeSignResult NoKey { get; } = new(SmimeSignStatus.NoKey, null, null);
}
