namespace Gateway.Smtp.Protocol;

/// <summary>
/// A parsed command line. Every line parses to exactly one of the sealed records in this namespace, including
/// <see cref="UnknownCommand"/> and <see cref="InvalidCommand"/> (which carries the reply to send).
/// </summary>
public abstract record SmtpCommand(SmtpVerb Verb);
