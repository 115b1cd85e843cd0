using System.Security.Cryptography.X509Certificates;
using Org.BouncyCastle.Asn1.X509;

namespace Gateway.Smime.Vault;

/// <summary>The mail addresses a certificate is for: rfc822Name entries of subjectAltName and the subject's emailAddress (RFC 8550 3).</summary>
internal static class CertificateNames
{
    public static IReadOnlyList<string> Addresses(X509Certificate2 certificate)
    {
        var parsed = new Org.BouncyCastle.X509.X509Certificate(certificate.RawData);
        var addresses = new List<string>();
        foreach (var name in parsed.GetSubjectAlternativeNames() ?? [])
        {
            if (name.Count == 2 && name[0] is int tag && tag == GeneralName.Rfc822Name && name[1] is string address)
            {
                addresses.Add(address.ToLowerInvariant());
            }
        }

        foreach (var email in parsed.SubjectDN.GetValueList(X509Name.EmailAddress))
        {
            addresses.Add(email.ToLowerInvariant());
        }

        return [.. addresses.Distinct(StringComparer.Ordinal)];
    }

    /// <summary>A user's key must come with a certificate for that user; a domain key may name anything.</summary>
    public static void RequireNames(X509Certificate2 certificate, VaultIdentity identity)
    {
        if (identity.Kind != VaultIdentityKind.User)
        {
            return;
        }

        var addresses = Addresses(certificate);
        if (!addresses.Contains(identity.Name))
        {
            throw new VaultException(addresses.Count == 0
                ? $"the certificate names no mail address, so it cannot be escrowed for {identity}"
                : $"the certificate is for {string.Join(", ", addresses)}, not {identity}");
        }
    }
}
