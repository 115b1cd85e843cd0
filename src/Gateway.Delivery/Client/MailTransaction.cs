using System.Globalization;
using Gateway.Abstractions;
using Gateway.Delivery.Routing;
using Gateway.Queue;
using Gateway.Queue.Scheduling;
using Gateway.Smtp.Protocol;
using Microsoft.Extensions.Logging;

namespace Gateway.Delivery.Client;

/// <summary>
/// One mail transaction on a ready connection: MAIL, one RCPT per recipient, then the message by DATA or BDAT,
/// pipelined when the server allows (RFC 2920: MAIL, the RCPTs and DATA or the first BDAT in one group, replies
/// matched in order). Every recipient gets its own outcome from its RCPT reply or from the reply to the data.
/// The envelope goes out as the client gave it: addresses as spooled, DSN parameters passed on where the server
/// takes them (RFC 3461 5.2), SMTPUTF8 only where an address or the client asked for it (RFC 6531 3.4).
/// </summary>
internal sealed class MailTransaction
{
    private readonly SmtpConnection _connection;
    private readonly NextHop _hop;
    private readonly DeliveryJob _job;
    private readonly IReadOnlyList<QueuedRecipient> _recipients;
    private readonly SpooledMessage _message;
    private readonly MessageFacts _facts;
    private readonly int _chunkSize;
    private readonly ILogger _logger;
    private readonly Dictionary<QueuedRecipient, RecipientOutcome> _outcomes = new(ReferenceEqualityComparer.Instance);
    private bool _senderAnswered;

    public MailTransaction(
        SmtpConnection connection, DeliveryJob job, IReadOnlyList<QueuedRecipient> recipients, SpooledMessage message, int chunkSize, ILogger logger)
    {
        _connection = connection;
        _hop = connection.Hop;
        _job = job;
        _recipients = recipients;
        _message = message;
        _facts = message.Facts;
        _chunkSize = chunkSize;
        _logger = logger;
    }

