using Gateway.Abstractions;

namespace Gateway.Pipeline.Tests.Authentication;

/// <summary>An inspectable writer over memory: records what it was asked to do at completion.</summary>
internal sealed class MemoryMessageWriter : IInspectableMessageWriter
{
    private readonly MemoryStream _content = new();

    public MessageAmendment? Amendment { get; private set; }

    public bool Disposed { get; private set; }

    public ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        _content.Write(data.Span);
        return ValueTask.CompletedTask;
    }

    public ValueTask<Stream> OpenContentAsync(CancellationToken cancellationToken) =>
        ValueTask.FromResult<Stream>(new MemoryStream(_content.ToArray(), writable: false));

    public ValueTask<SmtpReply> CompleteAsync(CancellationToken cancellationToken) => CompleteAsync(MessageAmendment.None, cancellationToken);

    public ValueTask<SmtpReply> CompleteAsync(MessageAmendment amendment, CancellationToken cancellationToken)
    {
        Amendment = amendment;
        return ValueTask.FromResult(new SmtpReply(250, "2.0.0", "Ok: queued as TEST"));
    }

    /// <summary>The refusal the checks answered with, if any.</summary>
    public SmtpReply? Refused { get; private set; }

    public ValueTask<SmtpReply> RefuseAsync(SmtpReply reply, CancellationToken cancellationToken)
    {
        Refused = reply;
        Disposed = true;
        return ValueTask.FromResult(reply);
    }

    public ValueTask DisposeAsync()
    {
        Disposed = true;
        return ValueTask.CompletedTask;
    }
}
