using System.Net;

namespace Gateway.Smime.Revocation;

/// <summary>
/// <see cref="IHttpFetcher"/> over HttpClient, for CRL distribution points named in certificates a sender chose.
/// Only http:// is fetched (RFC 5280 4.2.1.13 CRLs are signed, so TLS adds nothing; ldap:// and file:// are never
/// followed), redirects are followed by hand and only to http://, no proxy, cookies or decompression, and the
/// body is read against <see cref="HttpFetchOptions.MaxBytes"/> whatever Content-Length claims.
/// </summary>
public sealed class HttpClientFetcher : IHttpFetcher, IDisposable
{
    private readonly HttpClient _http;
    private readonly HttpFetchOptions _options;

    public HttpClientFetcher(HttpFetchOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            UseProxy = false,
            AutomaticDecompression = DecompressionMethods.None,
            ConnectTimeout = options.Timeout,
        };
        _http = new HttpClient(handler, disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
    }

    public async Task<HttpFetchResult> FetchAsync(Uri uri, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(uri);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_options.Timeout);
        try
        {
            for (var redirects = 0; ; redirects++)
            {
                if (uri.Scheme != Uri.UriSchemeHttp)
                {
                    return HttpFetchResult.Failure($"not an http:// URL: {uri.Scheme}");
                }

                using var response = await _http.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, deadline.Token).ConfigureAwait(false);
                if ((int)response.StatusCode is >= 300 and < 400 && response.Headers.Location is { } location)
                {
                    if (redirects >= _options.MaxRedirects)
                    {
                        return HttpFetchResult.Failure("too many redirects");
                    }

                    uri = location.IsAbsoluteUri ? location : new Uri(uri, location);
                    continue;
                }

                if (!response.IsSuccessStatusCode)
                {
                    return HttpFetchResult.Failure($"HTTP {(int)response.StatusCode}");
                }

                if (response.Content.Headers.ContentLength > _options.MaxBytes)
                {
                    return HttpFetchResult.Failure($"larger than {_options.MaxBytes} bytes");
                }

                var stream = await response.Content.ReadAsStreamAsync(deadline.Token).ConfigureAwait(false);
                await using (stream.ConfigureAwait(false))
                {
                    return await ReadBoundedAsync(stream, deadline.Token).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return HttpFetchResult.Failure($"no answer within {_options.Timeout.TotalSeconds:0} s");
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            return HttpFetchResult.Failure(e.Message);
        }
    }

    public void Dispose() => _http.Dispose();

    private async Task<HttpFetchResult> ReadBoundedAsync(Stream stream, CancellationToken cancellationToken)
    {
        using var body = new MemoryStream();
        var buffer = new byte[64 * 1024];
        int read;
        while ((read = await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (body.Length + read > _options.MaxBytes)
            {
                return HttpFetchResult.Failure($"larger than {_options.MaxBytes} bytes");
            }

            body.Write(buffer, 0, read);
        }

        return HttpFetchResult.Success(body.ToArray());
    }
}