    /// <summary>
    /// Runs the transaction. Null means a reused connection turned out dead before MAIL was answered: nothing
    /// happened and the caller tries again on a fresh one. Exceptions other than cancellation come from the
    /// spool (the message could not be read) and leave the connection unusable.
    /// </summary>
    public async ValueTask<TransactionResult?> RunAsync(bool reused, CancellationToken ct)
    {
        var envelope = _job.Envelope;
        if (!ClientCommands.TryFormatPath(envelope.From, out var senderPath))
        {
            return Finish(OutcomeKind.PermanentFailure, 553, "5.1.7", "bad sender address syntax", reusable: true);
        }

        var recipients = new List<(QueuedRecipient Recipient, string Path)>(_recipients.Count);
        foreach (var recipient in _recipients)
        {
            if (ClientCommands.TryFormatPath(recipient.Address, out var path))
            {
                recipients.Add((recipient, path));
            }
            else
            {
                _outcomes[recipient] = Local(recipient, OutcomeKind.PermanentFailure, 553, "5.1.3", "bad recipient address syntax");
            }
        }

        if (recipients.Count == 0)
        {
            return Finish(reusable: true);
        }

        var capabilities = _connection.Capabilities;

        // RFC 6531 3.4: needed for a non-ASCII address or when the client used it. Addresses go out as spooled:
        // an A-label domain stays ASCII, so it never makes SMTPUTF8 necessary on its own.
        var smtpUtf8 = envelope.SmtpUtf8 || IsNonAscii(envelope.From) || recipients.Any(r => IsNonAscii(r.Recipient.Address));
        if (smtpUtf8 && !capabilities.SmtpUtf8)
        {
            // Without SMTPUTF8 at the next hop the message cannot be relayed as it is.
            return Finish(OutcomeKind.PermanentFailure, 553, "5.6.7", $"SMTPUTF8 is required, but was not offered by host {_hop.Host}", reusable: true);
        }

        if (_facts.HasEightBit && !capabilities.EightBitMime)
        {
            // RFC 6152 3: 8-bit data may not go to a server without 8BITMIME, and converting it would break
            // signatures; the sender gets a notice instead (RFC 3463 X.6.3 conversion not possible).
            return Finish(OutcomeKind.PermanentFailure, 554, "5.6.3", $"message has 8-bit content, but {_hop.Host} does not support 8BITMIME; conversion not possible", reusable: true);
        }

        if (capabilities.MaxSize > 0 && _facts.PayloadLength > capabilities.MaxSize)
        {
            // RFC 1870 6: the server announced it would refuse this; do not send it to find out (Postfix's wording).
            var text = string.Create(CultureInfo.InvariantCulture, $"message size {_facts.PayloadLength} exceeds size limit {capabilities.MaxSize} of server {_hop.Host}");
            return Finish(OutcomeKind.PermanentFailure, 552, "5.3.4", text, reusable: true);
        }

        var mail = ClientCommands.Mail(senderPath, new MailParameters
        {
            Size = capabilities.Size ? _facts.PayloadLength : null,
            Body = !capabilities.EightBitMime ? BodyType.Unspecified
                : _facts.HasEightBit ? BodyType.EightBitMime
                : envelope.Body,
            SmtpUtf8 = smtpUtf8,

            // RFC 8689 5: passed on to a server that offers it (the agent sends REQUIRETLS mail to no other, except
            // the final internal route, which need not understand it).
            RequireTls = envelope.RequireTls && capabilities.RequireTls,
            Return = capabilities.Dsn ? envelope.Return : DsnReturn.Unspecified,
            EnvelopeId = capabilities.Dsn ? envelope.EnvelopeId : null,
        });
        var rcpts = recipients
            .Select(r => ClientCommands.Rcpt(r.Path, capabilities.Dsn ? DsnParameters(r.Recipient) : RecipientParameters.None, smtpUtf8))
            .ToList();

        var message = await _message.OpenAsync(ct).ConfigureAwait(false);
        await using (message.ConfigureAwait(false))
        {
            try
            {
                return await DialogueAsync(mail, rcpts, recipients.Select(r => r.Recipient).ToList(), message, reused, ct).ConfigureAwait(false);
            }
            catch (SmtpTransportException ex) when (!ct.IsCancellationRequested)
            {
                if (reused && !_senderAnswered)
                {
                    return null;
                }

                DeliveryLog.TransactionFailed(_logger, _job.QueueId, _hop, ex.Message);
                return Finish(OutcomeKind.TransientFailure, 451, "4.4.2", $"lost connection with {_hop.Host}: {ex.Message}", reusable: false);
            }
        }
    }

