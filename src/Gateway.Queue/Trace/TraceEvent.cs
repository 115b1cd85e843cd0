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
public sealed record TraceEvent(
    [property: JsonPropertyName("ts")] DateTimeOffset Timestamp,
    string Event,
    string QueueId,
    string? From,
    IReadOnlyList<string> To,
    string? Remote,
    string? Reply,
    string? Detail);
