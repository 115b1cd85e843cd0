namespace Gateway.Abstractions;

/// <summary>Checks SMTP AUTH credentials (RFC 4954). Implementations must be constant-time in the secret.</summary>
public interface ICredentialVerifier
{
    /// <summary>True when the password is right for the user. Never logs the password.</summary>
    ValueTask<bool> VerifyAsync(string userName, string password, CancellationToken cancellationToken);
}
