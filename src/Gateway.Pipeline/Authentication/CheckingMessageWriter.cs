using Gateway.Abstractions;
using Microsoft.Extensions.Logging;

namespace Gateway.Pipeline.Authentication;

/// <summary>
/// Passes the message through to the spool's writer and, at the end of DATA, runs the message checks over
/// what was stored before it is committed: a refusal aborts the spool file (nothing survives), otherwise the
/// message is queued with the checks' amendment. A failure of the checks themselves is a 451, never a 250.
/// </summary>
internal sealed class CheckingMessageWriter : IMessageWriter
{
    private static readonly SmtpReply LocalError = new(451, "4.3.0", "Local error in processing");

    private readonly IInspectableMessageWriter _inner;
    private readonly Func<IInspectableMessageWriter, CancellationToken, Task<CheckOutcome>> _checks;
    private readonly string _sessionId;
    private readonly ILogger _logger;

    public CheckingMessageWriter(
        IInspectableMessageWriter inner, Func<IInspectableMessageWriter, CancellationToken, Task<CheckOutcome>> checks, string sessionId, ILogger logger)
    {
        _inner = inner;
        _checks = checks;
        _sessionId = sessionId;
        _logger = logger;
    }

    public ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken) => _inner.WriteAsync(data, cancellationToken);

    public async ValueTask<SmtpReply> CompleteAsync(CancellationToken cancellationToken)
    {
        CheckOutcome outcome;
        try
        {
            outcome = await _checks(_inner, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            PipelineLog.ChecksFailed(_logger, _sessionId, ex);
            return await _inner.RefuseAsync(LocalError, cancellationToken).ConfigureAwait(false);
        }

        if (outcome.Refusal is { } refusal)
        {
            PipelineLog.ContentRefused(_logger, _sessionId, refusal);

            // Nothing of a refused message is kept (the spool file is removed).
            return await _inner.RefuseAsync(refusal, cancellationToken).ConfigureAwait(false);
        }

        return await _inner.CompleteAsync(outcome.Amendment, cancellationToken).ConfigureAwait(false);
    }

    public ValueTask DisposeAsync() => _inner.DisposeAsync();
}
