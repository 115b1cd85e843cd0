namespace Gateway.Smtp.Protocol;

/// <summary>EXPN (RFC 5321 4.1.1.7) with its argument as given.</summary>
public sealed record ExpnCommand(string Argument) : SmtpCommand(SmtpVerb.Expn);
