namespace Gateway.Smtp.Protocol;

/// <summary>AUTH (RFC 4954 4): mechanism upper-cased; InitialResponse is the base64 text as given, "" for "=", null when absent.</summary>
public sealed record AuthCommand(string Mechanism, string? InitialResponse) : SmtpCommand(SmtpVerb.Auth);
