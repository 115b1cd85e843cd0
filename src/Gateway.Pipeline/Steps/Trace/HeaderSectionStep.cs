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

    public async ValueTask<StepVerdict> RunAsync(MessageContext message, CancellationToken cancellationToken)
    {
        var stored = message.Message;
        if (stored.HeaderSectionTooLong)
        {
            return StepVerdict.Refuse(PipelineReplies.HeaderSectionTooLarge, $"header section longer than {stored.HeaderSectionLimit} octets");
        }

        if (HeaderSectionSyntax.Check(stored.HeaderSection.Span) is { } problem)
        {
            return StepVerdict.Refuse(PipelineReplies.MalformedHeader, problem);
        }

        // Before any step parses MIME (DKIM, ARC, S/MIME, the scanners): header fields whose parse would cost more
        // than a bounded amount of work are refused, not parsed for seconds to hours (HeaderFieldCost).
        HeaderFieldCost cost;
        if (stored.TryGetContent(out var content))
        {
            cost = HeaderFieldCost.Measure(content.Span);
        }
        else
        {
            var stream = await stored.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                cost = await HeaderFieldCost.MeasureAsync(stream, cancellationToken).ConfigureAwait(false);
            }
        }

        return cost.Exceeded
            ? StepVerdict.Refuse(PipelineReplies.HeaderFieldsTooLarge, $"header fields (of the message or of a MIME part) too long to parse: by line {cost.ExceededAtLine} they would cost more than {HeaderFieldCost.Budget >> 20} MiB of copying")
            : StepVerdict.Continue;
    }
}
