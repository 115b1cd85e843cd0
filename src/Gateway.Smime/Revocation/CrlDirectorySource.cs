using Microsoft.Extensions.Logging;
using Org.BouncyCastle.X509;

namespace Gateway.Smime.Revocation;

/// <summary>
/// CRLs an administrator imported into a directory (DER or PEM, any file name), for CAs whose CRLs are not
/// reachable over HTTP or must not be fetched. The directory is listed on every check, and a file is parsed again
/// only when its modification time or size changes, so replacing a CRL takes effect at once without a restart.
/// </summary>
public sealed class CrlDirectorySource : ICrlSource
{
    private readonly string _directory;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private Dictionary<string, (DateTime Written, long Length, X509Crl? Crl)> _files = new(StringComparer.Ordinal);

    public CrlDirectorySource(string directory, ILogger<CrlDirectorySource> logger)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(logger);
        _directory = directory;
        _logger = logger;
    }

    public Task<IReadOnlyList<X509Crl>> GetCrlsAsync(X509Certificate certificate, X509Certificate issuer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(issuer);
        var crls = Refresh(cancellationToken);
        IReadOnlyList<X509Crl> matching = [.. crls.Where(c => c.IssuerDN.Equivalent(issuer.SubjectDN)).OrderByDescending(c => c.ThisUpdate)];
        return Task.FromResult(matching);
    }

    private List<X509Crl> Refresh(CancellationToken cancellationToken)
    {
        if (!Directory.Exists(_directory))
        {
            return [];
        }

        var next = new Dictionary<string, (DateTime, long, X509Crl?)>(StringComparer.Ordinal);
        lock (_lock)
        {
            foreach (var path in Directory.EnumerateFiles(_directory))
            {
                cancellationToken.ThrowIfCancellationRequested();
                var info = new FileInfo(path);
                if (info.Name.StartsWith('.'))
                {
                    continue;
                }

                if (_files.TryGetValue(path, out var known) && known.Written == info.LastWriteTimeUtc && known.Length == info.Length)
                {
                    next[path] = known;
                    continue;
                }

                var crl = Load(path);
                next[path] = (info.LastWriteTimeUtc, info.Length, crl);
            }

            _files = next;
            return [.. next.Values.Select(v => v.Item3).OfType<X509Crl>()];
        }
    }

    private X509Crl? Load(string path)
    {
        try
        {
            var crl = CrlParser.Parse(File.ReadAllBytes(path));
            if (crl is null)
            {
                RevocationLog.UnreadableCrl(_logger, path, "not a CRL");
            }

            return crl;
        }
        catch (IOException e)
        {
            RevocationLog.UnreadableCrl(_logger, path, e.Message);
            return null;
        }
    }
}
