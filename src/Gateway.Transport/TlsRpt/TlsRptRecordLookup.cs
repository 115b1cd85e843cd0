using Gateway.Abstractions;

namespace Gateway.Transport.TlsRpt;

/// <summary>Finds a policy domain's TLS-RPT record in DNS (RFC 8460 3). DNS failures mean "no record this time".</summary>
public sealed class TlsRptRecordLookup
{
    private readonly IDnsResolver _dns;

    public TlsRptRecordLookup(IDnsResolver dns)
    {
        ArgumentNullException.ThrowIfNull(dns);
        _dns = dns;
    }

    public async ValueTask<TlsRptRecord?> LookupAsync(string domain, CancellationToken ct)
    {
        var answer = await _dns.GetTxtAsync(TlsRptRecord.QueryName(domain), ct).ConfigureAwait(false);
        return answer.Status == DnsStatus.Ok ? TlsRptRecord.FromTxt(answer.Records) : null;
    }
}
