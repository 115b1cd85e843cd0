namespace Gateway.Smtp.Protocol;

/// <summary>Where an SMTP session is in its dialogue (RFC 5321 3.3, 4.1.4; RFC 3030 for Chunking).</summary>
public enum SmtpState
{
    /// <summary>Greeted, no HELO/EHLO yet.</summary>
    Connected,

    /// <summary>After HELO/EHLO (or RSET), no transaction open.</summary>
    Ready,

    /// <summary>MAIL accepted, no RCPT accepted yet.</summary>
    MailGiven,

    /// <summary>At least one RCPT accepted.</summary>
    RecipientGiven,

    /// <summary>A BDAT without LAST was seen: only more BDAT, RSET, NOOP, QUIT make sense.</summary>
    Chunking,
}
