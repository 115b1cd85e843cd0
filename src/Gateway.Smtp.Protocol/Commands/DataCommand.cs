namespace Gateway.Smtp.Protocol;

/// <summary>DATA (RFC 5321 4.1.1.4).</summary>
public sealed record DataCommand() : SmtpCommand(SmtpVerb.Data);
