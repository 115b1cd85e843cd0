namespace Gateway.Smtp.Protocol;

/// <summary>RSET (RFC 5321 4.1.1.5).</summary>
public sealed record RsetCommand() : SmtpCommand(SmtpVerb.Rset);
