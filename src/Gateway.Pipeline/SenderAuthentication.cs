using Gateway.Authentication.Arc;
using Gateway.Authentication.Dkim;
using Gateway.Authentication.Dmarc;
using Gateway.Authentication.Reports;
using Gateway.Authentication.Spf;
using Gateway.Policy;
using Gateway.Syntax;

namespace Gateway.Pipeline;

/// <summary>
/// Everything the sender-authentication steps need for one policy snapshot: the verifiers (stateless, shared),
/// the signing keys the policy names (loaded once per policy load) and where DMARC evaluations are recorded.
/// The host builds one per policy load; sessions keep the one they started with.
/// </summary>
public sealed class SenderAuthentication : IDisposable
{
    public required AuthenticationPolicy Policy { get; init; }

    /// <summary>The RFC 8601 authserv-id: the policy's, else our host name.</summary>
    public required string AuthservId { get; init; }

    public required SpfVerifier Spf { get; init; }

    public required DkimVerifierService Dkim { get; init; }

    public required ArcVerifierService Arc { get; init; }

    public required DmarcEvaluator Dmarc { get; init; }

    public required DkimSigningService Signer { get; init; }

    public required ArcSealingService Sealer { get; init; }

    /// <summary>Outbound signing keys from <c>authentication.dkim.sign</c>.</summary>
    public IReadOnlyList<DkimSigningKey> SigningKeys { get; init; } = [];

    /// <summary>The ARC sealing key from <c>authentication.arc.seal</c>, if any.</summary>
    public DkimSigningKey? SealKey { get; init; }

    /// <summary>Where evaluations for aggregate reports go; null when reports are off.</summary>
    public DmarcReportStore? Reports { get; init; }

    public required TimeProvider Time { get; init; }

    /// <summary>Whether any inbound check runs at all (if not, messages are not read back).</summary>
    public bool ChecksInbound => Policy.Spf.Verify || Policy.Dkim.Verify || Policy.Arc.Verify || Policy.Dmarc.Verify;

    /// <summary>Releases the private keys (a reload retires the snapshot that held them).</summary>
    public void Dispose()
    {
        foreach (var key in SigningKeys)
        {
            key.Dispose();
        }

        SealKey?.Dispose();
    }

    /// <summary>The keys that sign mail from <paramref name="authorDomain"/>: its own, else those of a parent domain (relaxed alignment).</summary>
    public IReadOnlyList<DkimSigningKey> KeysFor(string authorDomain)
    {
        var exact = SigningKeys.Where(k => string.Equals(k.Domain, authorDomain, StringComparison.OrdinalIgnoreCase)).ToList();
        if (exact.Count > 0)
        {
            return exact;
        }

        return SigningKeys.Where(k => DomainName.IsSameOrSubdomain(authorDomain, k.Domain)).ToList();
    }
}
