namespace Gateway.Queue.Notices;

/// <summary>
/// A generated notice ready for the spool: its envelope (origin "notice", null sender, queue id still empty)
/// and the complete RFC 5322 message (CRLF line ends).
/// </summary>
public sealed record NoticeMessage(QueuedEnvelope Envelope, ReadOnlyMemory<byte> Content);
