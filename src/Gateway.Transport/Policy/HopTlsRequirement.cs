using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Gateway.Abstractions;
using Gateway.Transport.MtaSts;
using Gateway.Transport.TlsRpt;

namespace Gateway.Transport.Policy;

/// <summary>
/// What delivery to one MX host must get from TLS: the level, whether TLS is mandatory, the names the certificate
/// must carry, the TLSA records (DANE) or MTA-STS policy that authenticate it, pinned trust anchors for internal
/// routes, and the TLS-RPT policy the sessions are counted under. <see cref="TestingOnly"/> marks an MTA-STS policy
/// in testing mode: failures are reported, never enforced (RFC 8461 5). <see cref="UnavailableReason"/> is set when
/// the host must not be used at all now (a TLSA lookup that failed, "dane-only" without DANE): skip it and defer.
/// </summary>
public sealed record HopTlsRequirement
{
    public required string Host { get; init; }

    public required TlsLevel Level { get; init; }

    /// <summary>Whether delivery without TLS (or with a refused certificate) must not happen.</summary>
    public bool TlsMandatory => !TestingOnly && Level is not (TlsLevel.None or TlsLevel.May);

    /// <summary>MTA-STS testing mode: check and report as for enforce, but deliver whatever the outcome.</summary>
    public bool TestingOnly { get; init; }

    /// <summary>The reference names for "verify", "mta-sts" and DANE-TA (RFC 7672 3.2.2; Postfix "match=").</summary>
    public IReadOnlyList<string> VerifyNames { get; init; } = [];

    /// <summary>The host's DNSSEC-secure TLSA records (as published, usable or not) when the level is DANE.</summary>
    public IReadOnlyList<TlsaRecord> Tlsa { get; init; } = [];

    public MtaStsPolicy? MtaSts { get; init; }

    /// <summary>Trust anchors pinned for the destination instead of the system's CAs ("verify" on internal routes).</summary>
    public X509Certificate2Collection? TrustAnchors { get; init; }

    /// <summary>The policy domain (the recipient domain, RFC 8460 3) and what is reported for it.</summary>
    public required TlsRptPolicy Report { get; init; }

    /// <summary>Set when the host must be skipped: why, for the delivery diagnostic.</summary>
    public string? UnavailableReason { get; init; }

    /// <summary>The TLS-RPT result type of <see cref="UnavailableReason"/>.</summary>
    public string? UnavailableResultType { get; init; }

    /// <summary>
    /// Who demands TLS, for messages: "DANE", "MTA-STS policy of example.org", "policy (verify)".
    /// </summary>
    public string RequiredBy => Level switch
    {
        TlsLevel.Dane or TlsLevel.DaneOnly => "DANE",
        TlsLevel.MtaSts => "MTA-STS policy of " + Report.PolicyDomain,
        _ => "policy (" + LevelName(Level) + ")",
    };

    /// <summary>
    /// A fingerprint of everything that decides whether a certificate is accepted. A connection pool keys idle
    /// connections by it (with the address and port), so a connection verified under one requirement is never
    /// reused for a different, possibly stricter one; equal requirements share connections.
    /// </summary>
    public string PoolKey
    {
        get
        {
            var text = new StringBuilder();
            text.Append(CultureInfo.InvariantCulture, $"{Host.ToLowerInvariant()}|{Level}|{TlsMandatory}|{TestingOnly}|");
            text.AppendJoin(',', VerifyNames.Select(n => n.ToLowerInvariant()).Order(StringComparer.Ordinal)).Append('|');
            text.AppendJoin(',', Tlsa.Select(r => r.ToString()).Order(StringComparer.Ordinal)).Append('|');
            text.Append(MtaSts?.Text ?? string.Empty).Append('|');
            text.AppendJoin(',', (TrustAnchors ?? []).Select(c => c.GetCertHashString(HashAlgorithmName.SHA256)).Order(StringComparer.Ordinal));
            return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
        }
    }

    /// <summary>Postfix's spelling of a level, as written in the policy table.</summary>
    public static string LevelName(TlsLevel level) => level switch
    {
        TlsLevel.None => "none",
        TlsLevel.May => "may",
        TlsLevel.Encrypt => "encrypt",
        TlsLevel.Verify => "verify",
        TlsLevel.Dane => "dane",
        TlsLevel.DaneOnly => "dane-only",
        TlsLevel.MtaSts => "mta-sts",
        _ => level.ToString(),
    };
}
