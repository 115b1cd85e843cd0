using Gateway.Authentication.Arc;

namespace Gateway.Pipeline.Steps.Authentication;

/// <summary>RFC 8617 validation of the ARC chain; a header section without ARC fields has no chain and needs no parse.</summary>
internal sealed class ArcVerifyStep(ArcVerifierService verifier) : IMessageStep
{
    public string Name => "arc";

    public async ValueTask<StepVerdict> RunAsync(MessageContext message, CancellationToken cancellationToken)
    {
        message.Authentication.Arc = ArcVerifierService.HasArcFields(message.Message.HeaderSection.Span)
            ? await verifier.VerifyAsync(await message.ParseAsync(cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false)
            : ArcChainResult.NoChain;
        return StepVerdict.Continue;
    }
}
