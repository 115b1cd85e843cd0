namespace Gateway.Smtp.Protocol;

/// <summary>NOOP (RFC 5321 4.1.1.9); any argument is ignored.</summary>
public sealed record NoopCommand() : SmtpCommand(SmtpVerb.Noop);
