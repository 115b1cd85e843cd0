using Gateway.Authentication.Dmarc;
using Microsoft.Extensions.Logging;

namespace Gateway.Pipeline.Steps.Authentication;

/// <summary>
/// DKIM-signs outbound mail whose author domain (RFC5322.From) has signing keys in the policy, so the signature
/// aligns for DMARC at the receiver. The signature fields go on top of the bytes as received: signed content is
/// never re-encoded.
/// </summary>
internal sealed class DkimSignStep(SenderAuthentication auth, ILogger logger) : IMessageStep
{
    public string Name => "dkim-sign";

    public async ValueTask<StepVerdict> RunAsync(MessageContext message, CancellationToken cancellationToken)
    {
        var author = AuthorDomainParser.Parse(message.Message.HeaderSection.Span);
        if (!author.IsValid)
        {
            return StepVerdict.Continue;
        }

        var keys = auth.KeysFor(author.Domain!);
        if (keys.Count == 0)
        {
            return StepVerdict.Continue;
        }

        string signatures;
        var body = await message.Message.OpenBodyAsync(cancellationToken).ConfigureAwait(false);
        await using (body.ConfigureAwait(false))
        {
            signatures = await auth.Signer.SignAsync(message.Message.HeaderSection, body, keys, cancellationToken).ConfigureAwait(false);
        }

        PipelineLog.Signed(logger, message.Session.SessionId, author.Domain!, keys.Count);
        return StepVerdict.AddFields(signatures);
    }
}
