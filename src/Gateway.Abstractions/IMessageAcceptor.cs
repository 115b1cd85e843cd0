namespace Gateway.Abstractions;

/// <summary>
/// Takes accepted messages into the gateway's custody. The spool implements it: the writer's CompleteAsync
/// answers 250 only after the message and its envelope are on disk (DESIGN invariant 1).
/// </summary>
public interface IMessageAcceptor
{
    ValueTask<IMessageWriter> BeginAsync(Envelope envelope, CancellationToken cancellationToken);
}
