namespace Gateway.Abstractions;

/// <summary>The answer to RCPT TO: accept with a direction, or refuse with a reply.</summary>
public readonly record struct RecipientDecision(Verdict Verdict, MailDirection Direction)
{
    public static RecipientDecision Accept(MailDirection direction) => new(Verdict.Continue, direction);

    public static RecipientDecision Refuse(Verdict verdict) => new(verdict, MailDirection.Inbound);
}
