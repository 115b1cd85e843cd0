using System.Buffers;
using Gateway.Abstractions;
using Gateway.Smtp.Protocol;

namespace Gateway.Smtp.Server.Sessions;

internal sealed partial class SmtpSession
{
    /// <summary>DATA (RFC 5321 4.1.1.4), after the state table allowed it (at least one accepted recipient).</summary>
    private async ValueTask<bool> DataAsync()
    {
        var transaction = _transaction!;
        var envelope = BuildEnvelope(transaction, viaChunking: false);
        var (ok, start) = await CallHandlerAsync(ct => _handler.OnMessageStartAsync(envelope, ct), "data");
        if (!ok || !start.Verdict.IsContinue || start.Writer is null)
        {
            if (ok && start.Writer is not null)
            {
                transaction.Writer = start.Writer;
                await AbortWriterAsync(transaction);
            }

            var refusal = ok && !start.Verdict.IsContinue ? ReplyFor(start.Verdict) : ServerReplies.LocalError;
            LogSummary(transaction, viaChunking: false, refusal);
            await ResetTransactionAsync();
            _connection.Write(refusal);
            if (ok && start.Verdict.Action == VerdictAction.Disconnect)
            {
                _closeReason = "disconnected by policy";
                return false;
            }

            return true;
        }

        transaction.Writer = start.Writer;
        _connection.Write(ServerReplies.StartData);

        // RFC 2920 3.1: DATA ends a pipelined group; the client waits for 354 before the body.
        await FlushAsync();

        var reader = _connection.Reader;
        var body = new DataBodyReader(_options.MaxTextLineLength);
        var output = new ArrayBufferWriter<byte>(4096);

        // As for a command line, the rate applies once the body has begun: until its first octet the wait is the data
        // block timeout's (RFC 5321 4.5.3.2), not the rate's grace period.
        TransferRate? rate = null;
        while (true)
        {
            var result = await ReadAsync(_options.DataBlockTimeout, idle: false, "DATA", rate?.Allowance(body.BodyLength));
            var buffer = result.Buffer;
            if (!buffer.IsEmpty)
            {
                rate ??= NewTransferRate();
            }

            var done = body.Read(ref buffer, output);
            if (done)
            {
                // Commands pipelined after the final dot stay readable at once.
                reader.AdvanceTo(buffer.Start);
            }
            else
            {
                reader.AdvanceTo(buffer.Start, buffer.End);
            }

            await DeliverAsync(transaction, new ReadOnlySequence<byte>(output.WrittenMemory), body.BodyLength, body.Defects);
            output.ResetWrittenCount();
            if (done)
            {
                break;
            }

            if (result.IsCompleted)
            {
                throw new SessionEndException("connection lost in DATA", null);
            }
        }

        transaction.BodySize = body.BodyLength;
        var reply = await FinishMessageAsync(transaction, body.Defects, viaChunking: false);
        await ResetTransactionAsync();
        return Reply(reply);
    }
}
