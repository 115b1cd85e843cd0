using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Gateway.Pipeline.Steps.Smime;
using Gateway.Policy;
using Gateway.Smime.CertificateDirectory;
using Gateway.Smime.Cms;
using Gateway.Smime.Revocation;
using Gateway.Smime.Vault;
using Microsoft.Extensions.Logging;

namespace Gateway.Host.Hosting;

/// <summary>
/// The S/MIME parts that outlive policy snapshots: the one key vault (sealed or not), the certificate store under
/// <c>&lt;state&gt;/smime/certificates</c> (admin imports and certificates harvested from valid inbound signatures), and
/// revocation checking (CRL files dropped in <c>&lt;state&gt;/smime/crl-import</c>, and CRLs fetched from distribution
/// points with size and time limits, cached). Each snapshot gets its <see cref="SmimeServices"/> from here, with the
/// trust anchors its policy names.
/// </summary>
internal sealed class SmimeHost : IDisposable
{
    private readonly KeyVault _vault;
    private readonly TimeProvider _time;
    private readonly FileCertificateStore _store;
    private readonly VaultCertificateDirectory _vaultCertificates;
    private readonly ILoggerFactory _loggers;

    // The LDAP directory of the latest policy that named one, kept across reloads that leave its settings alone so
    // its cache survives; a changed setting starts a new one (snapshots still holding the old one keep using it).
    private readonly Lock _ldapGate = new();
    private (string Identity, LdapCertificateDirectory Directory)? _ldap;
    private readonly HttpClientFetcher _fetcher;
    private readonly RevocationChecker _revocation;
    private readonly VaultSmimeKeySource _keys;

    public SmimeHost(KeyVault vault, string smimeDirectory, TimeProvider time, ILoggerFactory loggers)
    {
        _vault = vault;
        _time = time;
        _keys = new VaultSmimeKeySource(vault);
        _store = new FileCertificateStore(new FileCertificateStoreOptions(Path.Combine(smimeDirectory, "certificates")), time, loggers.CreateLogger<FileCertificateStore>());
        _vaultCertificates = new VaultCertificateDirectory(vault, time);
        _loggers = loggers;
        _fetcher = new HttpClientFetcher(new HttpFetchOptions());
        _revocation = new RevocationChecker(
            [
                new CrlDirectorySource(Path.Combine(smimeDirectory, "crl-import"), loggers.CreateLogger<CrlDirectorySource>()),
                new DistributionPointCrlSource(_fetcher, new CrlFetchOptions(), time, loggers.CreateLogger<DistributionPointCrlSource>()),
            ],
            new RevocationOptions(),
            time,
            loggers.CreateLogger<RevocationChecker>());
    }

    /// <summary>
    /// The services of one snapshot; a trust-anchor file that holds no certificate, or an LDAP password file that
    /// cannot be read, is a policy error.
    /// </summary>
    public SmimeServices Build(GatewayPolicy policy, List<PolicyError> problems)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(problems);
        SmimeVerifier? verifier = null;
        if (policy.Smime.Verify.Enabled)
        {
            verifier = new SmimeVerifier(new SmimeTrust(Anchors(policy.Smime.Verify.TrustAnchors, problems)), _time, SmimeLimits.Default, _revocation);
        }

        ICertificateDirectory[] sources = Ldap(policy.Smime.Directory.Ldap, problems) is { } ldap
            ? [_vaultCertificates, _store, ldap]
            : [_vaultCertificates, _store];
        var directory = new CompositeCertificateDirectory(sources);
        return new SmimeServices
        {
            Keys = _keys,
            IsSealed = () => _vault.IsSealed,
            FindCertificate = async (address, cancellationToken) =>
                (await directory.FindAsync(address, cancellationToken).ConfigureAwait(false)) is { Count: > 0 } found ? found[0] : null,
            Harvest = policy.Smime.Verify.Harvest ? HarvestAsync : null,
            Verifier = verifier,
            Time = _time,
        };
    }

    public void Dispose()
    {
        _store.Dispose();
        _fetcher.Dispose();
        _keys.Dispose();
        _ldap?.Directory.Dispose();
    }

    private LdapCertificateDirectory? Ldap(LdapPolicy? settings, List<PolicyError> problems)
    {
        if (settings is null)
        {
            return null;
        }

        var identity = LdapSettings.Identity(settings);
        lock (_ldapGate)
        {
            if (_ldap is { } current && current.Identity == identity)
            {
                return current.Directory;
            }

            if (LdapSettings.Build(settings, "smime.directory.ldap", problems) is not { } search)
            {
                return null;
            }

            var directory = new LdapCertificateDirectory(
                new LdapDirectoryOptions(search) { PositiveTtl = settings.CacheFound, NegativeTtl = settings.CacheNotFound },
                _time,
                _loggers.CreateLogger<LdapCertificateDirectory>());

            // Snapshots still holding the replaced directory go on searching, on new connections.
            _ldap?.Directory.Dispose();
            _ldap = (identity, directory);
            return directory;
        }
    }

    private async ValueTask HarvestAsync(SmimeRecipient signer, CancellationToken cancellationToken) =>
        await _store.AddHarvestedAsync(signer, cancellationToken).ConfigureAwait(false);

    private static List<X509Certificate2> Anchors(string? path, List<PolicyError> problems)
    {
        if (path is null)
        {
            return [];
        }

        var anchors = new X509Certificate2Collection();
        try
        {
            anchors.ImportFromPemFile(path);
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException)
        {
            problems.Add(new PolicyError(path, 1, 1, "smime.verify.trust_anchors: " + e.Message));
            return [];
        }

        if (anchors.Count == 0)
        {
            problems.Add(new PolicyError(path, 1, 1, "smime.verify.trust_anchors: no PEM certificate in this file"));
        }

        return [.. anchors];
    }
}
