using Gateway.Abstractions;
using Gateway.Authentication.Reports;
using Gateway.Queue;
using Gateway.Transport.TlsRpt;

namespace Gateway.Host.Reports;

/// <summary>
/// Report mails (DMARC aggregate, TLS-RPT) go out through the outbound queue like any other mail we originate,
/// so they are retried and traced as that mail is.
/// </summary>
internal sealed class QueueReportOutbox(IQueueStore queue, TimeProvider time) : IDmarcReportOutbox, ITlsRptReportOutbox
{
    public ValueTask QueueAsync(DmarcReportMail mail, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(mail);
        return QueueAsync(mail.From, mail.Recipients, mail.Content, cancellationToken);
    }

    public ValueTask QueueAsync(TlsRptReportMail mail, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(mail);
        return QueueAsync(mail.From, mail.Recipients, mail.Content, ct);
    }

    private async ValueTask QueueAsync(string from, IReadOnlyList<string> recipients, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        var envelope = new QueuedEnvelope
        {
            QueueId = string.Empty,
            ReceivedAt = time.GetUtcNow(),
            Origin = QueuedEnvelope.ReportOrigin,
            From = from,

            // Reports go to other organizations' rua addresses and never ask for notices about themselves.
            Recipients = [.. recipients.Select(r => new QueuedRecipient(r, MailDirection.Outbound, DsnNotify.Never, null, null))],
        };
        await queue.EnqueueAsync(envelope, content, cancellationToken).ConfigureAwait(false);
    }
}
