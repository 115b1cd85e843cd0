using System.Globalization;
using System.Text;
using Gateway.Abstractions;
using MimeKit;

namespace Gateway.Queue;

/// <summary>
/// The per-recipient digest of the quarantine: one plain-text mail to each of our recipients with the items held
/// for them since the last digest (when, from whom, subject, why, the id to ask an administrator to release), queued
/// like a delivery notice: from the null sender (nothing answers or bounces it), NOTIFY=NEVER, Auto-Submitted.
/// Items with several of our recipients appear in each one's digest; outbound recipients get none.
/// </summary>
public sealed class QuarantineDigest
{
    // A subject is shown, not judged: a line of the table, not a hostile essay.
    private const int MaxSubjectChars = 80;

    private readonly MessageQuarantine _quarantine;
    private readonly IQueueStore _store;
    private readonly TimeProvider _time;
    private readonly string _hostName;

    public QuarantineDigest(MessageQuarantine quarantine, IQueueStore store, TimeProvider time, string hostName)
    {
        ArgumentNullException.ThrowIfNull(quarantine);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentException.ThrowIfNullOrEmpty(hostName);
        _quarantine = quarantine;
        _store = store;
        _time = time;
        _hostName = hostName;
    }

    /// <summary>Whether the day's digest is due: at or after <paramref name="hour"/> (UTC), once per UTC day.</summary>
    public static bool IsDue(DateTimeOffset? lastSent, DateTimeOffset now, int hour) =>
        now.UtcDateTime.Hour >= hour && (lastSent is not { } last || last.UtcDateTime.Date < now.UtcDateTime.Date);

    /// <summary>Queues one digest per recipient with items quarantined at or after <paramref name="since"/>; returns their queue ids.</summary>
    public async ValueTask<IReadOnlyList<string>> SendAsync(DateTimeOffset since, CancellationToken cancellationToken)
    {
        var byRecipient = new SortedDictionary<string, List<Line>>(StringComparer.OrdinalIgnoreCase);
        await foreach (var entry in _quarantine.ListAsync(cancellationToken).ConfigureAwait(false))
        {
            var record = entry.Quarantine!;
            if (record.QuarantinedAt < since)
            {
                continue;
            }

            var line = new Line(record.QuarantinedAt, entry.Envelope.From, await SubjectAsync(entry.Envelope.QueueId, cancellationToken).ConfigureAwait(false), record.Reason, entry.Envelope.QueueId);
            foreach (var recipient in entry.Envelope.Recipients.Where(r => r.Direction == MailDirection.Inbound).Select(r => r.Address).Distinct(StringComparer.OrdinalIgnoreCase))
            {
                if (!byRecipient.TryGetValue(recipient, out var lines))
                {
                    byRecipient[recipient] = lines = [];
                }

                lines.Add(line);
            }
        }

        var ids = new List<string>();
        foreach (var (recipient, lines) in byRecipient)
        {
            var (envelope, content) = Build(recipient, lines);
            ids.Add(await _store.EnqueueAsync(envelope, content, cancellationToken).ConfigureAwait(false));
        }

        return ids;
    }

    private (QueuedEnvelope Envelope, byte[] Content) Build(string recipient, List<Line> lines)
    {
        var now = _time.GetUtcNow();
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{lines.Count} message(s) addressed to you were held in the quarantine of {_hostName} instead of being delivered.\r\n");
        text.Append("If one of them is mail you want, ask your mail administrator to release it, naming its id.\r\n\r\n");
        foreach (var line in lines)
        {
            text.Append(CultureInfo.InvariantCulture, $"{line.At:yyyy-MM-dd HH:mm} UTC  id {line.Id}\r\n");
            text.Append("  from:    ").Append(line.From is null ? "<>" : line.From).Append("\r\n");
            text.Append("  subject: ").Append(line.Subject).Append("\r\n");
            text.Append("  why:     ").Append(line.Reason).Append("\r\n\r\n");
        }

        using var message = new MimeMessage();
        message.From.Add(new MailboxAddress("Mail Quarantine", "MAILER-DAEMON@" + _hostName));
        if (MailboxAddress.TryParse(recipient, out var to))
        {
            message.To.Add(to);
        }

        message.Subject = string.Create(CultureInfo.InvariantCulture, $"Quarantine: {lines.Count} message(s) held for you");
        message.Date = now;
        message.MessageId = MimeKit.Utils.MimeUtils.GenerateMessageId(_hostName);

        // RFC 3834 5: generated, not written by a person; auto-responders must not answer it.
        message.Headers.Add("Auto-Submitted", "auto-generated");
        message.Body = new TextPart("plain") { Text = text.ToString() };

        // Subjects may be in any script: quoted-printable keeps the digest 7-bit for any internal server.
        message.Prepare(EncodingConstraint.SevenBit);
        var format = FormatOptions.Default.Clone();
        format.NewLineFormat = NewLineFormat.Dos;
        using var output = new MemoryStream();
        message.WriteTo(format, output);
        var envelope = new QueuedEnvelope
        {
            QueueId = string.Empty,
            ReceivedAt = now,
            Origin = QueuedEnvelope.NoticeOrigin,
            From = null,
            Helo = _hostName,
            Body = BodyType.SevenBit,
            Return = DsnReturn.Headers,
            Recipients = [new QueuedRecipient(recipient, MailDirection.Inbound, DsnNotify.Never, null, null)],
        };
        return (envelope, output.ToArray());
    }

    /// <summary>The decoded Subject, on one line and cut short; "(none)" without one, "(unreadable)" when the message is gone.</summary>
    private async Task<string> SubjectAsync(string queueId, CancellationToken cancellationToken)
    {
        try
        {
            var stream = await _store.OpenMessageAsync(queueId, cancellationToken).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                var headers = await HeaderList.LoadAsync(stream, cancellationToken).ConfigureAwait(false);
                var subject = headers[HeaderId.Subject];
                if (subject is null)
                {
                    return "(none)";
                }

                var flat = string.Concat(subject.Select(c => char.IsControl(c) ? ' ' : c)).Trim();
                return flat.Length > MaxSubjectChars ? flat[..MaxSubjectChars] + "..." : flat;
            }
        }
        catch (Exception ex) when (ex is IOException or KeyNotFoundException or FormatException)
        {
            return "(unreadable)";
        }
    }

    private sealed record Line(DateTimeOffset At, string? From, string Subject, string Reason, string Id);
}
