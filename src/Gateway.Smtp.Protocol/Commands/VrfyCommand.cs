namespace Gateway.Smtp.Protocol;

/// <summary>VRFY (RFC 5321 4.1.1.6) with its argument as given.</summary>
public sealed record VrfyCommand(string Argument) : SmtpCommand(SmtpVerb.Vrfy);
