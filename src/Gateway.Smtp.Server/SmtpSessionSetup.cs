using Gateway.Abstractions;

namespace Gateway.Smtp.Server;

/// <summary>What one connection runs with: limits, the stage checks and the AUTH verifier (null: no AUTH).</summary>
public sealed record SmtpSessionSetup(SmtpSessionOptions Options, ISmtpSessionHandler Handler, ICredentialVerifier? Credentials);
