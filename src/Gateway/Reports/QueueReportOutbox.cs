using Gateway.Abstractions;
using Gateway.Authentication.Reports;
using Gateway.Queue;

namespace Gateway.Host.Reports;

/// <summary>Report mails go out through the outbound queue like any other mail we originate.</summary>
internal sealed class QueueReportOutbox(IQueueStore queue, TimeProvider time) : IDmarcReportOutbox
{
    public async ValueTask QueueAsync(DmarcReportMail mail, CancellationToken cancellationToken)
    {
        var envelope = new QueuedEnvelope
        {
            QueueId = string.Empty,
            ReceivedAt = time.GetUtcNow(),
            Origin = QueuedEnvelope.ReportOrigin,
            From = mail.From,

            // Reports go to other organizations' rua addresses and never ask for notices about themselves.
            Recipients = [.. mail.Recipients.Select(r => new QueuedRecipient(r, MailDirection.Outbound, DsnNotify.Never, null, null))],
        };
        await queue.EnqueueAsync(envelope, mail.Content, cancellationToken).ConfigureAwait(false);
    }
}
