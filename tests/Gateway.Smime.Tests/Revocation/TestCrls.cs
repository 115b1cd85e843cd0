using Gateway.Smime.Tests.Cms;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Operators;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.X509;

namespace Gateway.Smime.Tests.Revocation;

/// <summary>CRLs made at test time, and certificates that name where their CRL is.</summary>
internal static class TestCrls
{
    /// <param name="ca">The issuer named in the CRL.</param>
    /// <param name="revoked">Serial numbers listed.</param>
    /// <param name="thisUpdate">Issue time.</param>
    /// <param name="nextUpdate">Next issue time.</param>
    /// <param name="signingKey">Signs instead of the CA's key (a forged CRL).</param>
    /// <param name="padding">Filler entries, to make a CRL large.</param>
    public static X509Crl Create(TestCa ca, IEnumerable<BigInteger> revoked, DateTime thisUpdate, DateTime nextUpdate,
        AsymmetricKeyParameter? signingKey = null, int padding = 0)
    {
        var generator = new X509V2CrlGenerator();
        generator.SetIssuerDN(ca.Certificate.SubjectDN);
        generator.SetThisUpdate(thisUpdate);
        generator.SetNextUpdate(nextUpdate);
        foreach (var serial in revoked)
        {
            generator.AddCrlEntry(serial, thisUpdate.AddMinutes(-1), CrlReason.KeyCompromise);
        }

        for (var i = 0; i < padding; i++)
        {
            generator.AddCrlEntry(BigInteger.ValueOf(1_000_000 + i), thisUpdate.AddMinutes(-1), CrlReason.Superseded);
        }

        generator.AddExtension(X509Extensions.CrlNumber, false, new CrlNumber(BigInteger.One));
        return generator.Generate(new Asn1SignatureFactory("SHA256WITHRSA", signingKey ?? ca.PrivateKey));
    }

    /// <summary>Adds a CRL distribution point extension naming <paramref name="url"/>.</summary>
    public static Action<X509V3CertificateGenerator> DistributionPoint(string url) => generator =>
        generator.AddExtension(X509Extensions.CrlDistributionPoints, false, new CrlDistPoint([
            new DistributionPoint(
                new DistributionPointName(new GeneralNames(new GeneralName(GeneralName.UniformResourceIdentifier, new DerIA5String(url)))),
                null, null),
        ]));
}
