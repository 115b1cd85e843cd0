using Gateway.Abstractions;
using Gateway.Smtp.Protocol;

namespace Gateway.Smtp.Server.Sessions;

internal sealed partial class SmtpSession
{
    /// <summary>
    /// BDAT (RFC 3030 2). The chunk's octets follow the command line at once, so they are always read, and
    /// discarded when the command is refused; otherwise they would be taken as commands.
    /// </summary>
    private async ValueTask<bool> BdatAsync(BdatCommand bdat)
    {
        SmtpReply? refusal = null;
        var countAsError = false;
        var keepOpen = true;
        var transaction = _transaction;
        if (_state == SmtpState.MailGiven && transaction is { RecipientAttempts: > 0 })
        {
            refusal = ServerReplies.NoValidRecipients;
        }
        else if (SmtpStateTable.Check(_state, SmtpVerb.Bdat) is { } sequenceError)
        {
            // RFC 3030 2: chunks the client pipelined behind a failed BDAT are accepted and discarded (503), but
            // they are not the client's mistake: only a BDAT out of sequence otherwise counts as an error.
            refusal = sequenceError;
            countAsError = !_discardingFailedChunks;
        }
        else if (transaction!.Scanner is null)
        {
            // First chunk: the message starts now.
            var envelope = BuildEnvelope(transaction, viaChunking: true);
            var (ok, start) = await CallHandlerAsync(ct => _handler.OnMessageStartAsync(envelope, ct), "bdat");
            if (ok && start.Verdict.IsContinue && start.Writer is not null)
            {
                transaction.Writer = start.Writer;
                transaction.Scanner = new BodyScanner(_options.MaxTextLineLength);
                _state = SmtpState.Chunking;
            }
            else
            {
                if (ok && start.Writer is not null)
                {
                    transaction.Writer = start.Writer;
                    await AbortWriterAsync(transaction);
                }

                refusal = ok && !start.Verdict.IsContinue ? ReplyFor(start.Verdict) : ServerReplies.LocalError;
                keepOpen = !ok || start.Verdict.Action != VerdictAction.Disconnect;
                if (!keepOpen)
                {
                    _closeReason = "disconnected by policy";
                }

                LogSummary(transaction, viaChunking: true, refusal);
                await ResetTransactionAsync();
                _discardingFailedChunks = true;
            }
        }

        if (refusal is not null)
        {
            await ReadChunkAsync(bdat.ChunkSize, null);
            if (countAsError)
            {
                return CountError(refusal);
            }

            _connection.Write(refusal);
            return keepOpen;
        }

        transaction = _transaction!;
        await ReadChunkAsync(bdat.ChunkSize, transaction);
        if (transaction.Oversize)
        {
            // RFC 3030 2: a failed chunk fails the transaction; chunks already pipelined behind it get 503.
            LogSummary(transaction, viaChunking: true, ServerReplies.MessageTooBig);
            await ResetTransactionAsync();
            _discardingFailedChunks = true;
            return Reply(ServerReplies.MessageTooBig);
        }

        if (!bdat.Last)
        {
            return Reply(ServerReplies.ChunkReceived(bdat.ChunkSize));
        }

        transaction.Scanner!.Complete();
        var reply = await FinishMessageAsync(transaction, transaction.Scanner.Defects, viaChunking: true);
        await ResetTransactionAsync();
        return Reply(reply);
    }

    /// <summary>Reads exactly <paramref name="size"/> octets; with a null transaction they are discarded.</summary>
    private async ValueTask ReadChunkAsync(long size, Transaction? transaction)
    {
        var reader = _connection.Reader;
        var remaining = size;
        var rate = NewTransferRate();
        while (remaining > 0)
        {
            var result = await ReadAsync(_options.DataBlockTimeout, idle: false, "BDAT", rate.Allowance(size - remaining));
            var chunk = result.Buffer.Slice(0, Math.Min(remaining, result.Buffer.Length));
            if (transaction is not null)
            {
                foreach (var segment in chunk)
                {
                    transaction.Scanner!.Scan(segment.Span);
                }

                transaction.BodySize += chunk.Length;
                await DeliverAsync(transaction, chunk, transaction.BodySize, transaction.Scanner!.Defects);
            }

            remaining -= chunk.Length;
            reader.AdvanceTo(chunk.End);
            if (remaining > 0 && result.IsCompleted)
            {
                throw new SessionEndException("connection lost in BDAT", null);
            }
        }
    }
}
