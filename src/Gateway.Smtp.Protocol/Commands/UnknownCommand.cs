namespace Gateway.Smtp.Protocol;

/// <summary>A verb the gateway does not know (answer 500 5.5.1). VerbText is the verb as sent, for the log only.</summary>
public sealed record UnknownCommand(string VerbText) : SmtpCommand(SmtpVerb.Unknown);
