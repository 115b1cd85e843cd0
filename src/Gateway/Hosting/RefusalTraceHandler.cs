using Gateway.Abstractions;
using Gateway.Queue;
using Microsoft.Extensions.Logging;

namespace Gateway.Host.Hosting;

/// <summary>
/// Puts the senders and recipients refused before any message existed into the message trace, so `gateway trace`
/// answers "what happened to mail from X to Y" also when the answer is "refused at RCPT" (an unknown user, relay
/// denied, a DNS list, a rate limit): a "refused" event under the session id (the transaction id at DATA), which
/// the session's log lines carry too. Refusals at the end of DATA are traced by the spool under their transaction
/// id. The trace is best effort: a write that fails is logged and never fails the command.
/// </summary>
internal sealed partial class RefusalTraceHandler(ISmtpSessionHandler inner, ITraceLog trace, TimeProvider time, ILogger logger) : ISmtpSessionHandler
{
    [LoggerMessage(EventId = 180, Level = LogLevel.Warning, Message = "Session {SessionId}: the refusal {Stage} could not be written to the trace")]
    private static partial void TraceFailed(ILogger logger, Exception exception, string sessionId, string stage);

    public ValueTask<Verdict> OnConnectAsync(SessionFacts session, CancellationToken cancellationToken) =>
        inner.OnConnectAsync(session, cancellationToken);

    public ValueTask<Verdict> OnHeloAsync(SessionFacts session, CancellationToken cancellationToken) =>
        inner.OnHeloAsync(session, cancellationToken);

    public async ValueTask<Verdict> OnMailFromAsync(SessionFacts session, Mailbox? from, MailParameters parameters, CancellationToken cancellationToken)
    {
        var verdict = await inner.OnMailFromAsync(session, from, parameters, cancellationToken).ConfigureAwait(false);
        await TraceAsync(session, session.SessionId, from, [], verdict, "at MAIL FROM").ConfigureAwait(false);
        return verdict;
    }

    public async ValueTask<RecipientDecision> OnRecipientAsync(
        SessionFacts session, Mailbox? from, Mailbox recipient, RecipientParameters parameters, CancellationToken cancellationToken)
    {
        var decision = await inner.OnRecipientAsync(session, from, recipient, parameters, cancellationToken).ConfigureAwait(false);
        await TraceAsync(session, session.SessionId, from, [recipient.ToString()], decision.Verdict, "at RCPT TO").ConfigureAwait(false);
        return decision;
    }

    public async ValueTask<(Verdict Verdict, IMessageWriter? Writer)> OnMessageStartAsync(Envelope envelope, CancellationToken cancellationToken)
    {
        var start = await inner.OnMessageStartAsync(envelope, cancellationToken).ConfigureAwait(false);
        await TraceAsync(envelope.Session, envelope.TransactionId, envelope.From, [.. envelope.Recipients.Select(r => r.Address.ToString())], start.Verdict, "at DATA").ConfigureAwait(false);
        return start;
    }

    private async ValueTask TraceAsync(SessionFacts session, string id, Mailbox? from, IReadOnlyList<string> to, Verdict verdict, string stage)
    {
        if (verdict.IsContinue || verdict.Reply is not { } reply)
        {
            return;
        }

        var detail = string.IsNullOrEmpty(session.HeloName) ? stage : $"{stage}, helo {session.HeloName}";
        try
        {
            await trace.WriteAsync(new TraceEvent(time.GetUtcNow(), "refused", id, from?.ToString(), to, session.ClientAddress.ToString(), reply.ToString(), detail), CancellationToken.None).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // The trace is for people: a failed write must not fail the SMTP command.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            TraceFailed(logger, ex, session.SessionId, stage);
        }
    }
}
