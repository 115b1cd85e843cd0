using Gateway.Abstractions;

namespace Gateway.Pipeline.Flow;

/// <summary>
/// What the flow decided for one part: refused (with the reply and the step that refused), or queued with an
/// amendment; with the steps' summaries for the transaction's log line (null: none said anything).
/// </summary>
internal sealed record PartOutcome(SmtpReply? Refusal, string? RefusedBy, MessageAmendment Amendment, string? Verdict = null)
{
    public static PartOutcome Accepted(MessageAmendment amendment, string? verdict = null) => new(null, null, amendment, verdict);

    public static PartOutcome Refused(SmtpReply reply, string step, string? verdict = null) => new(reply, step, MessageAmendment.None, verdict);
}
