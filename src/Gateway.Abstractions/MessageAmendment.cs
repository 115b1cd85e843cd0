namespace Gateway.Abstractions;

/// <summary>
/// What the message pipeline changes about a message before it is queued: the first <see cref="ReplacedLength"/>
/// bytes of the client's content are delivered as <see cref="Prefix"/> instead (our trace and result fields on top,
/// then, when fields are left out, the client's header section without them), and whether the message is held
/// (quarantined) instead of delivered. Everything after the replaced bytes goes out exactly as received.
/// </summary>
public sealed record MessageAmendment
{
    public static MessageAmendment None { get; } = new();

    /// <summary>Delivered in place of the first <see cref="ReplacedLength"/> bytes of the content.</summary>
    public ReadOnlyMemory<byte> Prefix { get; init; }

    /// <summary>How many bytes from the start of the content <see cref="Prefix"/> stands for (0: it is only put on top).</summary>
    public long ReplacedLength { get; init; }

    /// <summary>When set, the message is queued but held in the quarantine for an administrator, with this note.</summary>
    public QuarantineNote? Quarantine { get; init; }

    /// <summary>
    /// The message carries <c>TLS-Required: No</c> (RFC 8689 4) and no REQUIRETLS option: delivery may ignore
    /// recipient-side TLS policy (MTA-STS, DANE). Stored with the message, since it is known only after the body.
    /// </summary>
    public bool TlsRequiredNo { get; init; }

    /// <summary>
    /// The checks' verdict in a few words (e.g. "spam 6.2/5.0 tag"), for the trace's received event, so that "what
    /// happened to it" shows a message tagged as spam as such; null: nothing to say. Not part of the message.
    /// </summary>
    public string? Verdict { get; init; }

    /// <summary>The client's Message-ID, cleaned (<see cref="IMessageWriter.MessageId"/>), for the trace's received event. Not part of the message.</summary>
    public string? MessageId { get; init; }

    public bool IsEmpty => Prefix.IsEmpty && ReplacedLength == 0 && Quarantine is null && !TlsRequiredNo;
}
