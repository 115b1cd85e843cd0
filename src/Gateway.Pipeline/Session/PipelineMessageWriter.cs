using System.Globalization;
using Gateway.Abstractions;
using Gateway.Authentication.Spf;
using Gateway.Pipeline.Content;
using Gateway.Pipeline.Flow;
using Gateway.Pipeline.Steps;
using Gateway.Pipeline.Steps.Spam;

namespace Gateway.Pipeline.Session;

/// <summary>
/// The writer the SMTP session streams a message into. The bytes go to the spool writer of each direction's part
/// (a message with recipients both in our domains and elsewhere is stored twice, so each part gets its own
/// direction's steps and amendment), and the header section is kept on the way for the steps. At the end of the
/// data each part runs its flow; one refusal refuses the whole message (the client gets one reply to one message),
/// otherwise every part is committed and the reply names their queue ids. A failure of the pipeline itself is a
/// 451, never a 250.
/// </summary>
internal sealed class PipelineMessageWriter : IMessageWriter
{
    private readonly MessagePipeline _pipeline;
    private readonly ClientTrust _trust;
    private readonly Task<SpfCheck>? _spf;
    private readonly Task<SessionScores>? _sessionScores;
    private readonly IReadOnlyList<MessagePart> _parts;
    private readonly HeaderSectionCapture _headers;
    private readonly DomainSizeLimit? _sizeLimit;
    // The spool's write buffer: most mail is smaller, and its checks cost well under a millisecond.
    private const long InlineChecksLimit = 64 * 1024;

    private long _length;

    /// <summary>The parts' step summaries (one message, one log line); null until the flows ran or when none said anything.</summary>
    public string? ContentVerdict { get; private set; }

    /// <summary>The client's Message-ID, cleaned for the log and the trace; null until the data ended or when it has none.</summary>
    public string? MessageId { get; private set; }

    /// <param name="pipeline">The snapshot's flows.</param>
    /// <param name="trust">The client's trust decision.</param>
    /// <param name="spf">The SPF check started at MAIL FROM, if any.</param>
    /// <param name="parts">One spool writer per direction (and encryption group).</param>
    /// <param name="sizeLimit">The smallest message size limit of a recipient domain, when one is below the global limit.</param>
    /// <param name="sessionScores">The spam score inputs of the session (DNS lists, client checks), if any.</param>
    public PipelineMessageWriter(
        MessagePipeline pipeline,
        ClientTrust trust,
        Task<SpfCheck>? spf,
        IReadOnlyList<MessagePart> parts,
        DomainSizeLimit? sizeLimit = null,
        Task<SessionScores>? sessionScores = null)
    {
        _pipeline = pipeline;
        _trust = trust;
        _spf = spf;
        _sessionScores = sessionScores;
        _parts = parts;
        _sizeLimit = sizeLimit;
        _headers = new HeaderSectionCapture(pipeline.MaxHeaderSection);
    }

    private bool TooBig => _sizeLimit is { } limit && _length > limit.Limit;

    public async ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        _length += data.Length;
        _headers.Append(data.Span);
        if (_headers.Status == HeaderSectionStatus.TooLong || TooBig)
        {
            // Refused at the end of the data: storing the rest would only cost disk.
            return;
        }

        foreach (var part in _parts)
        {
            await part.Writer.WriteAsync(data, cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask<SmtpReply> CompleteAsync(CancellationToken cancellationToken)
    {
        _headers.Finish();
        MessageId = MessageIdField.ForLog(_headers.Section.Span);
        if (_parts.FirstOrDefault(p => p.Writer is not IInspectableMessageWriter) is { } failed)
        {
            // The spool could not even start that part (its writer holds the 451/452): nothing to inspect.
            return await failed.Writer.CompleteAsync(cancellationToken).ConfigureAwait(false);
        }

        if (TooBig)
        {
            // Smaller than the listener's SIZE, so the session let it through: the recipient domain's own limit
            // (policy, or its internal server's EHLO SIZE). Said now, the sender gets 552 instead of a later notice.
            var limit = _sizeLimit!;
            PipelineLog.MessageTooBig(_pipeline.Logger, _parts[0].Envelope.Session.SessionId, _length, limit.Limit);
            return await RefuseAsync(PipelineReplies.MessageTooBigForDomain(limit.Domain), cancellationToken).ConfigureAwait(false);
        }

        if (_length > InlineChecksLimit)
        {
            // The checks of a large message take a while (MIME parsing, hashing, scanning, decryption): not on the
            // thread that delivered its last bytes, which with inline socket completions (the appliance's setting) is a
            // socket engine's thread that serves many other sessions too.
            await Task.Yield();
        }

        var outcomes = new List<PartOutcome>(_parts.Count);
        foreach (var part in _parts)
        {
            var writer = (IInspectableMessageWriter)part.Writer;
            var context = new MessageContext(part.Envelope, _trust, part.Direction, new StoredMessage(writer, _headers, _length), _spf, _sessionScores);
            await using (context.ConfigureAwait(false))
            {
                PartOutcome outcome;
                try
                {
                    outcome = await _pipeline.RunAsync(context, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    PipelineLog.PipelineFailed(_pipeline.Logger, part.Envelope.Session.SessionId, writer.QueueId, ex);
                    outcome = PartOutcome.Refused(PipelineReplies.LocalError, "pipeline", "pipeline failed");
                }

                outcomes.Add(outcome);
                if (outcome.Refusal is not null)
                {
                    break;
                }
            }
        }

        var verdicts = outcomes.Select(o => o.Verdict).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
        ContentVerdict = verdicts.Count > 0 ? string.Join("; ", verdicts) : null;
        if (outcomes.FirstOrDefault(o => o.Refusal is not null)?.Refusal is { } refusal)
        {
            return await RefuseAsync(refusal, cancellationToken).ConfigureAwait(false);
        }

        var replies = await Task.WhenAll(_parts.Select((part, i) =>
            ((IInspectableMessageWriter)part.Writer).CompleteAsync(outcomes[i].Amendment with { Verdict = outcomes[i].Verdict, MessageId = MessageId }, cancellationToken).AsTask())).ConfigureAwait(false);
        if (replies.FirstOrDefault(r => !r.IsPositive) is { } notQueued)
        {
            // A part that was queued is delivered; when the client sends the message again its recipients may get
            // it twice, which is the safe side of losing it (DESIGN invariant 2).
            return notQueued;
        }

        return replies.Length == 1
            ? replies[0]
            : new SmtpReply(250, "2.0.0", string.Create(CultureInfo.InvariantCulture, $"Ok: queued as {string.Join(" and ", _parts.Select(p => ((IInspectableMessageWriter)p.Writer).QueueId))}"));
    }

    /// <summary>One message, one answer: nothing of any part is kept.</summary>
    private async ValueTask<SmtpReply> RefuseAsync(SmtpReply refusal, CancellationToken cancellationToken)
    {
        foreach (var part in _parts)
        {
            await ((IInspectableMessageWriter)part.Writer).RefuseAsync(refusal, _length, MessageId, cancellationToken).ConfigureAwait(false);
        }

        return refusal;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var part in _parts)
        {
            await part.Writer.DisposeAsync().ConfigureAwait(false);
        }
    }
}
