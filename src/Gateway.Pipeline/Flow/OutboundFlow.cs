namespace Gateway.Pipeline.Flow;

/// <summary>
/// The outbound flow, in order: a message (part) from one of our own senders to a domain that is not ours. This file
/// is the one place the order is written down; a new outbound step goes into its slot here.
/// </summary>
internal static class OutboundFlow
{
    public static IReadOnlyList<FlowStep> Declare(PipelineSteps steps) =>
    [
        new(steps.HeaderSection, StepScope.Always),
        new(steps.Loop, StepScope.Always),
        new(steps.Received, StepScope.Always),
        new(steps.SenderOwnership, StepScope.OwnedSenders),

        // S/MIME with escrowed keys: sign, then encrypt (RFC 8551 3.7). Signing is the last change to the content;
        // the DKIM signature below covers the S/MIME structure as sent.
        new(steps.SmimeSign, StepScope.Internal),
        new(steps.SmimeEncrypt, StepScope.Internal),

        // Last: the signature covers the message as it leaves.
        new(steps.DkimSign, StepScope.Internal),
    ];
}
