using Gateway.Syntax;

namespace Gateway.Authentication.Dkim;

/// <summary>Syntax checks for d= and s= before they become part of a DNS query.</summary>
internal static class DkimNames
{
    /// <summary>
    /// RFC 6376 3.5 d= and s=: the domain by <see cref="DomainName"/> rules (A-labels only, no trailing dot); the
    /// selector as labels in front of "._domainkey." and the domain, so its last label may be all-numeric
    /// ("s=2024"). Underscores are accepted in both, as in any DNS owner name; real selectors use them.
    /// </summary>
    public static bool AreValid(string domain, string selector) =>
        DomainName.IsValid(domain, DomainNameOptions.AllowUnderscore)
        && DomainName.IsValid(selector, DomainNameOptions.AllowUnderscore | DomainNameOptions.Relative);

    /// <summary>The DNS name of a key record: RFC 6376 3.6.2.1.</summary>
    public static string KeyName(string selector, string domain) => selector + "._domainkey." + domain;
}
