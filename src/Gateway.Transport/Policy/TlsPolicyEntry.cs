using System.Security.Cryptography.X509Certificates;

namespace Gateway.Transport.Policy;

/// <summary>
/// One line of the TLS policy table (Postfix's smtp_tls_policy_maps): the level for a destination, for "verify"
/// the names the certificate may carry (Postfix "match=", default the MX host name), and for internal routes a
/// pinned set of trust anchors used instead of the system's CAs.
/// </summary>
public sealed record TlsPolicyEntry(TlsLevel Level, IReadOnlyList<string>? MatchNames = null, X509Certificate2Collection? TrustAnchors = null)
{
    public static TlsPolicyEntry Default { get; } = new(TlsLevel.May);

    /// <summary>An entry whose trust anchors are the PEM certificates of a CA bundle file.</summary>
    public static TlsPolicyEntry WithCaFile(TlsLevel level, string caFile, IReadOnlyList<string>? matchNames = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(caFile);
        var anchors = new X509Certificate2Collection();
        anchors.ImportFromPemFile(caFile);
        if (anchors.Count == 0)
        {
            throw new ArgumentException($"no certificate in CA file {caFile}", nameof(caFile));
        }

        return new TlsPolicyEntry(level, matchNames, anchors);
    }
}
