using Gateway.Abstractions;

namespace Gateway.Pipeline.Acceptance;

/// <summary>
/// The acceptor used while no durable spool is configured: it reads the message and then answers
/// 451 4.3.0, so the sending server keeps the message and retries. It never answers 250, because a 250
/// without the message on disk would break the promise that accepted mail is never lost.
/// </summary>
public sealed class QueueUnavailableAcceptor : IMessageAcceptor
{
    public ValueTask<IMessageWriter> BeginAsync(Envelope envelope, CancellationToken cancellationToken) =>
        ValueTask.FromResult<IMessageWriter>(new DiscardingWriter());

    private sealed class DiscardingWriter : IMessageWriter
    {
        public ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public ValueTask<SmtpReply> CompleteAsync(CancellationToken cancellationToken) =>
            ValueTask.FromResult(Session.PipelineReplies.QueueUnavailable);

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
