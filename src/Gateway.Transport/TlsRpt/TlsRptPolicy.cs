namespace Gateway.Transport.TlsRpt;

/// <summary>
/// The "policy" object of a TLS-RPT report (RFC 8460 4.3): which policy governed a session. Sessions are counted per
/// distinct policy of a policy domain. For "tlsa" the policy strings are the TLSA records in presentation form and
/// the MX host is the host they were published for; for "sts" the strings are the policy lines and the MX hosts its
/// "mx" patterns.
/// </summary>
public sealed record TlsRptPolicy(string PolicyType, string PolicyDomain, IReadOnlyList<string> PolicyStrings, IReadOnlyList<string> MxHosts)
{
    public static TlsRptPolicy NoPolicy(string domain) => new(TlsRptPolicyTypes.NoPolicyFound, domain, [], []);

    /// <summary>A key equal for equal policies (records compare by reference otherwise: lists).</summary>
    public string Key => string.Join('\n', [PolicyType, PolicyDomain.ToLowerInvariant(), .. PolicyStrings, "|", .. MxHosts]);

    public bool Equals(TlsRptPolicy? other) => other is not null && string.Equals(Key, other.Key, StringComparison.Ordinal);

    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Key);
}
