namespace Gateway.Smtp.Protocol;

/// <summary>The SMTP commands the gateway knows (RFC 5321 4.1.1, RFC 3207, RFC 4954, RFC 3030).</summary>
public enum SmtpVerb
{
    Unknown,
    Helo,
    Ehlo,
    Mail,
    Rcpt,
    Data,
    Bdat,
    Rset,
    Noop,
    Quit,
    Vrfy,
    Expn,
    Help,
    StartTls,
    Auth,
}
