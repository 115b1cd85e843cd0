namespace Gateway.Abstractions;

/// <summary>
/// The stage checks of one SMTP session (maddy's connection/sender/recipient/body stages). Created once per
/// connection so the policy it holds is a single consistent snapshot for the connection's life.
/// Implementations return verdicts and never throw for ordinary outcomes; an exception is treated as a
/// local error (451 4.3.0), never as acceptance.
/// </summary>
public interface ISmtpSessionHandler
{
    /// <summary>After the connection is accepted and any PROXY header read, before the greeting.</summary>
    ValueTask<Verdict> OnConnectAsync(SessionFacts session, CancellationToken cancellationToken);

    ValueTask<Verdict> OnHeloAsync(SessionFacts session, CancellationToken cancellationToken);

    ValueTask<Verdict> OnMailFromAsync(SessionFacts session, Mailbox? from, MailParameters parameters, CancellationToken cancellationToken);

    /// <summary>The relay decision lives behind this call: a recipient outside our domains needs a trusted client.</summary>
    ValueTask<RecipientDecision> OnRecipientAsync(SessionFacts session, Mailbox? from, Mailbox recipient, RecipientParameters parameters, CancellationToken cancellationToken);

    /// <summary>
    /// Called at DATA/first BDAT with the envelope so far. A Continue verdict means the body will be read and
    /// streamed to the writer; anything else is the reply to DATA (or to the last BDAT, after its data is discarded).
    /// </summary>
    ValueTask<(Verdict Verdict, IMessageWriter? Writer)> OnMessageStartAsync(Envelope envelope, CancellationToken cancellationToken);
}