    private async ValueTask<TransactionResult?> DialogueAsync(
        string mail, List<string> rcpts, List<QueuedRecipient> recipients, Stream message, bool reused, CancellationToken ct)
    {
        var capabilities = _connection.Capabilities;
        var pipelined = capabilities.Pipelining;
        ChunkedBody? chunks = capabilities.Chunking ? new ChunkedBody(message, _facts, _chunkSize) : null;
        var dataCommand = chunks is null ? "DATA" : "BDAT";
        SmtpReply? dataReply = null;

        // The sender.
        SmtpReply mailReply;
        if (pipelined)
        {
            _connection.Enqueue(mail);
            foreach (var rcpt in rcpts)
            {
                _connection.Enqueue(rcpt);
            }

            if (chunks is not null)
            {
                await chunks.SendNextAsync(_connection, ct).ConfigureAwait(false);
            }
            else
            {
                _connection.Enqueue(ClientCommands.Data);
            }

            await _connection.FlushAsync("MAIL FROM", ct).ConfigureAwait(false);
            mailReply = await _connection.ReadReplyAsync("MAIL FROM", ct).ConfigureAwait(false);
        }
        else
        {
            mailReply = await _connection.CommandAsync(mail, "MAIL FROM", ct).ConfigureAwait(false);
        }

        if (reused && mailReply.Code == 421)
        {
            // A pooled connection the server has since given up on (RFC 5321 3.8): nothing happened yet.
            return null;
        }

        _senderAnswered = true;

        // The recipients. After a refused MAIL the RCPT replies of a pipelined group are only "bad sequence"
        // echoes; they are read to stay in step but do not count.
        var accepted = new List<QueuedRecipient>(recipients.Count);
        var mailAccepted = mailReply.Code / 100 == 2;
        SmtpReply? closedBy = mailReply.Code == 421 ? mailReply : null;
        for (var i = 0; i < recipients.Count; i++)
        {
            SmtpReply reply;
            if (pipelined)
            {
                reply = closedBy ?? await _connection.ReadReplyAsync("RCPT TO", ct).ConfigureAwait(false);
            }
            else if (!mailAccepted)
            {
                continue;
            }
            else
            {
                // RFC 5321 3.8: after a 421 the server is gone; its reply answers for the recipients not yet sent.
                reply = closedBy ?? await _connection.CommandAsync(rcpts[i], "RCPT TO", ct).ConfigureAwait(false);
            }

            closedBy ??= reply.Code == 421 ? reply : null;

            if (!mailAccepted)
            {
                continue;
            }

            if (reply.Code / 100 == 2)
            {
                accepted.Add(recipients[i]);
            }
            else
            {
                _outcomes[recipients[i]] = FromReply(recipients[i], reply);
            }
        }

        if (pipelined && closedBy is null)
        {
            dataReply = await _connection.ReadReplyAsync(dataCommand, ct).ConfigureAwait(false);
            if (dataReply.Code == 354 && (!mailAccepted || accepted.Count == 0))
            {
                // RFC 2920 3.1: DATA was taken although nobody can receive the message; end it empty.
                _connection.Enqueue(".");
                await _connection.FlushAsync("the end of data", ct).ConfigureAwait(false);
                await _connection.ReadReplyAsync("the end of data", ct).ConfigureAwait(false);
            }
        }

        if (!mailAccepted)
        {
            foreach (var recipient in recipients)
            {
                // RFC 4954 6: 530 asks for authentication, which the gateway does not do: a configuration matter
                // for the operator, so the mail waits instead of bouncing.
                _outcomes[recipient] = mailReply.Code == 530
                    ? Local(recipient, OutcomeKind.TransientFailure, 451, "4.7.0", $"{_hop.Host} requires authentication: {ReplyText.Diagnostic(mailReply)}")
                    : NotFinal(recipient, mailReply, "MAIL FROM");
            }

            return await ResetAsync(ct).ConfigureAwait(false);
        }

        if (accepted.Count == 0)
        {
            // Every RCPT was refused: their replies are the outcomes; nothing was sent.
            return await ResetAsync(ct).ConfigureAwait(false);
        }

        if (closedBy is not null)
        {
            return await FailAcceptedAsync(accepted, closedBy, "RCPT TO", ct).ConfigureAwait(false);
        }

        // The message.
        SmtpReply final;
        if (chunks is null)
        {
            dataReply ??= await _connection.CommandAsync(ClientCommands.Data, "DATA", ct).ConfigureAwait(false);
            if (dataReply.Code != 354)
            {
                return await FailAcceptedAsync(accepted, dataReply, "DATA", ct).ConfigureAwait(false);
            }

            await DataBody.SendAsync(_connection, message, ct).ConfigureAwait(false);
            final = await _connection.ReadReplyAsync("the end of data", ct).ConfigureAwait(false);
        }
        else
        {
            if (dataReply is null)
            {
                await chunks.SendNextAsync(_connection, ct).ConfigureAwait(false);
                dataReply = await _connection.ReadReplyAsync("BDAT", ct).ConfigureAwait(false);
            }

            // RFC 3030 2: after a failed chunk no further chunk may be sent; the transaction has failed.
            while (!chunks.Finished && dataReply.Code / 100 == 2)
            {
                await chunks.SendNextAsync(_connection, ct).ConfigureAwait(false);
                dataReply = await _connection.ReadReplyAsync("BDAT", ct).ConfigureAwait(false);
            }

            if (!chunks.Finished || dataReply.Code / 100 != 2)
            {
                return await FailAcceptedAsync(accepted, dataReply, "BDAT", ct).ConfigureAwait(false);
            }

            final = dataReply;
        }

        if (final.Code / 100 != 2)
        {
            // The reply to the data answers for every accepted recipient; it also ends the transaction.
            foreach (var recipient in accepted)
            {
                _outcomes[recipient] = NotFinal(recipient, final, "the end of data");
            }

            return Finish(reusable: _connection.IsUsable);
        }

        foreach (var recipient in accepted)
        {
            // RFC 3461 4.1: a next hop that took NOTIFY is now responsible for the success notice.
            _outcomes[recipient] = FromReply(recipient, final, capabilities.Dsn && recipient.Notify != DsnNotify.None);
        }

        return Finish(reusable: _connection.IsUsable);
    }

