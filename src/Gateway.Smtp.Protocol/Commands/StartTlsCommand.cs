namespace Gateway.Smtp.Protocol;

/// <summary>STARTTLS (RFC 3207 4).</summary>
public sealed record StartTlsCommand() : SmtpCommand(SmtpVerb.StartTls);
