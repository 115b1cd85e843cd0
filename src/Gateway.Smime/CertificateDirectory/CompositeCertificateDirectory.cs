using Gateway.Smime.Cms;

namespace Gateway.Smime.CertificateDirectory;

/// <summary>
/// Asks its sources in order and answers with the first non-empty answer: a certificate we hold or were
/// given (vault, imports, harvest) is preferred to one a directory server offers, and later sources are not
/// queried at all once an earlier one knows the address.
/// </summary>
public sealed class CompositeCertificateDirectory : ICertificateDirectory
{
    private readonly IReadOnlyList<ICertificateDirectory> _sources;

    public CompositeCertificateDirectory(IEnumerable<ICertificateDirectory> sources)
    {
        ArgumentNullException.ThrowIfNull(sources);
        _sources = [.. sources];
    }

    public async Task<IReadOnlyList<SmimeRecipient>> FindAsync(string address, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(address);
        foreach (var source in _sources)
        {
            var found = await source.FindAsync(address, cancellationToken).ConfigureAwait(false);
            if (found.Count > 0)
            {
                return found;
            }
        }

        return [];
    }
}
