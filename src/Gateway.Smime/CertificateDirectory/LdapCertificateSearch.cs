using System.DirectoryServices.Protocols;
using Gateway.Lookups;
using Org.BouncyCastle.Cms;
using BcCertificate = Org.BouncyCastle.X509.X509Certificate;

namespace Gateway.Smime.CertificateDirectory;

/// <summary>
/// One LDAP search for an address's certificates (<see cref="LdapSearch"/>), reading the certificate attributes.
/// Throws <see cref="LdapUnavailableException"/> when no server answers; <see cref="LdapCertificateDirectory"/>
/// decides what a failure means.
/// </summary>
internal sealed class LdapCertificateSearch : IDisposable
{
    /// <summary>
    /// RFC 4523 2.1: userCertificate must be requested with the ;binary transfer option; RFC 2798 2.7:
    /// userSMIMECertificate is a PKCS#7 SignedData carrying the certificates.
    /// </summary>
    internal static readonly string[] Attributes = ["userCertificate;binary", "userSMIMECertificate"];

    private readonly LdapSearch _search;

    public LdapCertificateSearch(LdapDirectoryOptions options) => _search = new LdapSearch(options);

    /// <summary>Tries each server in order and answers from the first that completes the search.</summary>
    public Task<IReadOnlyList<BcCertificate>> SearchAsync(string address, CancellationToken cancellationToken) =>
        _search.SearchAsync(address, Attributes, Read, cancellationToken);

    public void Dispose() => _search.Dispose();

    private static IReadOnlyList<BcCertificate> Read(SearchResultEntryCollection entries)
    {
        var certificates = new List<BcCertificate>();
        foreach (SearchResultEntry entry in entries)
        {
            foreach (string name in entry.Attributes.AttributeNames)
            {
                var attribute = entry.Attributes[name];
                var smime = name.StartsWith("userSMIMECertificate", StringComparison.OrdinalIgnoreCase);
                if (!smime && !name.StartsWith("userCertificate", StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }

                foreach (byte[] value in attribute.GetValues(typeof(byte[])))
                {
                    certificates.AddRange(smime ? FromSignedData(value) : FromDer(value));
                }
            }
        }

        return certificates;
    }

    private static IEnumerable<BcCertificate> FromDer(byte[] value)
    {
        try
        {
            return [new BcCertificate(value)];
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or IOException or Org.BouncyCastle.Security.Certificates.CertificateException)
        {
            // One unreadable value in a directory entry must not hide the other certificates.
            return [];
        }
    }

    private static IEnumerable<BcCertificate> FromSignedData(byte[] value)
    {
        try
        {
            return [.. new CmsSignedData(value).GetCertificates().EnumerateMatches(null)];
        }
        catch (Exception e) when (e is CmsException or ArgumentException or InvalidOperationException or IOException)
        {
            // Some directories put a bare certificate here instead of the SignedData RFC 2798 asks for.
            return FromDer(value);
        }
    }
}
