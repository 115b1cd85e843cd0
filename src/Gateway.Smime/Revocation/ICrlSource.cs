using Org.BouncyCastle.X509;

namespace Gateway.Smime.Revocation;

/// <summary>
/// Offers CRLs that may cover <c>certificate</c>, issued by <c>issuer</c>. Candidates need not be verified:
/// <see cref="RevocationChecker"/> accepts only those signed by the issuer and current by its clock. A source
/// answers an empty list when it has nothing or cannot reach anything; it never throws for that.
/// </summary>
public interface ICrlSource
{
    Task<IReadOnlyList<X509Crl>> GetCrlsAsync(X509Certificate certificate, X509Certificate issuer, CancellationToken cancellationToken);
}
