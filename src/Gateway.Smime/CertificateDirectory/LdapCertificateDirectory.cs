using Gateway.Lookups;
using Gateway.Smime.Cms;
using Microsoft.Extensions.Logging;
using BcCertificate = Org.BouncyCastle.X509.X509Certificate;

namespace Gateway.Smime.CertificateDirectory;

/// <summary>
/// Recipient certificates from an LDAP directory, cached per address: found certificates for
/// <see cref="LdapDirectoryOptions.PositiveTtl"/>, "none" for <see cref="LdapDirectoryOptions.NegativeTtl"/>,
/// an unreachable directory for <see cref="LdapDirectoryOptions.FailureTtl"/>. A failure is logged and answered
/// with no certificate: the sender's encryption policy then decides, exactly as for an unknown recipient.
/// The cache keeps the certificates as found and the usability rules run on every lookup, so a certificate
/// that expires while cached stops being offered at once. Disposing closes the directory's kept connections; it still
/// answers after that, on a new connection per search.
/// </summary>
public sealed class LdapCertificateDirectory : ICertificateDirectory, IDisposable
{
    private readonly LdapDirectoryOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly LdapCertificateSearch _search;
    private readonly TtlCache<string, IReadOnlyList<BcCertificate>> _cache;

    public LdapCertificateDirectory(LdapDirectoryOptions options, TimeProvider time, ILogger<LdapCertificateDirectory> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        _options = options;
        _time = time;
        _logger = logger;
        _search = new LdapCertificateSearch(options);
        _cache = new TtlCache<string, IReadOnlyList<BcCertificate>>(time, options.MaxCacheEntries, StringComparer.OrdinalIgnoreCase);
    }

    public async Task<IReadOnlyList<SmimeRecipient>> FindAsync(string address, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (!_cache.TryGet(address, out var certificates))
        {
            try
            {
                certificates = await _search.SearchAsync(address, cancellationToken).ConfigureAwait(false);
                _cache.Set(address, certificates, certificates.Count > 0 ? _options.PositiveTtl : _options.NegativeTtl);
            }
            catch (LdapUnavailableException e)
            {
                DirectoryLog.LdapUnavailable(_logger, address, e.Message);
                certificates = [];
                _cache.Set(address, certificates, _options.FailureTtl);
            }
        }

        return EncryptionCertificateRules.Select(certificates, address, _time.GetUtcNow());
    }

    public void Dispose() => _search.Dispose();
}
