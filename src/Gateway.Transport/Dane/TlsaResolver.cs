using System.Globalization;
using Gateway.Abstractions;
using Gateway.Transport.TlsRpt;

namespace Gateway.Transport.Dane;

/// <summary>
/// Looks up the TLSA records of an MX host at "_port._tcp.host" (RFC 6698 3, RFC 7672 2.2) and classifies the
/// answer. Only DNSSEC-authenticated answers count (RFC 7672 2.1); an unsigned answer means "no DANE". A failure
/// to answer for a name whose MX RRset was secure is not "no DANE": an attacker could force it, so the host is
/// deferred (RFC 7672 2.1.1) and reported as "dnssec-invalid" (RFC 8460 4.3.2.1).
/// </summary>
public sealed class TlsaResolver
{
    private readonly IDnsResolver _dns;

    public TlsaResolver(IDnsResolver dns)
    {
        ArgumentNullException.ThrowIfNull(dns);
        _dns = dns;
    }

    /// <summary>The owner name of the TLSA RRset of a TCP service: "_25._tcp.mx.example.org" (RFC 6698 3).</summary>
    public static string QueryName(string host, int port) =>
        string.Create(CultureInfo.InvariantCulture, $"_{port}._tcp.{host.TrimEnd('.')}");

    /// <param name="host">The MX host name (after any CNAME the caller followed; RFC 7672 2.2.2 base domain).</param>
    /// <param name="port">The SMTP port, 25 for MX delivery.</param>
    /// <param name="mxSecure">
    /// Whether the MX RRset, or for a domain without MX its address records, was authenticated (RFC 7672 2.2.2):
    /// when not, an attacker could have chosen the host and DANE does not apply.
    /// </param>
    /// <param name="ct">Cancels the DNS lookups.</param>
    public async ValueTask<TlsaLookupResult> LookupAsync(string host, int port, bool mxSecure, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(host);
        var name = QueryName(host, port);
        if (!mxSecure)
        {
            return new TlsaLookupResult(host, name, TlsaLookupStatus.NotApplicable, []);
        }

        var answer = await _dns.GetTlsaAsync(name, ct).ConfigureAwait(false);
        switch (answer.Status)
        {
            case DnsStatus.Ok when answer.Authenticated:
                return new TlsaLookupResult(host, name, TlsaLookupStatus.Secure, answer.Records);
            case DnsStatus.Ok:
                return new TlsaLookupResult(host, name, TlsaLookupStatus.Insecure, []);
            case DnsStatus.NxDomain or DnsStatus.NoData when answer.Authenticated:
                return new TlsaLookupResult(host, name, TlsaLookupStatus.SecureNoRecords, []);
            case DnsStatus.NxDomain or DnsStatus.NoData:
                return new TlsaLookupResult(host, name, TlsaLookupStatus.Insecure, []);
            default:
                // RFC 7672 2.1.1: a lookup that fails cannot be told apart from an attack stripping the records.
                return new TlsaLookupResult(
                    host,
                    name,
                    TlsaLookupStatus.Failed,
                    [],
                    TlsRptResultTypes.DnssecInvalid,
                    $"TLSA lookup of {name} failed ({answer.Status})");
        }
    }
}
