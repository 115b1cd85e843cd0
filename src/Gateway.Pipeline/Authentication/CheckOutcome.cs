using Gateway.Abstractions;

namespace Gateway.Pipeline.Authentication;

/// <summary>What the message checks decided: refuse with a reply, or queue with an amendment.</summary>
public sealed record CheckOutcome(SmtpReply? Refusal, MessageAmendment Amendment)
{
    public static CheckOutcome Accept(MessageAmendment amendment) => new(null, amendment);

    public static CheckOutcome Refuse(SmtpReply reply) => new(reply, MessageAmendment.None);
}
