using System.Net;

namespace Gateway.Authentication.Spf;

/// <summary>
/// The outcome of one SPF check (RFC 7208 2.6) with what the Authentication-Results header (RFC 8601 2.7.2)
/// and the logs need: which identity and domain were checked, for which client, why.
/// </summary>
/// <param name="Result">The check_host() result.</param>
/// <param name="Identity"><see cref="MailFromIdentity"/> or <see cref="HeloIdentity"/> (RFC 7208 9.1 "identity").</param>
/// <param name="Domain">The domain whose policy was checked first (before include/redirect).</param>
/// <param name="Sender">The &lt;sender&gt; as evaluated: "postmaster@" was substituted where RFC 7208 2.4/4.3 says so.</param>
/// <param name="Client">The client address (IPv4-mapped IPv6 addresses are given as IPv4, RFC 7208 5).</param>
public sealed record SpfCheck(SpfResult Result, string Identity, string Domain, string Sender, IPAddress Client)
{
    /// <summary>The MAIL FROM identity (RFC 7208 2.4), also used for a null reverse-path with the HELO domain.</summary>
    public const string MailFromIdentity = "mailfrom";

    /// <summary>The HELO identity (RFC 7208 2.3).</summary>
    public const string HeloIdentity = "helo";

    /// <summary>For <see cref="SpfResult.Fail"/> only: the domain's exp= text, macro-expanded (RFC 7208 6.2); else null.</summary>
    public string? Explanation { get; init; }

    /// <summary>For permerror and temperror (and none): a short reason for logs; never shown to the client.</summary>
    public string? Problem { get; init; }

    /// <summary>The directive that decided the result as published (e.g. "-all", "ip4:192.0.2.0/24"); null for the default result.</summary>
    public string? Mechanism { get; init; }

    /// <summary>How many DNS-querying mechanisms and modifiers were evaluated (RFC 7208 4.6.4 counts up to 10).</summary>
    public int DnsLookups { get; init; }
}
