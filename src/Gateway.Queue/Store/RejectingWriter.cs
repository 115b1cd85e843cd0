using Gateway.Abstractions;

namespace Gateway.Queue;

/// <summary>Used when the spool could not even start a file: reads the body and answers the failure at the end.</summary>
internal sealed class RejectingWriter(SmtpReply reply) : IMessageWriter
{
    public ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public ValueTask<SmtpReply> CompleteAsync(CancellationToken cancellationToken) => ValueTask.FromResult(reply);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
