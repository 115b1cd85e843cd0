namespace Gateway.Transport.TlsRpt;

/// <summary>
/// Where report mails go: the host's outbound queue (which DKIM-signs them when it holds a key, RFC 8460 5.3
/// "SHOULD be signed"). Returns once the mail is durable.
/// </summary>
public interface ITlsRptReportOutbox
{
    ValueTask QueueAsync(TlsRptReportMail mail, CancellationToken ct);
}
