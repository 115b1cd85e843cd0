using Gateway.Abstractions;

namespace Gateway.Smtp.Server.Tests.Infrastructure;

/// <summary>In-memory message writer that records what the session streams to it.</summary>
internal sealed class RecordingWriter(RecordingHandler owner, Envelope envelope) : IMessageWriter
{
    private readonly MemoryStream _body = new();
    private long _length;

    public Envelope Envelope { get; } = envelope;

    public bool Completed { get; private set; }

    public bool Disposed { get; private set; }

    /// <summary>Octets of the body received so far (read from the test's thread while the session writes).</summary>
    public long Length => Interlocked.Read(ref _length);

    public async ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        if (owner.WriterThrowsOnWrite)
        {
            throw new IOException("disk full (test)");
        }

        await _body.WriteAsync(data, cancellationToken);
        Interlocked.Add(ref _length, data.Length);
    }

    public async ValueTask<SmtpReply> CompleteAsync(CancellationToken cancellationToken)
    {
        if (owner.CompleteHangs)
        {
            // A stuck disk: only the session's own timeout gets it out of here.
            await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken);
        }

        if (owner.WriterThrowsOnComplete)
        {
            throw new IOException("fsync failed (test)");
        }

        Completed = true;
        owner.Messages.Enqueue(new RecordedMessage(Envelope, _body.ToArray()));
        return new SmtpReply(250, "2.0.0", "Ok: queued");
    }

    public ValueTask DisposeAsync()
    {
        Disposed = true;
        return ValueTask.CompletedTask;
    }
}
