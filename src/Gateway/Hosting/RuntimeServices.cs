using Gateway.Abstractions;
using Gateway.Authentication.Reports;
using Gateway.Dns;
using Gateway.Pipeline.Limits;
using Gateway.Pipeline.Steps.Spam;
using Gateway.Policy;
using Gateway.Spam.Reputation;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Host.Hosting;

/// <summary>
/// What every policy snapshot is built with and no snapshot owns: one DNS resolver (one cache, warm across
/// reloads), one Public Suffix List, the clock, logging, the DMARC evaluation store, the S/MIME key vault with its
/// certificate stores, the rate limits' and greylist's state, the counters of the scanners, the DNS list answers
/// (kept across reloads like the resolver's), and recipient verification's caches and directory connections. Built
/// once by the host.
/// </summary>
internal sealed record RuntimeServices(
    TimeProvider Time,
    IDnsResolver Dns,
    PublicSuffixSource Suffixes,
    ILoggerFactory Loggers,
    DmarcReportStore? Reports = null,
    SmimeHost? Smime = null,
    LimitsState? Limits = null,
    IScannerMetrics? ScannerMetrics = null,
    RecipientsHost? Recipients = null)
{
    /// <summary>The DNS list client over <see cref="Dns"/>, shared by every snapshot so its cache outlives a reload.</summary>
    public DnsListClient DnsLists { get; } = new(Dns, Time);

    /// <summary>For commands that build a runtime once and never serve mail with it (`gateway check`, tests).</summary>
    public static RuntimeServices Standalone(GatewayPolicy policy, TimeProvider time)
    {
        var dns = new DnsClientResolver(DnsSettings.For(policy), NullLogger<DnsClientResolver>.Instance, time);

        // Recipient verification is built (password files read) as for `run`; nothing connects until an RCPT asks.
        return new(time, dns, new PublicSuffixSource(), NullLoggerFactory.Instance, Recipients: new RecipientsHost(time, dns, NullLoggerFactory.Instance));
    }
}
