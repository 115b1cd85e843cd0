namespace Gateway.Pipeline.Flow;

/// <summary>
/// The inbound flow, in order: a message (part) whose recipients are in our domains. This file is the one place the
/// order is written down; a new inbound step goes into its slot here.
/// </summary>
internal static class InboundFlow
{
    public static IReadOnlyList<FlowStep> Declare(PipelineSteps steps) =>
    [
        // The header section is whole and well formed, or nothing below can judge it.
        new(steps.HeaderSection, StepScope.Always),
        new(steps.Loop, StepScope.Always),
        new(steps.Received, StepScope.Always),

        // An authenticated user writes only From addresses it owns (its envelope sender was checked at MAIL FROM).
        new(steps.SenderOwnership, StepScope.OwnedSenders),

        // Sender authentication, for mail that is not our own: SPF (started at MAIL FROM), DKIM, ARC, then DMARC
        // over their results, then one Authentication-Results field for the servers behind us.
        new(steps.Spf, StepScope.External),
        new(steps.Dkim, StepScope.External),
        new(steps.Arc, StepScope.External),
        new(steps.Dmarc, StepScope.External),
        new(steps.AuthenticationResults, StepScope.External),

        // Attachment policy (real types, archives, bombs), for mail that is not our own: local and cheap, so first.
        new(steps.Attachments, StepScope.External),

        // Viruses, for every client: an infected internal host mailing a colleague is refused all the same.
        new(steps.ClamAv, StepScope.Always),

        // rspamd's opinion, a reason in the score below (never its own decision).
        new(steps.Rspamd, StepScope.External),

        // Content scoring, for mail that is not our own, with the authentication results and the reasons above as inputs and
        // before decryption: the score judges the message as it came, and rejecting it here costs no private-key work.
        new(steps.SpamScore, StepScope.External),

        // S/MIME, after the sender checks judged the message as it came: decryption with escrowed keys (for every
        // client: internal mail to a colleague is decrypted as well), then signature verification over what was
        // signed, reported as Authentication-Results like the checks above.
        new(steps.SmimeDecrypt, StepScope.Always),
        new(steps.SmimeVerify, StepScope.External),

        // Last, so the seal covers every field above it.
        new(steps.ArcSeal, StepScope.External),
    ];
}
