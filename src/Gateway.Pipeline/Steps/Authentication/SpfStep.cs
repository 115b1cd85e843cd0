namespace Gateway.Pipeline.Steps.Authentication;

/// <summary>
/// The SPF result for the message: the check was started at MAIL FROM (its lookups overlap the rest of the
/// dialogue, and spf.reject_fail refuses there), and is collected here for DMARC and Authentication-Results.
/// </summary>
internal sealed class SpfStep : IMessageStep
{
    public string Name => "spf";

    public async ValueTask<StepVerdict> RunAsync(MessageContext message, CancellationToken cancellationToken)
    {
        if (message.SpfFromMailFrom is { } check)
        {
            message.Authentication.Spf = await check.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        return StepVerdict.Continue;
    }
}
