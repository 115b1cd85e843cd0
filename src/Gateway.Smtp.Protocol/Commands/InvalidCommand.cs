using Gateway.Abstractions;

namespace Gateway.Smtp.Protocol;

/// <summary>A known verb with a syntax error; <paramref name="Reply"/> is exactly what to send back.</summary>
public sealed record InvalidCommand(SmtpVerb Verb, SmtpReply Reply) : SmtpCommand(Verb);