    /// <summary>The reply to DATA or to a chunk answers for every recipient still open; the transaction is reset.</summary>
    private async ValueTask<TransactionResult> FailAcceptedAsync(List<QueuedRecipient> accepted, SmtpReply reply, string command, CancellationToken ct)
    {
        foreach (var recipient in accepted)
        {
            _outcomes[recipient] = NotFinal(recipient, reply, command);
        }

        return await ResetAsync(ct).ConfigureAwait(false);
    }

    /// <summary>
    /// RSET after a failed transaction (RFC 5321 4.1.1.5), so the connection can carry the next one; a
    /// connection that does not answer it is not kept. The outcomes are settled already.
    /// </summary>
    private async ValueTask<TransactionResult> ResetAsync(CancellationToken ct)
    {
        var reusable = false;
        if (_connection.IsUsable)
        {
            try
            {
                reusable = (await _connection.CommandAsync(ClientCommands.Rset, "RSET", ct).ConfigureAwait(false)).Code == 250;
            }
            catch (SmtpTransportException)
            {
                reusable = false;
            }
        }

        return Finish(reusable);
    }

    private TransactionResult Finish(OutcomeKind kind, int code, string enhanced, string text, bool reusable)
    {
        foreach (var recipient in _recipients)
        {
            if (!_outcomes.ContainsKey(recipient))
            {
                _outcomes[recipient] = Local(recipient, kind, code, enhanced, text);
            }
        }

        return Finish(reusable);
    }

    private TransactionResult Finish(bool reusable)
    {
        // Every recipient has an outcome by now; the fallback only guards against a path missed above.
        var outcomes = _recipients
            .Select(r => (r, _outcomes.GetValueOrDefault(r) ?? Local(r, OutcomeKind.TransientFailure, 451, "4.4.2", $"no reply from {_hop.Host} for this recipient")))
            .ToList();
        return new TransactionResult(outcomes, reusable);
    }

    private RecipientOutcome FromReply(QueuedRecipient recipient, SmtpReply reply, bool dsnPassedOn = false)
    {
        var kind = reply.Code < 300 ? OutcomeKind.Delivered : reply.Code < 500 ? OutcomeKind.TransientFailure : OutcomeKind.PermanentFailure;
        return new RecipientOutcome(recipient.Address, kind, ReplyText.Diagnostic(reply), _hop.Host, reply.Code, reply.EnhancedCode, dsnPassedOn);
    }

    /// <summary>A refusal from the server; a positive reply where a refusal was the only sense left is a protocol error, retried.</summary>
    private RecipientOutcome NotFinal(QueuedRecipient recipient, SmtpReply reply, string command) =>
        reply.Code >= 400
            ? FromReply(recipient, reply)
            : Local(recipient, OutcomeKind.TransientFailure, 451, "4.5.0", $"unexpected reply from {_hop.Host} to {command}: {ReplyText.Diagnostic(reply)}");

    private RecipientOutcome Local(QueuedRecipient recipient, OutcomeKind kind, int code, string enhanced, string text) =>
        new(recipient.Address, kind, string.Create(CultureInfo.InvariantCulture, $"{code} {enhanced} {text}"), _hop.Host, null, enhanced);

    /// <summary>RFC 3461 5.2.1: NOTIFY and ORCPT exactly as the client gave them; none added.</summary>
    private static RecipientParameters DsnParameters(QueuedRecipient recipient) => new()
    {
        Notify = recipient.Notify,
        OriginalRecipientType = recipient.OriginalRecipientType,
        OriginalRecipient = recipient.OriginalRecipient,
    };

    private static bool IsNonAscii(string? text) => text is not null && !System.Text.Ascii.IsValid(text);
}
