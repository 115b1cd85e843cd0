using System.Text;
using Gateway.Abstractions;
using Gateway.Authentication.Reports;
using Gateway.Pipeline;
using Gateway.Queue;
using Gateway.Syntax;
using Gateway.Transport.TlsRpt;

namespace Gateway.Host.Reports;

/// <summary>
/// Report mails (DMARC aggregate, TLS-RPT) go out through the outbound queue like any other mail we originate,
/// so they are retried and traced as that mail is. They enter the queue behind the message pipeline, so the DKIM
/// signature outbound mail gets there is added here, with the keys of the policy in force for the From domain
/// (RFC 8460 5.3 and RFC 7489 7.2.1.1 ask for signed reports, so receivers can tell them from forgeries).
/// </summary>
/// <param name="queue">The outbound queue.</param>
/// <param name="time">The clock of the envelope.</param>
/// <param name="signing">The sender authentication of the policy in force (its DKIM keys and signer); null: unsigned.</param>
internal sealed class QueueReportOutbox(IQueueStore queue, TimeProvider time, Func<SenderAuthentication?>? signing = null)
    : IDmarcReportOutbox, ITlsRptReportOutbox
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
        await queue.EnqueueAsync(envelope, Sign(from, content), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The content with DKIM-Signature fields in front when the From domain has signing keys.</summary>
    private ReadOnlyMemory<byte> Sign(string from, ReadOnlyMemory<byte> content)
    {
        var at = from.LastIndexOf('@');
        if (signing?.Invoke() is not { } auth || at < 0)
        {
            return content;
        }

        var keys = auth.KeysFor(DomainName.ComparisonForm(from[(at + 1)..]));
        if (keys.Count == 0)
        {
            return content;
        }

        var fields = Encoding.ASCII.GetBytes(auth.Signer.Sign(content.Span, keys));
        var signed = new byte[fields.Length + content.Length];
        fields.CopyTo(signed, 0);
        content.Span.CopyTo(signed.AsSpan(fields.Length));
        return signed;
    }
}
