using Gateway.Authentication.Dkim;

namespace Gateway.Pipeline.Steps.Authentication;

/// <summary>
/// RFC 6376 verification of every DKIM-Signature. A message the spool holds in memory is checked over its raw
/// bytes (the usual signatures need no MIME parse at all); a larger one through the shared persistent parse, which
/// reads the spool file instead of copying it.
/// </summary>
internal sealed class DkimVerifyStep(DkimVerifierService verifier) : IMessageStep
{
    public string Name => "dkim";

    public async ValueTask<StepVerdict> RunAsync(MessageContext message, CancellationToken cancellationToken)
    {
        message.Authentication.Dkim = message.Message.TryGetContent(out var content)
            ? await verifier.VerifyAsync(content, message.ParseAsync, cancellationToken).ConfigureAwait(false)
            : await verifier.VerifyAsync(await message.ParseAsync(cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        return StepVerdict.Continue;
    }
}
