using Gateway.Lookups;
using Microsoft.Extensions.Logging;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.X509;

namespace Gateway.Smime.Revocation;

/// <summary>
/// CRLs fetched from the http:// distribution points (RFC 5280 4.2.1.13) of the certificate being checked.
/// A CRL is cached per URL once it has been checked against the issuer (signature, thisUpdate/nextUpdate) —
/// until its nextUpdate, at most <see cref="CrlFetchOptions.MaxCacheAge"/>; a failed or unusable fetch is
/// remembered for <see cref="CrlFetchOptions.FailureTtl"/>, so one bad distribution point costs one fetch per
/// period, not one per message.
/// </summary>
public sealed class DistributionPointCrlSource : ICrlSource
{
    private readonly IHttpFetcher _fetcher;
    private readonly CrlFetchOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly TtlCache<string, X509Crl?> _cache;

    public DistributionPointCrlSource(IHttpFetcher fetcher, CrlFetchOptions options, TimeProvider time, ILogger<DistributionPointCrlSource> logger)
    {
        ArgumentNullException.ThrowIfNull(fetcher);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        _fetcher = fetcher;
        _options = options;
        _time = time;
        _logger = logger;
        _cache = new TtlCache<string, X509Crl?>(time, options.MaxCacheEntries, StringComparer.Ordinal);
    }

    public async Task<IReadOnlyList<X509Crl>> GetCrlsAsync(X509Certificate certificate, X509Certificate issuer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        ArgumentNullException.ThrowIfNull(issuer);
        var crls = new List<X509Crl>();
        foreach (var uri in HttpDistributionPoints(certificate).Take(_options.MaxPointsPerCertificate))
        {
            // The key includes the issuer: the same URL named by another CA's certificate must be checked against that CA.
            var key = $"{uri}|{Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(issuer.GetEncoded()))}";
            if (!_cache.TryGet(key, out var crl))
            {
                crl = await FetchAsync(uri, issuer, cancellationToken).ConfigureAwait(false);
                var now = _time.GetUtcNow();
                var ttl = crl?.NextUpdate is { } next
                    ? TimeSpan.FromTicks(Math.Min((next - now.UtcDateTime).Ticks, _options.MaxCacheAge.Ticks))
                    : _options.FailureTtl;
                _cache.Set(key, crl, ttl > TimeSpan.Zero ? ttl : _options.FailureTtl);
            }

            if (crl is not null)
            {
                crls.Add(crl);
                break;
            }
        }

        return crls;
    }

    private async Task<X509Crl?> FetchAsync(Uri uri, X509Certificate issuer, CancellationToken cancellationToken)
    {
        var result = await _fetcher.FetchAsync(uri, cancellationToken).ConfigureAwait(false);
        if (result.Body is null)
        {
            RevocationLog.FetchFailed(_logger, uri, result.Problem ?? "no body");
            return null;
        }

        var crl = CrlParser.Parse(result.Body);
        var problem = crl is null ? "not a CRL" : CrlValidation.Problem(crl, issuer, _time.GetUtcNow(), _options.ClockSkew);
        if (problem is not null)
        {
            RevocationLog.CrlRejected(_logger, uri, problem);
            return null;
        }

        return crl;
    }

    /// <summary>The http:// fullName URIs of the certificate's CRL distribution points; every other form is ignored, as is a malformed extension.</summary>
    internal static IReadOnlyList<Uri> HttpDistributionPoints(X509Certificate certificate)
    {
        var uris = new List<Uri>();
        try
        {
            var value = certificate.GetExtensionParsedValue(X509Extensions.CrlDistributionPoints);
            if (value is null)
            {
                return uris;
            }

            foreach (var point in CrlDistPoint.GetInstance(value).GetDistributionPoints())
            {
                if (point.DistributionPointName is not { Type: DistributionPointName.FullName } name)
                {
                    continue;
                }

                foreach (var general in GeneralNames.GetInstance(name.Name).GetNames())
                {
                    if (general.TagNo == GeneralName.UniformResourceIdentifier
                        && Uri.TryCreate(DerIA5String.GetInstance(general.Name).GetString(), UriKind.Absolute, out var uri)
                        && uri.Scheme == Uri.UriSchemeHttp)
                    {
                        uris.Add(uri);
                    }
                }
            }
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or IOException)
        {
            // The certificate comes from a sender; a broken extension means "no distribution point", not a failed verification.
        }

        return uris;
    }
}
