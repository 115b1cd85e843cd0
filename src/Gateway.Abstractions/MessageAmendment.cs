namespace Gateway.Abstractions;

/// <summary>
/// What the message checks change about a message before it is queued: header fields put on top (complete
/// fields, each ending in CRLF, e.g. Authentication-Results or DKIM-Signature), whole header fields of the
/// client's header section left out, and whether the message is held (quarantined) instead of delivered.
/// </summary>
public sealed record MessageAmendment
{
    public static MessageAmendment None { get; } = new();

    /// <summary>Header fields to put before everything else, in order, each ending in CRLF.</summary>
    public ReadOnlyMemory<byte> PrependHeaders { get; init; }

    /// <summary>
    /// Header fields to leave out, as byte ranges of the content (<see cref="IInspectableMessageWriter.OpenContentAsync"/>),
    /// each covering whole fields inside the header section. Ranges must not overlap.
    /// </summary>
    public IReadOnlyList<ContentRange> RemoveHeaderFields { get; init; } = [];

    /// <summary>When set, the message is queued but held for an administrator (quarantine), with this reason.</summary>
    public string? HoldReason { get; init; }

    public bool IsEmpty => PrependHeaders.IsEmpty && RemoveHeaderFields.Count == 0 && HoldReason is null;
}
