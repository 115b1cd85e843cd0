namespace Gateway.Policy;

/// <summary>SMTP AUTH (auth:).</summary>
public sealed record AuthPolicy
{
    /// <summary>Absolute path of the credentials file (see <see cref="Gateway.Policy.CredentialsFile"/>); null: AUTH is not offered anywhere.</summary>
    public string? CredentialsFile { get; init; }

    /// <summary>Authenticated clients may relay outbound.</summary>
    public bool AllowRelay { get; init; } = true;
}
