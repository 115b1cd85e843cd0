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

        // Slot for the coming step: S/MIME signing (and encryption) with escrowed keys, before DKIM so the DKIM
        // signature covers the S/MIME structure as sent.

        // Last: the signature covers the message as it leaves.
        new(steps.DkimSign, StepScope.Internal),
    ];
}
