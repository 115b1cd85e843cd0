using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.X509;

namespace Gateway.Smime.Revocation;

/// <summary>RFC 5280 6.3.3 in the part we implement: a complete, current CRL signed by the certificate's own issuer.</summary>
internal static class CrlValidation
{
    private const int CrlSignBit = 6;

    /// <summary>Null when the CRL may be used to judge certificates of <paramref name="issuer"/> at <paramref name="now"/>; else why not.</summary>
    public static string? Problem(X509Crl crl, X509Certificate issuer, DateTimeOffset now, TimeSpan skew)
    {
        if (!crl.IssuerDN.Equivalent(issuer.SubjectDN))
        {
            return "issued by another CA";
        }

        // RFC 5280 4.2.1.3: a CA key without cRLSign must not be believed when it signs a CRL.
        if (issuer.GetKeyUsage() is { } usage && !usage[CrlSignBit])
        {
            return "the issuer's key may not sign CRLs";
        }

        try
        {
            crl.Verify(issuer.GetPublicKey());
        }
        catch (Exception e) when (e is Org.BouncyCastle.Security.InvalidKeyException or Org.BouncyCastle.Security.SignatureException
            or Org.BouncyCastle.Crypto.CryptoException or ArgumentException or InvalidOperationException)
        {
            return "bad signature";
        }

        if (crl.ThisUpdate > (now + skew).UtcDateTime)
        {
            return "thisUpdate is in the future";
        }

        // RFC 5280 5.1.2.5: nextUpdate is mandatory for conforming CRLs; without it we cannot tell it is current.
        if (crl.NextUpdate is not { } next || next < (now - skew).UtcDateTime)
        {
            return "stale (past nextUpdate)";
        }

        // Delta and indirect CRLs list other things than "all revoked certificates of this issuer".
        if (crl.GetExtensionValue(X509Extensions.DeltaCrlIndicator) is not null)
        {
            return "delta CRL";
        }

        return null;
    }
}
