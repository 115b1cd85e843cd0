using Gateway.Abstractions;
using Gateway.Delivery.Verification;
using Gateway.Pipeline.Recipients;

namespace Gateway.Host.Hosting;

/// <summary>A domain's addresses as its internal server answers them at RCPT (call-ahead through the delivery client).</summary>
internal sealed class CallAheadSource : IRecipientSource
{
    private readonly CallAheadProbe _probe;
    private readonly TimeSpan _timeout;

    public CallAheadSource(CallAheadProbe probe, TimeSpan timeout)
    {
        _probe = probe;
        _timeout = timeout;
    }

    public string Name => "call-ahead";

    public async ValueTask<RecipientCheck> LookupAsync(Mailbox recipient, CancellationToken cancellationToken)
    {
        var result = await _probe.ProbeAsync(recipient, _timeout, cancellationToken).ConfigureAwait(false);
        var status = result.Outcome switch
        {
            CallAheadOutcome.Accepted => RecipientStatus.Known,
            CallAheadOutcome.Refused => RecipientStatus.Unknown,
            _ => RecipientStatus.Unavailable,
        };
        return new RecipientCheck(status, Name, result.Diagnostic, result.MaxMessageSize);
    }
}
