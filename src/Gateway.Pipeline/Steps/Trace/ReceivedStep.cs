using Gateway.Pipeline.Trace;

namespace Gateway.Pipeline.Steps.Trace;

/// <summary>RFC 5321 4.4: our trace field, on top of the client's header section (each later step's fields go above it).</summary>
internal sealed class ReceivedStep(string hostName) : IMessageStep
{
    public string Name => "received";

    public ValueTask<StepVerdict> RunAsync(MessageContext message, CancellationToken cancellationToken) =>
        ValueTask.FromResult(StepVerdict.AddFields(
            ReceivedField.Build(message.Envelope, message.Message.QueueId, hostName, message.Envelope.ReceivedAt)));
}
