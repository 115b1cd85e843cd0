using Gateway.Abstractions;

namespace Gateway.Pipeline.Tests;

/// <summary>Hands out a new in-memory writer per part and keeps them with the envelopes they were begun with.</summary>
internal sealed class WriterAcceptor(bool inMemory = true) : IMessageAcceptor
{
    public List<(Envelope Envelope, MemoryMessageWriter Writer)> Parts { get; } = [];

    /// <summary>The writer of the only (or first) part; an untouched one when no message was begun.</summary>
    public MemoryMessageWriter Writer => Parts.Count > 0 ? Parts[0].Writer : new MemoryMessageWriter();

    public ValueTask<IMessageWriter> BeginAsync(Envelope envelope, CancellationToken cancellationToken)
    {
        var writer = new MemoryMessageWriter("TESTQUEUE" + (Parts.Count + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), inMemory);
        Parts.Add((envelope, writer));
        return ValueTask.FromResult<IMessageWriter>(writer);
    }
}
