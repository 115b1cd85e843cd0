namespace Gateway.Authentication.Dkim;

/// <summary>What the gateway's DKIM signatures (and ARC message signatures) cover.</summary>
public sealed record DkimSigningOptions
{
    /// <summary>
    /// Header fields signed when present (RFC 6376 5.4.1 recommends the ones that carry meaning for the reader).
    /// Must include From. Never Received, Return-Path or trace fields: relays add those.
    /// </summary>
    public IReadOnlyList<string> SignedHeaders { get; init; } =
    [
        "From", "Sender", "Reply-To", "Subject", "Date", "Message-ID", "To", "Cc",
        "In-Reply-To", "References", "MIME-Version", "Content-Type", "Content-Transfer-Encoding",
        "Content-ID", "Content-Description", "Resent-Date", "Resent-From", "Resent-Sender", "Resent-To",
        "Resent-Cc", "Resent-Message-ID", "List-Id", "List-Help", "List-Unsubscribe", "List-Unsubscribe-Post",
        "List-Subscribe", "List-Post", "List-Owner", "List-Archive",
    ];

    /// <summary>
    /// Header fields listed once more than they occur (RFC 6376 8.15), so that one added later, or one added when
    /// there was none, breaks the signature. From always is, whatever this list says.
    /// </summary>
    public IReadOnlyList<string> OversignedHeaders { get; init; } = ["From", "Reply-To", "Subject", "Date", "To", "Cc"];

    /// <summary>Signature lifetime written as x= (RFC 6376 3.5); null writes none.</summary>
    public TimeSpan? Expiration { get; init; }

    public static DkimSigningOptions Default { get; } = new();
}
