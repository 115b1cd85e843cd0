using Gateway.Queue;
using MailKit.Net.Smtp;
using MimeKit;

namespace Gateway.Delivery.Client;

/// <summary>
/// The per-message state one SMTP transaction needs inside MailKit's callbacks: which queued recipient each
/// RCPT mailbox stands for (to pass its DSN parameters on), and the replies the server gave.
/// </summary>
internal sealed class TransactionContext
{
    private readonly Dictionary<MailboxAddress, QueuedRecipient> _recipients = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<QueuedRecipient, SmtpResponse> _rejected = new(ReferenceEqualityComparer.Instance);
    private readonly HashSet<QueuedRecipient> _accepted = new(ReferenceEqualityComparer.Instance);

    public TransactionContext(QueuedEnvelope envelope)
    {
        Envelope = envelope;
    }

    public QueuedEnvelope Envelope { get; }

    /// <summary>True once the server answered MAIL FROM: a failure before that may be a stale pooled connection.</summary>
    public bool SenderAnswered { get; private set; }

    public IReadOnlyCollection<QueuedRecipient> Accepted => _accepted;

    public IReadOnlyDictionary<QueuedRecipient, SmtpResponse> Rejected => _rejected;

    public void Add(MailboxAddress mailbox, QueuedRecipient recipient) => _recipients[mailbox] = recipient;

    public QueuedRecipient? Find(MailboxAddress mailbox) => _recipients.GetValueOrDefault(mailbox);

    public void SenderReplied() => SenderAnswered = true;

    public void RecipientAccepted(MailboxAddress mailbox)
    {
        if (Find(mailbox) is { } recipient)
        {
            _accepted.Add(recipient);
        }
    }

    public void RecipientRejected(MailboxAddress mailbox, SmtpResponse response)
    {
        if (Find(mailbox) is { } recipient)
        {
            _rejected[recipient] = response;
        }
    }
}
