using Microsoft.Extensions.Logging;
using Org.BouncyCastle.X509;

namespace Gateway.Smime.Revocation;

/// <summary>
/// Checks a validated chain against CRLs from its sources, certificate by certificate up to (not including)
/// the trust anchor, which no CRL of ours can revoke. The first source with a usable CRL for a certificate
/// decides it; a certificate no source covers leaves the chain <see cref="RevocationStatus.Unknown"/>.
/// </summary>
public sealed class RevocationChecker
{
    private readonly IReadOnlyList<ICrlSource> _sources;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public RevocationChecker(IEnumerable<ICrlSource> sources, RevocationOptions options, TimeProvider time, ILogger<RevocationChecker> logger)
    {
        ArgumentNullException.ThrowIfNull(sources);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        _sources = [.. sources];
        Options = options;
        _time = time;
        _logger = logger;
    }

    public RevocationOptions Options { get; }

    /// <param name="chain">Leaf first, ending with the trust anchor, as chain building returned it.</param>
    /// <param name="cancellationToken">Cancels pending fetches.</param>
    public async Task<RevocationResult> CheckAsync(IReadOnlyList<X509Certificate> chain, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(chain);
        RevocationResult? unknown = null;
        for (var i = 0; i + 1 < chain.Count; i++)
        {
            var result = await CheckOneAsync(chain[i], chain[i + 1], cancellationToken).ConfigureAwait(false);
            if (result.Status == RevocationStatus.Revoked)
            {
                return result;
            }

            unknown ??= result.Status == RevocationStatus.Unknown ? result : null;
        }

        return unknown ?? new RevocationResult(chain.Count > 1 ? RevocationStatus.Good : RevocationStatus.NotChecked);
    }

    private async Task<RevocationResult> CheckOneAsync(X509Certificate certificate, X509Certificate issuer, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var problems = new List<string>();
        foreach (var source in _sources)
        {
            IReadOnlyList<X509Crl> crls;
            try
            {
                crls = await source.GetCrlsAsync(certificate, issuer, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // A source's own failure (disk, network, a CRL that breaks the parser) leaves the status unknown;
                // it must not turn a good signature into a verification error.
                RevocationLog.SourceFailed(_logger, source.GetType().Name, e);
                problems.Add("CRL source failed");
                continue;
            }

            foreach (var crl in crls)
            {
                if (CrlValidation.Problem(crl, issuer, now, Options.ClockSkew) is { } problem)
                {
                    problems.Add(problem);
                    continue;
                }

                if (crl.GetRevokedCertificate(certificate.SerialNumber) is { } entry)
                {
                    var detail = $"{certificate.SubjectDN} (serial {certificate.SerialNumber.ToString(16)}) revoked {entry.RevocationDate:u}";
                    RevocationLog.Revoked(_logger, detail);
                    return new RevocationResult(RevocationStatus.Revoked, detail);
                }

                return new RevocationResult(RevocationStatus.Good);
            }
        }

        var why = problems.Count == 0 ? "no CRL" : string.Join("; ", problems.Distinct());
        return new RevocationResult(RevocationStatus.Unknown, $"{certificate.SubjectDN}: {why}");
    }
}
