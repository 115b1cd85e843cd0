using System.Globalization;
using Gateway.Pipeline.Trace;

namespace Gateway.Pipeline.Steps.Trace;

/// <summary>RFC 5321 6.3: a message with more Received fields than the policy allows is looping; it is refused, not queued again.</summary>
internal sealed class LoopStep(int maxReceived) : IMessageStep
{
    public string Name => "loop";

    public ValueTask<StepVerdict> RunAsync(MessageContext message, CancellationToken cancellationToken)
    {
        var count = ReceivedCounter.CountReceived(message.Message.HeaderSection.Span, out _);
        return ValueTask.FromResult(count > maxReceived
            ? StepVerdict.Refuse(PipelineReplies.RoutingLoop, string.Create(CultureInfo.InvariantCulture, $"{count} Received fields, more than {maxReceived}"))
            : StepVerdict.Continue);
    }
}
