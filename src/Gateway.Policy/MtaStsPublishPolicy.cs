using System.Net;
using Gateway.Transport.MtaSts;

namespace Gateway.Policy;

/// <summary>
/// Our own MTA-STS policy (mta_sts:), served at https://mta-sts.&lt;domain&gt;/.well-known/mta-sts.txt for each of
/// our domains (RFC 8461 3.2), and the TLS-RPT address published with it.
/// </summary>
public sealed record MtaStsPublishPolicy
{
    public MtaStsMode Mode { get; init; } = MtaStsMode.Testing;

    /// <summary>MX host patterns ("mx1.example.org", "*.example.org"); default: our host name.</summary>
    public IReadOnlyList<string> Mx { get; init; } = [];

    /// <summary>max_age; RFC 8461 3.2 recommends weeks for enforce; at most 31557600 s.</summary>
    public TimeSpan MaxAge { get; init; } = TimeSpan.FromDays(7);

    /// <summary>The HTTPS endpoint serving the policy; null serves nothing (records can still be printed).</summary>
    public IPEndPoint? Listen { get; init; }

    /// <summary>Where others send their TLS reports about us (rua of _smtp._tls, RFC 8460 3); null publishes none.</summary>
    public string? ReportTo { get; init; }
}
