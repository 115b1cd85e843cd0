namespace Gateway.Policy;

/// <summary>SMTP AUTH (auth:).</summary>
public sealed record AuthPolicy
{
    /// <summary>Absolute path of the credentials file (see <see cref="Gateway.Policy.CredentialsFile"/>); null: AUTH is not offered anywhere.</summary>
    public string? CredentialsFile { get; init; }

    /// <summary>Authenticated clients may relay outbound.</summary>
    public bool AllowRelay { get; init; } = true;

    /// <summary>
    /// auth.senders: login → the sender addresses it owns (Postfix's smtpd_sender_login_maps, keyed the other way
    /// round because admins think per login). A login not listed owns only its own name when that is an address.
    /// Logins compare case-sensitively, as the credentials file does.
    /// </summary>
    public IReadOnlyDictionary<string, IReadOnlyList<SenderPattern>> Senders { get; init; } =
        new Dictionary<string, IReadOnlyList<SenderPattern>>(StringComparer.Ordinal);
}
