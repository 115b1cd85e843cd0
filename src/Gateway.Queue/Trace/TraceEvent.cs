using System.Text.Json.Serialization;

namespace Gateway.Queue;

/// <summary>
/// One line of the message trace ("what happened to that message"): event is one of received, attempt,
/// delivered, deferred, failed, expired, notice, deleted, held, released, retry, corrupt.
/// </summary>
/// <param name="Timestamp">When it happened (UTC); picks the day file.</param>
/// <param name="Event">The event name.</param>
/// <param name="QueueId">The message concerned.</param>
/// <param name="From">The reverse path; null for the null sender.</param>
/// <param name="To">The recipients concerned (one for an attempt's outcome, all for received).</param>
/// <param name="Remote">The client (received) or the next hop (attempts).</param>
/// <param name="Reply">The SMTP reply given or received.</param>
/// <param name="Detail">Anything else worth knowing (reason, size, origin).</param>
/// <param name="LocalReply">True when <paramref name="Reply"/> of a delivery outcome is the gateway's own reason (a refused
/// connection, a TLS policy not met) rather than what <paramref name="Remote"/> answered, as
/// <see cref="RecipientState.LocalReply"/>. Written only when true, so lines stay as short as before and lines written
/// before it existed read as false.</param>
/// <param name="MessageId">The client's Message-ID field, cleaned (printable ASCII, bounded), on the received and refused
/// events, so a message can be found by the id a mail program shows; null when it had none.</param>
public sealed record TraceEvent(
    [property: JsonPropertyName("ts")] DateTimeOffset Timestamp,
    string Event,
    string QueueId,
    string? From,
    IReadOnlyList<string> To,
    string? Remote,
    string? Reply,
    string? Detail,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] bool LocalReply = false,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? MessageId = null);
