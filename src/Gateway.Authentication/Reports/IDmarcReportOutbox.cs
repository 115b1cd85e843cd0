namespace Gateway.Authentication.Reports;

/// <summary>Where report mails go: the host's outbound queue. Returns once the mail is durable.</summary>
public interface IDmarcReportOutbox
{
    ValueTask QueueAsync(DmarcReportMail mail, CancellationToken cancellationToken);
}
