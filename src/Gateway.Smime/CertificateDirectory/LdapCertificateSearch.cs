using System.DirectoryServices.Protocols;
using System.Net;
using Org.BouncyCastle.Cms;
using BcCertificate = Org.BouncyCastle.X509.X509Certificate;

namespace Gateway.Smime.CertificateDirectory;

/// <summary>
/// One LDAP search for an address's certificates over <c>System.DirectoryServices.Protocols</c> (OpenLDAP's
/// libldap on Linux): connect, bind, search, read the certificate attributes. Throws on any protocol failure;
/// <see cref="LdapCertificateDirectory"/> decides what a failure means.
/// </summary>
internal sealed class LdapCertificateSearch
{
    /// <summary>
    /// RFC 4523 2.1: userCertificate must be requested with the ;binary transfer option; RFC 2798 2.7:
    /// userSMIMECertificate is a PKCS#7 SignedData carrying the certificates.
    /// </summary>
    internal static readonly string[] Attributes = ["userCertificate;binary", "userSMIMECertificate"];

    private readonly LdapDirectoryOptions _options;

    public LdapCertificateSearch(LdapDirectoryOptions options) => _options = options;

    /// <summary>Tries each server in order and answers from the first that completes the search.</summary>
    public async Task<IReadOnlyList<BcCertificate>> SearchAsync(string address, CancellationToken cancellationToken)
    {
        var filter = LdapFilter.Build(_options.FilterTemplate, address);
        Exception? last = null;
        foreach (var server in _options.Servers)
        {
            try
            {
                // libldap's calls block; a worker thread carries them, and the wait is bounded twice (the library's
                // own timeout, and ours in case it ignores it during connect).
                return await Task.Run(() => Search(server, filter), cancellationToken)
                    .WaitAsync(_options.Timeout * 2, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is DirectoryException or TimeoutException or LdapException)
            {
                last = e;
            }
        }

        throw new LdapDirectoryUnavailableException(last?.Message ?? "no LDAP server configured", last);
    }

    private List<BcCertificate> Search(Uri server, string filter)
    {
        var identifier = new LdapDirectoryIdentifier(server.Host, server.IsDefaultPort ? DefaultPort(server) : server.Port);
        using var connection = _options.BindDn is null
            ? new LdapConnection(identifier) { AuthType = AuthType.Anonymous }
            : new LdapConnection(identifier, new NetworkCredential(_options.BindDn, _options.BindPassword), AuthType.Basic);
        connection.SessionOptions.ProtocolVersion = 3;
        connection.SessionOptions.SecureSocketLayer = server.Scheme == "ldaps";
        connection.SessionOptions.ReferralChasing = ReferralChasingOptions.None;
        connection.Timeout = _options.Timeout;
        connection.Bind();

        var request = new SearchRequest(_options.BaseDn, filter, SearchScope.Subtree, Attributes)
        {
            SizeLimit = _options.MaxEntries,
            TimeLimit = _options.Timeout,
        };
        SearchResponse response;
        try
        {
            response = (SearchResponse)connection.SendRequest(request, _options.Timeout);
        }
        catch (DirectoryOperationException e) when (e.Response is SearchResponse partial && partial.ResultCode == ResultCode.SizeLimitExceeded)
        {
            // More entries share the address than we read: the first ones are an answer, not a failure.
            response = partial;
        }

        var certificates = new List<BcCertificate>();
        foreach (SearchResultEntry entry in response.Entries)
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

    private static int DefaultPort(Uri server) => server.Scheme == "ldaps" ? 636 : 389;

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
