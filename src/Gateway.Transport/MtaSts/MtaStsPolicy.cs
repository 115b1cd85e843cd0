using Gateway.Syntax;

namespace Gateway.Transport.MtaSts;

/// <summary>
/// A parsed MTA-STS policy (RFC 8461 3.2): its mode, the MX host patterns, how long it may be cached, and the
/// policy text as fetched (kept for TLS-RPT's "policy-string", RFC 8460 4.3).
/// </summary>
public sealed record MtaStsPolicy(MtaStsMode Mode, IReadOnlyList<string> MxPatterns, TimeSpan MaxAge, string Text)
{
    /// <summary>
    /// Whether an MX host name matches one of the patterns (RFC 8461 4.1): equal ignoring case, or a pattern
    /// "*.example.org" matching exactly one further leftmost label ("mx1.example.org", not "a.b.example.org"
    /// nor "example.org").
    /// </summary>
    public bool MatchesMx(string host)
    {
        ArgumentNullException.ThrowIfNull(host);
        var name = DomainName.ComparisonForm(host.TrimEnd('.'));
        foreach (var pattern in MxPatterns)
        {
            var p = DomainName.ComparisonForm(pattern.TrimEnd('.'));
            if (p.StartsWith("*.", StringComparison.Ordinal))
            {
                var suffix = p[1..];
                var dot = name.IndexOf('.', StringComparison.Ordinal);
                if (dot > 0 && string.Equals(name[dot..], suffix, StringComparison.Ordinal))
                {
                    return true;
                }
            }
            else if (string.Equals(name, p, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}
