using System.Security.Cryptography.X509Certificates;

namespace Gateway.Transport.MtaSts;

/// <summary>Limits and trust for fetching policies (RFC 8461 3.3).</summary>
public sealed class MtaStsFetcherOptions
{
    /// <summary>The HTTPS port of the policy host. RFC 8461 3.3 fixes 443; other values are for tests.</summary>
    public int Port { get; init; } = 443;

    /// <summary>
    /// The whole fetch, from the address lookup to the last body byte. RFC 8461 3.3: "senders SHOULD impose a
    /// timeout on the HTTPS GET". One overall deadline rather than a per-read idle timeout, so a server dribbling
    /// bytes cannot hold a fetch open; 60 seconds leaves a slow host its chance.
    /// </summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The largest policy body accepted, in bytes (RFC 8461 3.3 asks for a limit; 64 KiB is generous).</summary>
    public int MaxPolicyBytes { get; init; } = MtaStsPolicyParser.MaxPolicyLength;

    /// <summary>
    /// Root certificates trusted in addition to the system's (a private CA bundle; tests pass their test CA). A
    /// certificate is accepted when it chains to a system root or to one of these, and in both cases names
    /// "mta-sts.&lt;domain&gt;". Adding roots never weakens the name check.
    /// </summary>
    public X509Certificate2Collection? ExtraTrustedRoots { get; init; }
}
