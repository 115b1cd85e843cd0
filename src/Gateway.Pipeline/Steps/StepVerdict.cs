using Gateway.Abstractions;

namespace Gateway.Pipeline.Steps;

/// <summary>
/// What a step decided, as data: go on (possibly adding header fields on top and leaving out whole fields of the
/// client's header section, or replacing the content after the header fields), hold the message for an administrator, or refuse it with an SMTP reply (a 4xx is a
/// temporary failure, a 5xx a rejection). A refusal ends the pipeline; everything else accumulates.
/// </summary>
public sealed record StepVerdict
{
    public static StepVerdict Continue { get; } = new();

    /// <summary>Complete header fields, each ending in CRLF, to put on top of the message (above earlier steps' fields).</summary>
    public string? Fields { get; init; }

    /// <summary>Whole fields of the client's header section to leave out, as byte ranges of that section.</summary>
    public IReadOnlyList<ContentRange> Removals { get; init; } = [];

    /// <summary>
    /// Set: the content is replaced. What is delivered is the current header section without
    /// <see cref="Removals"/> (and without the empty line that ends it), then these bytes: the step's own header fields,
    /// the empty line and the new body. Later steps read the new content. Fields stay on top as for any verdict.
    /// </summary>
    public ReadOnlyMemory<byte>? ReplacementTail { get; init; }

    /// <summary>Set: the message is queued but kept in the quarantine (held, not delivered) with this note.</summary>
    public QuarantineNote? Quarantine { get; init; }

    /// <summary>Set: the message is refused with this reply (4xx or 5xx) and nothing of it is kept.</summary>
    public SmtpReply? Refusal { get; init; }

    /// <summary>Why, for the log (never shown to the client).</summary>
    public string? Reason { get; init; }

    /// <summary>
    /// A few words for the transaction's summary log line (e.g. "spam 7.2/5.0 tag"); null: this step has nothing
    /// to say there. Kept short: the step's own log line has the details.
    /// </summary>
    public string? Summary { get; init; }

    public StepAction Action => Refusal switch
    {
        { IsTransientFailure: true } => StepAction.TempFail,
        not null => StepAction.Reject,
        _ => Quarantine is not null ? StepAction.Hold : StepAction.Continue,
    };

    public static StepVerdict AddFields(string fields) => new() { Fields = fields };

    public static StepVerdict Refuse(SmtpReply reply, string reason)
    {
        ArgumentNullException.ThrowIfNull(reply);
        if (reply.IsPositive)
        {
            throw new ArgumentException("A refusal is a 4xx or 5xx reply.", nameof(reply));
        }

        return new() { Refusal = reply, Reason = reason };
    }
}
