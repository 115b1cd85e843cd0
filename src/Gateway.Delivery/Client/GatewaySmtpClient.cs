using Gateway.Abstractions;
using MailKit;
using MailKit.Net.Smtp;
using MimeKit;

namespace Gateway.Delivery.Client;

/// <summary>
/// MailKit's SMTP client with the hooks a relaying MTA needs: the original DSN parameters are passed on
/// (RFC 3461 5.2: NOTIFY, ENVID, RET; ORCPT see below), every RCPT reply is recorded instead of aborting the transaction,
/// and the message is never re-encoded (signed content must arrive byte for byte: DESIGN "Signed content is
/// never re-encoded").
/// </summary>
internal sealed class GatewaySmtpClient : SmtpClient
{
    public GatewaySmtpClient(IProtocolLogger? protocolLogger = null)
        : base(protocolLogger ?? new NullProtocolLogger())
    {
    }

    /// <summary>The transaction in progress; set by the agent around each send (one send at a time per client).</summary>
    public TransactionContext? Transaction { get; set; }

    /// <summary>When the connection was returned to the pool (TimeProvider timestamp).</summary>
    public long IdleSince { get; set; }

    protected override DeliveryStatusNotification? GetDeliveryStatusNotifications(MimeMessage message, MailboxAddress mailbox)
    {
        var notify = Transaction?.Find(mailbox)?.Notify ?? DsnNotify.None;
        if (notify == DsnNotify.None)
        {
            // RFC 3461 4.1: absent NOTIFY stays absent, so the next hop applies the same default we would.
            return null;
        }

        if ((notify & DsnNotify.Never) != 0)
        {
            return DeliveryStatusNotification.Never;
        }

        var result = default(DeliveryStatusNotification);
        if ((notify & DsnNotify.Success) != 0)
        {
            result |= DeliveryStatusNotification.Success;
        }

        if ((notify & DsnNotify.Failure) != 0)
        {
            result |= DeliveryStatusNotification.Failure;
        }

        if ((notify & DsnNotify.Delay) != 0)
        {
            result |= DeliveryStatusNotification.Delay;
        }

        return result;
    }

    // ORCPT: MailKit 4.18.2 sends "ORCPT=rfc822;<the RCPT address>" with every NOTIFY and its
    // GetOriginalRecipientAddress hook is not virtual, so a client-given ORCPT that differs from the address
    // cannot be passed on (RFC 3461 5.2.1 asks for it). Our own notices still quote the spooled ORCPT.

    /// <summary>RFC 3461 4.4 / 5.2.1: ENVID is passed on unchanged (null: none was given).</summary>
    protected override string GetEnvelopeId(MimeMessage message) => Transaction?.Envelope.EnvelopeId!;

    protected override void OnSenderAccepted(MimeMessage message, MailboxAddress mailbox, SmtpResponse response)
    {
        Transaction?.SenderReplied();
        base.OnSenderAccepted(message, mailbox, response);
    }

    protected override void OnSenderNotAccepted(MimeMessage message, MailboxAddress mailbox, SmtpResponse response)
    {
        Transaction?.SenderReplied();
        base.OnSenderNotAccepted(message, mailbox, response);
    }

    protected override void OnRecipientAccepted(MimeMessage message, MailboxAddress mailbox, SmtpResponse response)
    {
        Transaction?.RecipientAccepted(mailbox);
        base.OnRecipientAccepted(message, mailbox, response);
    }

    /// <summary>One recipient refused is that recipient's outcome, not the message's: record it and go on.</summary>
    protected override void OnRecipientNotAccepted(MimeMessage message, MailboxAddress mailbox, SmtpResponse response) =>
        Transaction?.RecipientRejected(mailbox, response);

    /// <summary>With every RCPT refused there is nothing to send; the recorded replies are the outcomes.</summary>
    protected override void OnNoRecipientsAccepted(MimeMessage message) =>
        throw new SmtpCommandException(SmtpErrorCode.MessageNotAccepted, SmtpStatusCode.TransactionFailed, "No recipients were accepted.");

    /// <summary>
    /// Deliberately empty: MailKit would otherwise re-encode 8-bit parts for a 7-bit server or fold long lines.
    /// A relay sends what it received (RFC 5321 2.4 / 6152 3: no silent conversion); the agent refuses 8-bit
    /// content to servers without 8BITMIME before getting here.
    /// </summary>
    protected override void Prepare(FormatOptions options, MimeMessage message, EncodingConstraint constraint, int maxLineLength)
    {
    }
}
