using Gateway.Abstractions;

namespace Gateway.Smtp.Server.Tests.Infrastructure;

/// <summary>One valid account: alice / "s3cret pass".</summary>
internal sealed class TestCredentials : ICredentialVerifier
{
    public const string User = "alice";
    public const string Password = "s3cret pass";

    public ValueTask<bool> VerifyAsync(string userName, string password, CancellationToken cancellationToken) =>
        ValueTask.FromResult(userName == User && password == Password);
}
