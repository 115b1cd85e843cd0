using System.Globalization;
using Gateway.Abstractions;
using Gateway.Smtp.Protocol;

namespace Gateway.Smtp.Server.Sessions;

internal sealed partial class SmtpSession
{
    /// <summary>MAIL FROM (RFC 5321 4.1.1.2), after the state table allowed it.</summary>
    private async ValueTask<bool> MailAsync(MailCommand mail)
    {
        if (_options.RequireTls && _facts.Tls is null)
        {
            // RFC 3207 4: a server requiring TLS answers 530 until STARTTLS.
            return Reply(ServerReplies.TlsRequired);
        }

        if (_options.RequireAuth && !_facts.IsAuthenticated)
        {
            // RFC 4954 6: a server whose policy requires authentication answers 530 5.7.0 until AUTH succeeds. AUTH is
            // offered only inside TLS, so before STARTTLS the first thing to ask for is TLS (RFC 3207 4).
            return Reply(_facts.Tls is null ? ServerReplies.TlsRequired : ServerReplies.AuthRequired);
        }

        if (mail.Parameters.Size is { } declared && declared > _options.MaxMessageSize)
        {
            // RFC 1870 6.1: the declared size exceeds the fixed limit.
            return Reply(ServerReplies.MessageTooBig);
        }

        // RFC 4954 5: an unauthenticated client's AUTH=<mailbox> MUST be treated as AUTH=<>; kept as sent, it would
        // let any client name the submitter of record that the next hop may trust.
        var parameters = mail.Parameters.AuthMailbox is not null && !_facts.IsAuthenticated
            ? mail.Parameters with { AuthMailbox = "<>" }
            : mail.Parameters;
        var (ok, verdict) = await CallHandlerAsync(ct => _handler.OnMailFromAsync(_facts, mail.From, parameters, ct), "mail");
        if (!ok)
        {
            return Reply(ServerReplies.LocalError);
        }

        if (!verdict.IsContinue)
        {
            return Refuse(verdict);
        }

        _transactions++;
        var id = _facts.SessionId + "." + _transactions.ToString(CultureInfo.InvariantCulture);
        _transaction = new Transaction(id, mail.From, parameters);
        _state = SmtpState.MailGiven;
        return Reply(ServerReplies.MailOk);
    }

    /// <summary>RCPT TO (RFC 5321 4.1.1.3). The relay decision is the handler's; refusals keep the transaction.</summary>
    private async ValueTask<bool> RcptAsync(RcptCommand rcpt)
    {
        var transaction = _transaction!;
        if (transaction.Recipients.Exists(r => r.Address == rcpt.To && r.Parameters == rcpt.Parameters))
        {
            // Postfix's cleanup keeps a repeated recipient once: relayed twice, a next hop that does not would deliver
            // twice and send two DSNs. The first acceptance stands, so there is nothing to ask the checks again.
            return Reply(ServerReplies.RecipientOk);
        }

        if (transaction.Recipients.Count >= _options.MaxRecipients)
        {
            // RFC 5321 4.5.3.1.10: 452 too many recipients; the client sends the rest in another transaction.
            return Reply(ServerReplies.TooManyRecipients);
        }

        transaction.RecipientAttempts++;
        var (ok, decision) = await CallHandlerAsync(
            ct => _handler.OnRecipientAsync(_facts, transaction.From, rcpt.To, rcpt.Parameters, ct), "rcpt");
        if (!ok)
        {
            return Reply(ServerReplies.LocalError);
        }

        if (!decision.Verdict.IsContinue)
        {
            // A refused recipient counts toward the error limit: harvesting addresses one RCPT at a time ends in 421.
            return decision.Verdict.Action == VerdictAction.Disconnect ? Refuse(decision.Verdict) : CountError(ReplyFor(decision.Verdict));
        }

        transaction.Recipients.Add(new EnvelopeRecipient(rcpt.To, rcpt.Parameters, decision.Direction));
        _state = SmtpState.RecipientGiven;
        return Reply(ServerReplies.RecipientOk);
    }

    private Envelope BuildEnvelope(Transaction transaction, bool viaChunking) => new()
    {
        TransactionId = transaction.Id,
        Session = _facts,
        From = transaction.From,
        MailParameters = transaction.Parameters,
        Recipients = [.. transaction.Recipients],
        ReceivedAt = _time.GetUtcNow(),
        ViaChunking = viaChunking,
    };
}
