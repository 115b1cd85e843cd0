namespace Gateway.Smtp.Protocol;

/// <summary>QUIT (RFC 5321 4.1.1.10).</summary>
public sealed record QuitCommand() : SmtpCommand(SmtpVerb.Quit);
