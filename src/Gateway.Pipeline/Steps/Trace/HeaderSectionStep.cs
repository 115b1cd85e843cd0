using Gateway.Pipeline.Content;

namespace Gateway.Pipeline.Steps.Trace;

/// <summary>
/// First of every flow: the header section is whole and well formed, or the message is refused. Every later step
/// judges the header section (From for DMARC and sender ownership, Received for the loop check, the fields a
/// signature covers), so one it could only judge in part (longer than the bound: 552 5.3.4) or that readers would
/// split into different fields (554 5.6.0) is refused here, once, for every direction, rather than accepted and
/// then found undeliverable or judged by a prefix.
/// </summary>
internal sealed class HeaderSectionStep : IMessageStep
{
    public string Name => "header-section";

    public ValueTask<StepVerdict> RunAsync(MessageContext message, CancellationToken cancellationToken)
    {
        var stored = message.Message;
        if (stored.HeaderSectionTooLong)
        {
            return ValueTask.FromResult(StepVerdict.Refuse(
                PipelineReplies.HeaderSectionTooLarge, $"header section longer than {stored.HeaderSectionLimit} octets"));
        }

        return ValueTask.FromResult(HeaderSectionSyntax.Check(stored.HeaderSection.Span) is { } problem
            ? StepVerdict.Refuse(PipelineReplies.MalformedHeader, problem)
            : StepVerdict.Continue);
    }
}
