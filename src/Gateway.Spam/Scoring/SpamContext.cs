namespace Gateway.Spam.Scoring;

/// <summary>What the gateway knew about the message before its content was read: the sender-authentication results
/// (the pipeline runs them first), the envelope's recipient count, the reasons of the checks that ran before the
/// scorer (attachment policy, rspamd), and points from outside the content (DNS block and allow lists, client
/// checks), each already named and weighed.</summary>
public sealed record SpamContext(
    AuthenticationOutcome Spf = AuthenticationOutcome.None,
    AuthenticationOutcome Dkim = AuthenticationOutcome.None,
    AuthenticationOutcome Dmarc = AuthenticationOutcome.None,
    int EnvelopeRecipients = 1)
{
    public static SpamContext None { get; } = new();

    /// <summary>Points other checks gave the message, added to the verdict as they are ("ATTACH_BLOCKED", "RSPAMD=6.5").</summary>
    public IReadOnlyList<SpamReason> Inputs { get; init; } = [];

    /// <summary>Reasons the verdict adds as they are: listings and client findings.</summary>
    public IReadOnlyList<SpamReason> Reputation { get; init; } = [];
}
