using Gateway.Abstractions;
using Gateway.Smtp.Protocol;

namespace Gateway.Smtp.Server.Sessions;

/// <summary>One mail transaction (RFC 5321 3.3): from MAIL to the reply after the body, RSET, or a new HELO/EHLO.</summary>
internal sealed class Transaction(string id, Mailbox? from, MailParameters parameters)
{
    public string Id { get; } = id;

    public Mailbox? From { get; } = from;

    public MailParameters Parameters { get; } = parameters;

    public List<EnvelopeRecipient> Recipients { get; } = [];

    /// <summary>RCPT commands tried, accepted or not: tells "no valid recipients" (554) from "no RCPT yet" (503).</summary>
    public int RecipientAttempts { get; set; }

    /// <summary>BDAT (RFC 3030) state: the message writer opened at the first chunk.</summary>
    public IMessageWriter? Writer { get; set; }

    /// <summary>Non-null once the first BDAT chunk was accepted: the message has started.</summary>
    public BodyScanner? Scanner { get; set; }

    public long BodySize { get; set; }

    public bool Oversize { get; set; }

    public bool WriterFailed { get; set; }
}
