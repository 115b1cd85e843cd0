namespace Gateway.Smtp.Protocol;

/// <summary>HELO or EHLO (RFC 5321 4.1.1.1); <paramref name="Extended"/> is true for EHLO. Domain is the first token as given.</summary>
public sealed record HeloCommand(bool Extended, string Domain) : SmtpCommand(Extended ? SmtpVerb.Ehlo : SmtpVerb.Helo);
