namespace Gateway.Smtp.Protocol;

/// <summary>HELP (RFC 5321 4.1.1.8) with its optional topic.</summary>
public sealed record HelpCommand(string? Topic) : SmtpCommand(SmtpVerb.Help);
