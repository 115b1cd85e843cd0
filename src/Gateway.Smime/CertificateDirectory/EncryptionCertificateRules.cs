using Gateway.Smime.Cms;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.X509;

namespace Gateway.Smime.CertificateDirectory;

/// <summary>
/// Whether a certificate may be encrypted to for a mail address (RFC 8550 4.4): valid now, for email, with a
/// key usage that allows key transport or agreement, and naming the address.
/// </summary>
internal static class EncryptionCertificateRules
{
    // RFC 5280 4.2.1.3 bit positions as BouncyCastle's GetKeyUsage() returns them.
    private const int KeyEnciphermentBit = 2;
    private const int KeyAgreementBit = 4;

    public static bool IsUsable(X509Certificate certificate, string address, DateTimeOffset now) =>
        IsTimeValid(certificate, now)
        && SignerCertificateChecks.EmailProtection(certificate)
        && AllowsKeyEstablishment(certificate)
        && !IsCa(certificate)
        && NamesAddress(certificate, address);

    public static bool IsTimeValid(X509Certificate certificate, DateTimeOffset now) =>
        certificate.NotBefore <= now.UtcDateTime && now.UtcDateTime <= certificate.NotAfter;

    /// <summary>RFC 5280 4.2.1.3: without the extension every use is allowed.</summary>
    public static bool AllowsKeyEstablishment(X509Certificate certificate) =>
        certificate.GetKeyUsage() is not { } usage || usage[KeyEnciphermentBit] || usage[KeyAgreementBit];

    public static bool IsCa(X509Certificate certificate) =>
        BasicConstraints.GetInstance(certificate.GetExtensionParsedValue(X509Extensions.BasicConstraints)) is { } constraints
        && constraints.IsCA();

    /// <summary>
    /// The rfc822Name entries of subjectAltName (RFC 8550 3: the subject's emailAddress is legacy and not
    /// consulted for encryption). RFC 5321 2.4 leaves the local part's case to the receiving system, so strictly
    /// only the domain is case-insensitive; we compare the whole address case-insensitively, as CAs issue and
    /// mail systems deliver, since a case-exact match would only lose certificates, never misdirect mail.
    /// </summary>
    public static IReadOnlyList<string> Addresses(X509Certificate certificate)
    {
        var names = new List<string>();
        foreach (var entry in certificate.GetSubjectAlternativeNames() ?? [])
        {
            if (entry is [int tag, string value, ..] && tag == GeneralName.Rfc822Name)
            {
                names.Add(value);
            }
        }

        return names;
    }

    public static bool NamesAddress(X509Certificate certificate, string address) =>
        Addresses(certificate).Any(name => string.Equals(name, address, StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// The usable ones of <paramref name="candidates"/>, newest notBefore first, each with what its certificate
    /// advertises, plus what <paramref name="advertised"/> knows from the holder's signatures.
    /// </summary>
    public static IReadOnlyList<SmimeRecipient> Select(IEnumerable<X509Certificate> candidates, string address, DateTimeOffset now,
        Func<X509Certificate, RecipientCapabilities>? advertised = null) =>
        [.. candidates
            .Where(c => IsUsable(c, address, now))
            .DistinctBy(c => Convert.ToHexString(c.GetEncoded()))
            .OrderByDescending(c => c.NotBefore)
            .Select(c => new SmimeRecipient(c, Combine(RecipientCapabilities.FromCertificate(c), advertised?.Invoke(c))))];

    private static RecipientCapabilities Combine(RecipientCapabilities fromCertificate, RecipientCapabilities? fromSignatures) =>
        fromSignatures is null ? fromCertificate
            : new RecipientCapabilities(fromCertificate.Aes256Gcm || fromSignatures.Aes256Gcm, fromCertificate.RsaOaep || fromSignatures.RsaOaep);
}
