namespace Gateway.Spam.Scoring;

/// <summary>What the gateway knew about the message before its content was read: the sender-authentication results
/// (the pipeline runs them first) and the envelope's recipient count.</summary>
public sealed record SpamContext(
    AuthenticationOutcome Spf = AuthenticationOutcome.None,
    AuthenticationOutcome Dkim = AuthenticationOutcome.None,
    AuthenticationOutcome Dmarc = AuthenticationOutcome.None,
    int EnvelopeRecipients = 1)
{
    public static SpamContext None { get; } = new();
}
