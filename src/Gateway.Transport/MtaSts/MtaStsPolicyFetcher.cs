using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Text;
using Gateway.Abstractions;
using Gateway.Syntax;
using Gateway.Transport.Http;

namespace Gateway.Transport.MtaSts;

/// <summary>
/// Fetches <c>https://mta-sts.&lt;domain&gt;/.well-known/mta-sts.txt</c> (RFC 8461 3.3) over an HttpClient whose
/// connections are made by us: the host's addresses come from the gateway's <see cref="IDnsResolver"/> (never the
/// system resolver, so a test zone or a configured resolver is the only truth) and are tried in order.
/// </summary>
/// <remarks>
/// RFC 8461 3.3: no redirects ("senders MUST NOT follow HTTP redirects"), only 200 is a policy, the media type
/// is text/plain, the certificate is checked as PKIX for the policy host. No proxy (the policy host's
/// certificate must be checked by us, end to end), no cookies, no compression. Each fetch has its own handler:
/// fetches are rare (once per domain per max_age), and nothing pooled outlives a fetch or is shared between
/// domains, so a certificate failure is known to belong to this fetch.
/// </remarks>
public sealed class MtaStsPolicyFetcher : IMtaStsPolicyFetcher
{
    /// <summary>RFC 8461 3.3: the policy's well-known path.</summary>
    public const string WellKnownPath = "/.well-known/mta-sts.txt";

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly ResolvingConnector _connector;
    private readonly MtaStsFetcherOptions _options;
    private readonly TimeProvider _time;

    public MtaStsPolicyFetcher(IDnsResolver dns, MtaStsFetcherOptions options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(dns);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.Timeout, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxPolicyBytes, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Port, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.Port, ushort.MaxValue);
        _connector = new ResolvingConnector(dns);
        _options = options;
        _time = time;
    }

    /// <summary>The policy host of a domain (RFC 8461 3.3).</summary>
    public static string PolicyHost(string domain)
    {
        ArgumentNullException.ThrowIfNull(domain);
        return "mta-sts." + domain;
    }

    public async ValueTask<MtaStsFetchResult> FetchAsync(string domain, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(domain);
        if (DomainName.TryCanonicalize(domain, DomainNameOptions.AllowUnicode | DomainNameOptions.AllowTrailingDot, out var canonical) != DomainNameError.None)
        {
            return MtaStsFetchResult.Failure(MtaStsFailureTypes.PolicyFetchError, $"'{domain}' is not a domain name");
        }

        var host = PolicyHost(canonical);
        var uri = new UriBuilder(Uri.UriSchemeHttps, host, _options.Port, WellKnownPath).Uri;
        var attempt = new Attempt();
        using var handler = CreateHandler(attempt);
        using var client = new HttpClient(handler, disposeHandler: false) { Timeout = System.Threading.Timeout.InfiniteTimeSpan };
        using var timeout = new CancellationTokenSource(_options.Timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token);
        string text;
        try
        {
            text = await GetTextAsync(client, uri, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return TimedOut(host);
        }
        catch (HttpRequestException) when (attempt.CertificateFailure is { } failure)
        {
            return MtaStsFetchResult.Failure(MtaStsFailureTypes.WebPkiInvalid, $"{host}: {failure}");
        }
        catch (Exception e) when (e is HttpRequestException or IOException or FetchFailedException)
        {
            if (timeout.IsCancellationRequested && !ct.IsCancellationRequested)
            {
                return TimedOut(host);
            }

            return MtaStsFetchResult.Failure(MtaStsFailureTypes.PolicyFetchError, $"{host}: {Innermost(e)}");
        }
        catch (DecoderFallbackException)
        {
            return MtaStsFetchResult.Failure(MtaStsFailureTypes.PolicyInvalid, $"{host}: the policy is not UTF-8 (RFC 8461 3.2)");
        }

        var parsed = MtaStsPolicyParser.Parse(text);
        return parsed.Policy is { } policy
            ? MtaStsFetchResult.Success(policy)
            : MtaStsFetchResult.Failure(MtaStsFailureTypes.PolicyInvalid, $"{host}: {parsed.Error}");
    }

    private MtaStsFetchResult TimedOut(string host) =>
        MtaStsFetchResult.Failure(
            MtaStsFailureTypes.PolicyFetchError,
            $"{host}: no complete policy within {_options.Timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s");

    private static string Innermost(Exception e)
    {
        var message = e.Message;
        for (var inner = e.InnerException; inner is not null; inner = inner.InnerException)
        {
            message = inner.Message;
        }

        return message;
    }

    private async Task<string> GetTextAsync(HttpClient client, Uri uri, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, uri)
        {
            Version = HttpVersion.Version11,
            VersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
        };
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);

        // RFC 8461 3.3: "a sender ... MUST NOT follow HTTP redirects"; any status but 200 is no policy.
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new FetchFailedException($"HTTP status {((int)response.StatusCode).ToString(CultureInfo.InvariantCulture)}");
        }

        // RFC 8461 3.3: the policy is served with media type "text/plain"; parameters (charset) are allowed.
        var mediaType = response.Content.Headers.ContentType?.MediaType;
        if (!string.Equals(mediaType, "text/plain", StringComparison.OrdinalIgnoreCase))
        {
            throw new FetchFailedException($"content type '{response.Content.Headers.ContentType}' is not text/plain");
        }

        if (response.Content.Headers.ContentLength > _options.MaxPolicyBytes)
        {
            throw TooLarge();
        }

        var stream = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            // One byte more than the limit tells "exactly at the limit" from "over it" without reading further.
            var buffer = new byte[_options.MaxPolicyBytes + 1];
            var length = 0;
            while (length < buffer.Length)
            {
                var read = await stream.ReadAsync(buffer.AsMemory(length), ct).ConfigureAwait(false);
                if (read == 0)
                {
                    return StrictUtf8.GetString(buffer, 0, length);
                }

                length += read;
            }

            throw TooLarge();
        }
    }

    private FetchFailedException TooLarge() =>
        new($"the policy is larger than {_options.MaxPolicyBytes.ToString(CultureInfo.InvariantCulture)} bytes");

    private SocketsHttpHandler CreateHandler(Attempt attempt) => new()
    {
        AllowAutoRedirect = false,
        UseProxy = false,
        UseCookies = false,
        AutomaticDecompression = DecompressionMethods.None,
        MaxConnectionsPerServer = 1,

        // Connection attempts outlive a cancelled request in SocketsHttpHandler; bound them by the same deadline.
        ConnectTimeout = _options.Timeout,
        ConnectCallback = _connector.ConnectAsync,
        SslOptions = new SslClientAuthenticationOptions
        {
            RemoteCertificateValidationCallback = (_, certificate, chain, errors) =>
            {
                attempt.CertificateFailure = MtaStsCertificateCheck.Check(certificate, chain, errors, _options.ExtraTrustedRoots);
                return attempt.CertificateFailure is null;
            },
        },
    };

    /// <summary>What one fetch learned on the way that an exception would not carry.</summary>
    private sealed class Attempt
    {
        public string? CertificateFailure { get; set; }
    }

    /// <summary>A fetch that failed for a reason of ours (status, type, size), mapped to sts-policy-fetch-error.</summary>
    private sealed class FetchFailedException(string message) : Exception(message);
}
