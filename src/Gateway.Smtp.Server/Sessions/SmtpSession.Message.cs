using System.Buffers;
using Gateway.Abstractions;
using Gateway.Smtp.Protocol;
using Gateway.Smtp.Server.Logging;
using Microsoft.Extensions.Logging;

namespace Gateway.Smtp.Server.Sessions;

internal sealed partial class SmtpSession
{
    private const BodyDefects BareLineEnds = BodyDefects.BareLineFeed | BodyDefects.BareCarriageReturn;

    /// <summary>
    /// Hands body octets to the writer while the message can still succeed. Once it cannot (too big, a body
    /// defect, the writer failed) the writer is aborted and the rest is read and discarded, so nothing of a
    /// refused message is stored (STYLE habit 9, Stalwart's DataTooLarge).
    /// </summary>
    private async ValueTask DeliverAsync(Transaction transaction, ReadOnlySequence<byte> data, long bodyLength, BodyDefects defects)
    {
        if (bodyLength > _options.MaxMessageSize)
        {
            transaction.Oversize = true;
        }

        if (transaction.Oversize || defects != BodyDefects.None)
        {
            await AbortWriterAsync(transaction);
            return;
        }

        var writer = transaction.Writer;
        if (writer is null || data.IsEmpty)
        {
            return;
        }

        using var linked = CancellationTokenSource.CreateLinkedTokenSource(_deadline, _hardStop);
        try
        {
            foreach (var segment in data)
            {
                await writer.WriteAsync(segment, linked.Token);
            }
        }
        catch (OperationCanceledException) when (linked.IsCancellationRequested)
        {
            throw Ended(timedOut: false, "message write");
        }
#pragma warning disable CA1031 // Any writer failure becomes 451 at the end of the message, never 250.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _logger.LocalError(_facts.SessionId, "message write", ex);
            transaction.WriterFailed = true;
            await AbortWriterAsync(transaction);
        }
    }

    /// <summary>
    /// The reply to the end of the body (DATA's final dot or BDAT LAST). Only the writer's CompleteAsync may
    /// produce a 250, and only it knows when the message is durable (DESIGN invariant 1).
    /// </summary>
    private async ValueTask<SmtpReply> FinishMessageAsync(Transaction transaction, BodyDefects defects, bool viaChunking)
    {
        SmtpReply reply;
        if (transaction.Oversize)
        {
            reply = ServerReplies.MessageTooBig;
        }
        else if ((defects & BareLineEnds) != 0)
        {
            // RFC 5321 2.3.8: lines end in CRLF only; bare CR/LF is how SMTP smuggling hides a second message.
            reply = ServerReplies.BareCrOrLf;
        }
        else if ((defects & BodyDefects.Nul) != 0)
        {
            reply = ServerReplies.NulInBody;
        }
        else if ((defects & BodyDefects.LineTooLong) != 0)
        {
            // RFC 5321 4.5.3.1.6: text lines are at most 1000 octets including CRLF.
            reply = ServerReplies.BodyLineTooLong(_options.MaxTextLineLength);
        }
        else if (transaction.WriterFailed || transaction.Writer is null)
        {
            reply = ServerReplies.LocalError;
        }
        else
        {
            reply = await CompleteWriterAsync(transaction.Writer);
        }

        // Read before the writer goes: what the content checks concluded belongs on the summary line.
        var verdict = transaction.Writer?.ContentVerdict;
        var messageId = transaction.Writer?.MessageId;
        await AbortWriterAsync(transaction);
        LogSummary(transaction, viaChunking, reply, verdict, messageId);
        return reply;
    }

    private async ValueTask<SmtpReply> CompleteWriterAsync(IMessageWriter writer)
    {
        // RFC 5321 4.5.3.2.6: the client waits 10 minutes for this reply; answer 451 before it gives up.
        using var termination = new CancellationTokenSource(_options.DataTerminationTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(termination.Token, _deadline, _hardStop);
        try
        {
            return await writer.CompleteAsync(linked.Token);
        }
        catch (OperationCanceledException) when (termination.IsCancellationRequested)
        {
            _logger.Timeout(_facts.SessionId, "message completion");
            return ServerReplies.LocalError;
        }
        catch (OperationCanceledException) when (linked.IsCancellationRequested)
        {
            throw Ended(timedOut: false, "message completion");
        }
#pragma warning disable CA1031 // Any failure to store is 451, never 250.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _logger.LocalError(_facts.SessionId, "message completion", ex);
            return ServerReplies.LocalError;
        }
    }

    private async ValueTask AbortWriterAsync(Transaction transaction)
    {
        var writer = transaction.Writer;
        transaction.Writer = null;
        if (writer is null)
        {
            return;
        }

        try
        {
            await writer.DisposeAsync();
        }
#pragma warning disable CA1031 // A writer that fails to clean up must not take the session down.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _logger.LocalError(_facts.SessionId, "message abort", ex);
        }
    }

    /// <summary>The one summary line per transaction (who, what, where to, and how it ended).</summary>
    private void LogSummary(Transaction transaction, bool viaChunking, SmtpReply outcome, string? verdict = null, string? messageId = null)
    {
        if (!_logger.IsEnabled(LogLevel.Information))
        {
            return;
        }

        var recipients = string.Join(',', transaction.Recipients.Select(r => $"<{r.Address}>:{r.Direction}"));
        _logger.TransactionSummary(
            transaction.Id,
            _facts.SessionId,
            _facts.ClientAddress,
            _facts.HeloName ?? "",
            _facts.Tls?.ProtocolName ?? "none",
            _facts.Tls?.CipherSuite.ToString() ?? "none",
            LogText.Safe(_facts.AuthenticatedUser ?? "-"),
            transaction.From?.ToString() ?? "",
            transaction.Parameters.RequireTls,
            recipients,
            transaction.BodySize,
            viaChunking,
            outcome.ToString(),
            LogText.Safe(verdict ?? "none"),
            LogText.Safe(messageId ?? "none"));
    }
}
