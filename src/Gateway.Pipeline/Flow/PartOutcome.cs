using Gateway.Abstractions;

namespace Gateway.Pipeline.Flow;

/// <summary>What the flow decided for one part: refused (with the reply and the step that refused), or queued with an amendment.</summary>
internal sealed record PartOutcome(SmtpReply? Refusal, string? RefusedBy, MessageAmendment Amendment)
{
    public static PartOutcome Accepted(MessageAmendment amendment) => new(null, null, amendment);

    public static PartOutcome Refused(SmtpReply reply, string step) => new(reply, step, MessageAmendment.None);
}
