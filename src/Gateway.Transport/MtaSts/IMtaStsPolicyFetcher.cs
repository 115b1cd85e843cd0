namespace Gateway.Transport.MtaSts;

/// <summary>
/// Fetches and parses a domain's policy over HTTPS (RFC 8461 3.3). Never throws for network, TLS or HTTP
/// outcomes (those come back as a TLS-RPT failure type); only the caller's cancellation throws.
/// </summary>
public interface IMtaStsPolicyFetcher
{
    /// <param name="domain">The policy domain, canonical (lower-case A-labels, no trailing dot).</param>
    /// <param name="ct">Cancels the fetch; then, and only then, the call throws.</param>
    ValueTask<MtaStsFetchResult> FetchAsync(string domain, CancellationToken ct);
}
