using MimeKit;

namespace Gateway.Smime.Cms;

public enum SmimeDecryptStatus
{
    Decrypted,

    /// <summary>The part is not application/pkcs7-mime enveloped or authEnveloped data.</summary>
    NotEncrypted,

    /// <summary>No recipient in the envelope has a key in the key source (or the vault is sealed).</summary>
    NoKey,

    /// <summary>A key was found but the content did not decrypt or authenticate with it.</summary>
    WrongKey,

    /// <summary>Truncated or malformed CMS, or content that is not MIME.</summary>
    Invalid,

    UnsupportedAlgorithm,

    /// <summary>The CMS is larger than <see cref="SmimeLimits.MaxCmsBytes"/>.</summary>
    TooLarge,

    /// <summary>The decrypted MIME nests deeper than <see cref="SmimeLimits.MaxMimeDepth"/>.</summary>
    NestingTooDeep,
}

/// <summary>
/// The outcome of decryption. On success <see cref="Content"/> is the inner entity, <see cref="KeyName"/> the
/// key used (for the "decrypted by the gateway with" header) and <see cref="Authenticated"/> tells whether the
/// content was integrity-protected (AuthEnvelopedData) — CBC content is not, which is why decrypted content is
/// never spliced unmarked into an outer multipart (EFAIL). <see cref="ContentAlgorithm"/> is the content-encryption
/// algorithm's dotted OID (<see cref="ContentAlgorithmNames"/> names it). <see cref="Detail"/> is for logs, never for clients.
/// </summary>
public sealed record SmimeDecryptResult(
    SmimeDecryptStatus Status,
    MimeEntity? Content = null,
    string? KeyName = null,
    RecipientIdentity? Recipient = null,
    string? ContentAlgorithm = null,
    bool Authenticated = false,
    string? Detail = null);
