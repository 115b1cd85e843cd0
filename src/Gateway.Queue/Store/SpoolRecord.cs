namespace Gateway.Queue;

/// <summary>
/// Where the message lies in a spool file: the stored bytes at [MessageOffset, MessageOffset + MessageLength),
/// of which the first <see cref="ReplacedLength"/> bytes (our trace field and the client's header section) are
/// delivered as <see cref="Replacement"/> instead, when the message checks amended the header.
/// </summary>
internal sealed record SpoolRecord(QueuedEnvelope Envelope, long MessageOffset, long MessageLength)
{
    public ReadOnlyMemory<byte> Replacement { get; init; }

    public long ReplacedLength { get; init; }

    /// <summary>The checks' verdict for the trace's received event (kept in memory only, not in the spool file).</summary>
    public string? Verdict { get; init; }

    /// <summary>The client's Message-ID for the trace's received event (kept in memory only, not in the spool file).</summary>
    public string? MessageId { get; init; }

    /// <summary>The size of the message as delivered.</summary>
    public long DeliveredLength => Replacement.Length + MessageLength - ReplacedLength;

    public SpoolMessageStream OpenStream(Microsoft.Win32.SafeHandles.SafeFileHandle file, bool ownsFile = true) =>
        new(file, Replacement, MessageOffset + ReplacedLength, MessageLength - ReplacedLength, ownsFile);

    /// <summary>The message of an image that starts at <paramref name="imageOffset"/> of a segment file.</summary>
    public SpoolMessageStream OpenStream(Microsoft.Win32.SafeHandles.SafeFileHandle file, long imageOffset) =>
        new(file, Replacement, imageOffset + MessageOffset + ReplacedLength, MessageLength - ReplacedLength, ownsFile: true);
}
