namespace Gateway.Abstractions;

/// <summary>Whether a recipient is one of ours (inbound) or elsewhere (outbound, trusted clients only).</summary>
public enum MailDirection
{
    Inbound,
    Outbound,
}

/// <summary>One accepted recipient of a transaction, with the direction decided at RCPT time.</summary>
public sealed record EnvelopeRecipient(Mailbox Address, RecipientParameters Parameters, MailDirection Direction);

/// <summary>
/// Everything the SMTP dialogue established for one message: the session facts at the end of DATA,
/// the reverse path (null for the null sender &lt;&gt;) with its parameters, and the accepted recipients.
/// </summary>
public sealed record Envelope
{
    /// <summary>Unique per transaction within a session; the spool assigns the queue id separately.</summary>
    public required string TransactionId { get; init; }

    public required SessionFacts Session { get; init; }

    /// <summary>Null is the null reverse path &lt;&gt; (bounces must flow: RFC 5321 4.5.5).</summary>
    public required Mailbox? From { get; init; }

    public required MailParameters MailParameters { get; init; }

    public required IReadOnlyList<EnvelopeRecipient> Recipients { get; init; }

    public required DateTimeOffset ReceivedAt { get; init; }

    /// <summary>True when the body arrived through BDAT (RFC 3030) rather than DATA.</summary>
    public bool ViaChunking { get; init; }

    /// <summary>The trust decision the message was accepted under; null where none was made (tests, generated mail).</summary>
    public ClientTrust? Trust { get; init; }
}
