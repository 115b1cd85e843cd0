using Gateway.Authentication.Arc;
using Gateway.Authentication.Dkim;

namespace Gateway.Pipeline.Steps.Authentication;

/// <summary>
/// RFC 8617 5.1: our ARC set on top of the message, so the servers behind us can trust what we saw even after a
/// later hop changes the message. Its ARC-Authentication-Results repeat our Authentication-Results.
/// </summary>
internal sealed class ArcSealStep(ArcSealingService sealer, string authservId, DkimSigningKey key) : IMessageStep
{
    public string Name => "arc-seal";

    public async ValueTask<StepVerdict> RunAsync(MessageContext message, CancellationToken cancellationToken)
    {
        var state = message.Authentication;

        // The ARC-Authentication-Results field carries our results without the authserv-id (the sealer adds it),
        // unfolded: the sealer folds its own field and refuses line breaks in what it is given.
        var value = state.ResultsValue ?? string.Empty;
        var results = value[(value.IndexOf(';', StringComparison.Ordinal) + 1)..].Replace("\r\n", string.Empty, StringComparison.Ordinal).Trim();
        var body = await message.Message.OpenBodyAsync(cancellationToken).ConfigureAwait(false);
        await using (body.ConfigureAwait(false))
        {
            var seal = await sealer.SealAsync(
                message.Message.HeaderSection, body, state.Arc ?? ArcChainResult.NoChain, authservId, results, key, cancellationToken).ConfigureAwait(false);
            return seal.Headers is { } fields ? StepVerdict.AddFields(fields) : StepVerdict.Continue;
        }
    }
}
