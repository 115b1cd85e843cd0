using System.Security.Cryptography.X509Certificates;
using Org.BouncyCastle.Asn1.X509;
using BcCertificate = Org.BouncyCastle.X509.X509Certificate;

namespace Gateway.Smime.Cms;

/// <summary>The certificate-side checks of RFC 8550: chain to our anchors, emailProtection, and the address.</summary>
internal static class SignerCertificateChecks
{
    /// <summary>The chain's verdict and, when trusted, its certificates leaf first up to the anchor (for revocation checks).</summary>
    public static (SmimeChainStatus Status, string? Detail, IReadOnlyList<BcCertificate> Path) Chain(BcCertificate signer, IEnumerable<BcCertificate> extra, SmimeTrust trust, DateTimeOffset now)
    {
        using var leaf = X509CertificateLoader.LoadCertificate(signer.GetEncoded());
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(trust.Anchors.ToArray());
        // Revocation is RevocationChecker's job, on the path returned here; chain building touches no network.
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        chain.ChainPolicy.VerificationTime = now.UtcDateTime;
        var loaded = new List<X509Certificate2>();
        try
        {
            foreach (var certificate in extra)
            {
                var copy = X509CertificateLoader.LoadCertificate(certificate.GetEncoded());
                loaded.Add(copy);
                chain.ChainPolicy.ExtraStore.Add(copy);
            }
            if (chain.Build(leaf))
            {
                return (SmimeChainStatus.Trusted, null, [.. chain.ChainElements.Select(e => new BcCertificate(e.Certificate.RawData))]);
            }
            var flags = chain.ChainStatus.Aggregate(X509ChainStatusFlags.NoError, (all, s) => all | s.Status);
            var detail = string.Join("; ", chain.ChainStatus.Select(s => s.Status.ToString()).Distinct());
            if (flags.HasFlag(X509ChainStatusFlags.NotTimeValid))
            {
                return (SmimeChainStatus.Expired, detail, []);
            }
            if (flags.HasFlag(X509ChainStatusFlags.UntrustedRoot) || flags.HasFlag(X509ChainStatusFlags.PartialChain))
            {
                return (SmimeChainStatus.Untrusted, detail, []);
            }
            return (SmimeChainStatus.Invalid, detail, []);
        }
        finally
        {
            foreach (var certificate in loaded)
            {
                certificate.Dispose();
            }
        }
    }

    /// <summary>RFC 8550 4.4.4: without an EKU extension any use is allowed; with one, it must name email protection.</summary>
    public static bool EmailProtection(BcCertificate certificate)
    {
        var usages = certificate.GetExtendedKeyUsage();
        return usages is null || usages.Any(u => u.Id is SmimeOids.EmailProtection or SmimeOids.AnyExtendedKeyUsage);
    }

    /// <summary>RFC 8550 3: the From address must be an rfc822Name of the certificate (legacy: the subject's emailAddress).</summary>
    public static bool NamesAddress(BcCertificate certificate, IEnumerable<string> fromAddresses)
    {
        var names = new List<string>();
        foreach (var entry in certificate.GetSubjectAlternativeNames() ?? [])
        {
            if (entry is [int tag, string value, ..] && tag == GeneralName.Rfc822Name)
            {
                names.Add(value);
            }
        }
        names.AddRange(certificate.SubjectDN.GetValueList(X509Name.EmailAddress));
        return fromAddresses.Any(from => names.Any(name => string.Equals(name, from, StringComparison.OrdinalIgnoreCase)));
    }
}
