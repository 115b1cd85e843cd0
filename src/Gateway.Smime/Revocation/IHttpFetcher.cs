namespace Gateway.Smime.Revocation;

/// <summary>Fetches a document over plain HTTP with the fetcher's size and time limits; the network edge CRL fetching is tested through.</summary>
public interface IHttpFetcher
{
    Task<HttpFetchResult> FetchAsync(Uri uri, CancellationToken cancellationToken);
}

/// <summary>Either the body, or why there is none (status, too large, timeout, refused redirect, network error).</summary>
public sealed record HttpFetchResult(byte[]? Body, string? Problem)
{
    public static HttpFetchResult Success(byte[] body) => new(body, null);

    public static HttpFetchResult Failure(string problem) => new(null, problem);
}
