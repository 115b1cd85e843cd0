using Gateway.Abstractions;

namespace Gateway.Smtp.Protocol;

/// <summary>RCPT TO (RFC 5321 4.1.1.3). Source routes are already dropped from <paramref name="To"/>.</summary>
public sealed record RcptCommand(Mailbox To, RecipientParameters Parameters) : SmtpCommand(SmtpVerb.Rcpt);
