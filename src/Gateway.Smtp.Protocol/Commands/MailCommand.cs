using Gateway.Abstractions;

namespace Gateway.Smtp.Protocol;

/// <summary>MAIL FROM (RFC 5321 4.1.1.2). <paramref name="From"/> is null for the null reverse path &lt;&gt;.</summary>
public sealed record MailCommand(Mailbox? From, MailParameters Parameters) : SmtpCommand(SmtpVerb.Mail);
