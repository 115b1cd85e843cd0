namespace Gateway.Pipeline.Steps;

/// <summary>
/// One concern of the message pipeline (DESIGN "message pipeline"), run after the last byte of a message arrived and
/// before it is queued. A step sees the envelope, the session's facts and trust decision and the stored message (its
/// header section in memory, the rest through a stream over the spool file), and answers with a
/// <see cref="StepVerdict"/>: data, never an exception, for every ordinary outcome. It never writes to the socket
/// or to the spool. Where a step runs, and for which clients, is declared in <c>Flow/InboundFlow.cs</c> and
/// <c>Flow/OutboundFlow.cs</c>; a new step is written against this contract and added there.
/// </summary>
public interface IMessageStep
{
    /// <summary>Short lower-case name for logs, the trace and the flow listing ("spf", "dkim-sign").</summary>
    string Name { get; }

    ValueTask<StepVerdict> RunAsync(MessageContext message, CancellationToken cancellationToken);
}
