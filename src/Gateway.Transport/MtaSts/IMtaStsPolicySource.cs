namespace Gateway.Transport.MtaSts;

/// <summary>
/// Finds the MTA-STS policy in force for a recipient domain (RFC 8461 3, 5.1): the cached policy while valid,
/// refreshed when the TXT id changes or expiry nears, a failed refresh keeping the cached one. Never throws
/// for DNS or HTTPS outcomes; only cancellation throws.
/// </summary>
public interface IMtaStsPolicySource
{
    ValueTask<MtaStsLookup> GetPolicyAsync(string domain, CancellationToken ct);
}
