using Gateway.Abstractions;

namespace Gateway.Smtp.Server;

/// <summary>What one connection runs with: limits, the stage checks and the AUTH verifier (null: no AUTH).</summary>
public sealed record SmtpSessionSetup(SmtpSessionOptions Options, ISmtpSessionHandler Handler, ICredentialVerifier? Credentials)
{
    /// <summary>
    /// Disposed by the server when the connection ends, however it ends (refused over a limit, closed, failed):
    /// the provider's hold on what the setup was built from, such as the certificate and keys of a policy
    /// snapshot that a reload may replace in the meantime.
    /// </summary>
    public IDisposable? Lease { get; init; }
}
