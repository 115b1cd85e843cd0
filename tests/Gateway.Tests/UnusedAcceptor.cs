using Gateway.Abstractions;

namespace Gateway.Tests;

/// <summary>An acceptor for tests that open sessions but never send a message.</summary>
internal sealed class UnusedAcceptor : IMessageAcceptor
{
    public ValueTask<IMessageWriter> BeginAsync(Envelope envelope, CancellationToken cancellationToken) =>
        throw new InvalidOperationException("no message is sent in these tests");
}
