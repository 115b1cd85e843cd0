namespace Gateway.Smime.Revocation;

public sealed record HttpFetchOptions
{
    /// <summary>Large CAs publish CRLs of a few MiB; anything beyond this is refused unread, so a sender's certificate cannot point us at an endless download.</summary>
    public long MaxBytes { get; init; } = 10 * 1024 * 1024;

    /// <summary>For the whole fetch, redirects included: verification waits on it.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);

    public int MaxRedirects { get; init; } = 3;
}
