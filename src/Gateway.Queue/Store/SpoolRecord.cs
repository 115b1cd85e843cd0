namespace Gateway.Queue;

/// <summary>Where the parts of one message file lie: the envelope and the message's byte range.</summary>
internal sealed record SpoolRecord(QueuedEnvelope Envelope, long MessageOffset, long MessageLength);
